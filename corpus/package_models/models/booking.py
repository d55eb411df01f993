"""Booking (legacy schema).

Amounts are stored as NUMERIC dollars here; app.models.booking uses cents.
"""
from datetime import datetime

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import relationship

from app.db.base import Base
from models.customer import Customer


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = {"extend_existing": True}

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    chef_id = Column(Integer, ForeignKey("chefs.id"))
    event_date = Column(Date, nullable=False)
    guest_count = Column(Integer, nullable=False)
    status = Column(String(20), default="pending")
    total_amount = Column(Numeric(10, 2))
    deposit_paid = Column(Boolean, default=False)
    created_at = Column(DateTime, default=datetime.utcnow)

    customer = relationship(Customer, back_populates="bookings")
    chef = relationship("Chef")

    def to_dict(self):
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "event_date": str(self.event_date),
            "guest_count": self.guest_count,
            "status": self.status,
            "total_amount": float(self.total_amount or 0),
            "deposit_paid": self.deposit_paid,
        }

    def __repr__(self):
        return "<Booking %s %s>" % (self.id, self.event_date)
