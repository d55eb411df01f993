"""Chefs: the people who cook at the events."""
from sqlalchemy import Boolean, Column, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import relationship

from app.db.base import Base

from .mixins import TimestampMixin


class Chef(TimestampMixin, Base):
    __tablename__ = "chefs"

    id = Column(Integer, primary_key=True, index=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False)
    bio = Column(Text)
    hourly_rate_cents = Column(Integer, nullable=False, default=0)
    rating = Column(Numeric(3, 2))
    is_available = Column(Boolean, nullable=False, default=True)

    account = relationship("User", back_populates="chef_profile")
    # v1 serializers still read ``chef.user``; renamed to ``account`` in 2.3
    user = relationship("User", back_populates="chef_profile")
    specialties = relationship("Tag", secondary="chef_tags", lazy="selectin")

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "display_name": self.display_name,
            "rating": float(self.rating) if self.rating is not None else None,
            "hourly_rate_cents": self.hourly_rate_cents,
            "is_available": self.is_available,
            "specialties": [t.name for t in self.specialties],
        }

    def __repr__(self) -> str:
        return f"<Chef id={self.id} name={self.display_name!r}>"
