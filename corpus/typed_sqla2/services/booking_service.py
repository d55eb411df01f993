"""Booking lifecycle: creation, chef assignment, cancellation."""
import datetime as dt
from decimal import Decimal
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models.core import Booking as B, BookingStatus, Chef
from db.models.identity import Station


class BookingError(Exception):
    pass


def create(db: Session, station: Station, customer_id: int, event_date: dt.date, guests: int) -> B:
    booking = B(
        station_id=station.id,
        customer_id=customer_id,
        event_date=event_date,
        guest_count=guests,
        total=Decimal("0.00"),
    )
    db.add(booking)
    db.flush()
    return booking


def available_chefs(db: Session, event_date: dt.date) -> Sequence[Chef]:
    busy = select(B.chef_id).where(B.event_date == event_date, B.chef_id.is_not(None))
    stmt = select(Chef).where(Chef.is_active.is_(True), Chef.id.not_in(busy)).order_by(Chef.display_name)
    return db.scalars(stmt).all()


def assign_chef(db: Session, booking: B, chef: Optional[Chef]) -> B:
    if booking.status == BookingStatus.CANCELLED:
        raise BookingError("cannot assign a chef to a cancelled booking")
    booking.chef = chef
    booking.status = BookingStatus.CONFIRMED if chef else BookingStatus.PENDING
    return booking


def cancel(booking: B, reason: str) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.extra = {**(booking.extra or {}), "cancel_reason": reason}
