"""Booking endpoints (typed, SQLAlchemy 2.0 select style)."""
import datetime as dt
from typing import List

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.v1.schemas import Booking as BookingOut, BookingCreate
from db.models import core
from db.session import SessionLocal

router = APIRouter(prefix="/bookings", tags=["bookings"])


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@router.get("/", response_model=List[BookingOut])
def list_bookings(station_id: int, day: dt.date, db: Session = Depends(get_db)):
    stmt = (
        select(core.Booking)
        .where(core.Booking.station_id == station_id, core.Booking.event_date == day)
        .order_by(core.Booking.id)
    )
    return db.scalars(stmt).all()


@router.post("/", response_model=BookingOut, status_code=201)
def create_booking(payload: BookingCreate, db: Session = Depends(get_db)):
    booking = core.Booking(**payload.model_dump())
    db.add(booking)
    db.commit()
    return booking


@router.post("/{booking_id}/hold", status_code=201)
def hold(booking_id: int, minutes: int = 30, db: Session = Depends(get_db)):
    from db.models.events import ReservationHold  # only this endpoint needs holds

    booking = db.get(core.Booking, booking_id)
    if booking is None:
        raise HTTPException(status_code=404, detail="booking not found")
    expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes)
    db.add(ReservationHold(booking_id=booking.id, expires_at=expires))
    db.commit()
    return {"booking_id": booking.id, "expires_at": expires.isoformat()}
