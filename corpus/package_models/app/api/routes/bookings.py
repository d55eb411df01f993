"""Booking endpoints."""
from datetime import date
from typing import List, Optional

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.orm import Session

from app import schemas
from app.db.session import get_db
from app.models import Booking, Customer
from app.models.enums import BookingStatus

router = APIRouter(prefix="/bookings", tags=["bookings"])


@router.get("/", response_model=List[schemas.Booking])
def list_bookings(
    status_: Optional[BookingStatus] = None,
    start: Optional[date] = None,
    db: Session = Depends(get_db),
):
    query = db.query(Booking)
    if status_ is not None:
        query = query.filter(Booking.status == status_)
    if start is not None:
        query = query.filter(Booking.event_date >= start)
    return query.order_by(Booking.event_date).limit(200).all()


@router.post("/", response_model=schemas.Booking, status_code=status.HTTP_201_CREATED)
def create_booking(payload: schemas.BookingCreate, db: Session = Depends(get_db)):
    customer = db.get(Customer, payload.customer_id)
    if customer is None:
        raise HTTPException(status_code=404, detail="customer not found")
    booking = Booking(
        reference=f"HB{payload.event_date:%y%m%d}{customer.id:04d}",
        customer=customer,
        event_date=payload.event_date,
        event_time=payload.event_time,
        guest_count=payload.guest_count,
        address=payload.address,
        notes=payload.notes,
    )
    db.add(booking)
    db.commit()
    db.refresh(booking)
    return booking


@router.get("/quote")
def quote(guests: int, db: Session = Depends(get_db)):
    # imported here: pricing is only needed by this endpoint
    from app.models.pricing import PricingTier

    tiers = db.query(PricingTier).filter(PricingTier.is_active.is_(True)).all()
    for tier in sorted(tiers, key=lambda t: t.min_guests, reverse=True):
        if tier.applies_to(guests):
            return {"tier": tier.name, "total_cents": tier.quote_cents(guests)}
    raise HTTPException(status_code=422, detail="no pricing tier for that party size")


@router.get("/{booking_id}", response_model=schemas.Booking)
def get_booking(booking_id: int, db: Session = Depends(get_db)):
    booking = db.get(Booking, booking_id)
    if booking is None:
        raise HTTPException(status_code=404, detail="booking not found")
    return booking
