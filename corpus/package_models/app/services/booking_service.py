"""Booking business rules shared by the API and the background workers."""
import os
import secrets
from datetime import date, timedelta
from typing import Optional

try:
    from app.models import Booking, Customer
except ImportError:  # the legacy worker image still ships only the flat models/ tree
    from models.booking import Booking
    from models.customer import Customer

DEPOSIT_PERCENT = int(os.getenv("DEPOSIT_PERCENT", "20"))
MIN_LEAD_TIME = timedelta(days=3)


def new_reference(event_date: date) -> str:
    return f"HB{event_date:%y%m%d}{secrets.token_hex(2).upper()}"


def deposit_for(total_cents: int) -> int:
    return (total_cents * DEPOSIT_PERCENT + 99) // 100


def can_reschedule(booking: Booking, new_date: date, today: Optional[date] = None) -> bool:
    today = today or date.today()
    return new_date - today >= MIN_LEAD_TIME and booking.event_date > today


def find_customer_bookings(db, email: str):
    customer = db.query(Customer).filter(Customer.email == email.lower()).one_or_none()
    if customer is None:
        return []
    return db.query(Booking).filter(Booking.customer_id == customer.id).all()
