"""Customers who book events."""
from sqlalchemy import Boolean, Column, Integer, String
from sqlalchemy.orm import relationship

from app.db.base import Base

from .mixins import TimestampMixin


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True, index=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    email = Column(String(255), nullable=False, unique=True, index=True)
    phone = Column(String(32))
    marketing_opt_in = Column(Boolean, nullable=False, default=False)

    bookings = relationship("Booking", back_populates="customer")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.full_name,
            "email": self.email,
            "phone": self.phone,
            "marketing_opt_in": self.marketing_opt_in,
        }

    def __repr__(self) -> str:
        return f"<Customer id={self.id} email={self.email!r}>"
