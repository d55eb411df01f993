"""Bookings: one catered event."""
from sqlalchemy import Column, Date, Enum, ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import relationship

from app.db.base import Base

from .enums import BookingStatus
from .mixins import TimestampMixin
from .tag import booking_tags


class Booking(TimestampMixin, Base):
    __tablename__ = "bookings"

    id = Column(Integer, primary_key=True, index=True)
    reference = Column(String(12), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    chef_id = Column(Integer, ForeignKey("chefs.id"), nullable=True, index=True)
    event_date = Column(Date, nullable=False, index=True)
    event_time = Column(Time)
    guest_count = Column(Integer, nullable=False)
    address = Column(String(300), nullable=False)
    status = Column(
        Enum(BookingStatus, name="booking_status"),
        nullable=False,
        default=BookingStatus.PENDING,
    )
    total_cents = Column(Integer, nullable=False, default=0)
    deposit_cents = Column(Integer, nullable=False, default=0)
    notes = Column(Text)

    customer = relationship("Customer", back_populates="bookings")
    chef = relationship("Chef", back_populates="bookings")
    tags = relationship("Tag", secondary=booking_tags, lazy="selectin")

    @property
    def balance_due_cents(self) -> int:
        return max(self.total_cents - self.deposit_cents, 0)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "reference": self.reference,
            "customer_id": self.customer_id,
            "chef_id": self.chef_id,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "guest_count": self.guest_count,
            "status": self.status.value if self.status else None,
            "total_cents": self.total_cents,
            "balance_due_cents": self.balance_due_cents,
            "tags": [t.name for t in self.tags],
        }

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.event_date} status={self.status}>"
