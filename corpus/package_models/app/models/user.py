"""Staff accounts (admins, dispatchers and chefs)."""
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.db.base import Base

from .mixins import TimestampMixin


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True, index=True)
    email = Column(String(255), nullable=False, unique=True, index=True)
    hashed_password = Column(String(255), nullable=False)
    full_name = Column(String(200))
    is_active = Column(Boolean, nullable=False, default=True)
    is_superuser = Column(Boolean, nullable=False, default=False)
    organization_id = Column(
        Integer,
        ForeignKey("organizations.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    )

    organization = relationship("Organization", lazy="joined")
    chef_profile = relationship("Chef", back_populates="account", uselist=False)

    @property
    def is_chef(self) -> bool:
        return self.chef_profile is not None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "email": self.email,
            "full_name": self.full_name,
            "is_active": self.is_active,
            "organization_id": self.organization_id,
        }

    def __repr__(self) -> str:
        return f"<User id={self.id} email={self.email!r}>"
