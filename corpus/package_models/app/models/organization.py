"""Organization (tenant) model.

WIP: the tenant feature is half-built. Relationships whose target models do
not exist yet are commented out; see the TODOs below.
"""
from typing import TYPE_CHECKING, List

from sqlalchemy import JSON, Boolean, Column, Integer, String
from sqlalchemy.orm import Session, relationship

from app.db.base import Base

from .mixins import TimestampMixin

if TYPE_CHECKING:  # pragma: no cover - imported for annotations only
    from .user import User


class Organization(TimestampMixin, Base):
    """A catering company (tenant) owning users, chefs and bookings."""

    __tablename__ = "organizations"

    id = Column(Integer, primary_key=True, index=True)
    name = Column(String(200), nullable=False)
    slug = Column(String(80), nullable=False, unique=True, index=True)
    plan = Column(String(30), nullable=False, default="starter")
    is_active = Column(Boolean, nullable=False, default=True)
    settings = Column(JSON, nullable=False, default=dict)

    # Relationships
    # TEMPORARY: commented out until the referenced models exist
    # TODO: implement School (or reuse Station) before re-enabling
    # schools = relationship("School", back_populates="organization")
    # TODO: users needs foreign_keys=[User.organization_id]
    # users = relationship("User", back_populates="organization")
    feature_flags = relationship(
        "FeatureFlag",
        back_populates="organization",
        cascade="all, delete-orphan",
        lazy="dynamic",
    )

    def members(self, session: Session) -> List["User"]:
        """Users of this organization (``users`` relationship is disabled)."""
        from .user import User  # local import: user.py is loaded after us

        return (
            session.query(User)
            .filter(User.organization_id == self.id)
            .order_by(User.email)
            .all()
        )

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "plan": self.plan,
            "is_active": self.is_active,
            **self.touch_fields(),
        }

    def __repr__(self) -> str:
        return f"<Organization id={self.id} slug={self.slug!r}>"
