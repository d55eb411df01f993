"""Nightly job: remind customers two days before their event, expire holds."""
import datetime as dt
import importlib
import logging

from sqlalchemy import select

from db.models.core import Booking, BookingStatus
from db.session import SessionLocal

log = logging.getLogger("workers.reminders")
REMIND_BEFORE = dt.timedelta(days=2)


def bookings_to_remind(db, today: dt.date):
    stmt = select(Booking).where(
        Booking.event_date == today + REMIND_BEFORE,
        Booking.status == BookingStatus.CONFIRMED,
    )
    return db.scalars(stmt).all()


def expire_holds(db, now: dt.datetime) -> int:
    # resolved at run time: the scheduler imports this module before the
    # event models are importable in the slim worker image
    events = importlib.import_module("db.models.events")
    holds = db.scalars(
        select(events.ReservationHold).where(
            events.ReservationHold.released.is_(False),
            events.ReservationHold.expires_at < now,
        )
    ).all()
    for hold in holds:
        hold.released = True
    return len(holds)


def main() -> None:
    db = SessionLocal()
    try:
        for booking in bookings_to_remind(db, dt.date.today()):
            log.info("reminder for booking %s (%s guests)", booking.id, booking.guest_count)
        log.info("expired %d holds", expire_holds(db, dt.datetime.now(dt.timezone.utc)))
        db.commit()
    finally:
        db.close()


if __name__ == "__main__":
    main()
