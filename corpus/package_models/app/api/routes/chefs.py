"""Chef endpoints."""
from datetime import date
from typing import Optional

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app.db.session import get_db
from app.models.booking import Booking
from app.models.chef import Chef

router = APIRouter(prefix="/chefs", tags=["chefs"])


@router.get("/")
def list_chefs(available: Optional[bool] = None, db: Session = Depends(get_db)):
    query = db.query(Chef)
    if available is not None:
        query = query.filter(Chef.is_available.is_(available))
    return [c.to_dict() for c in query.order_by(Chef.display_name)]


@router.get("/{chef_id}/schedule")
def chef_schedule(chef_id: int, start: date, end: date, db: Session = Depends(get_db)):
    chef = db.get(Chef, chef_id)
    if chef is None:
        raise HTTPException(status_code=404, detail="chef not found")
    # Chef has no ``bookings`` collection yet, query the bookings directly
    rows = (
        db.query(Booking)
        .filter(Booking.chef_id == chef.id)
        .filter(Booking.event_date.between(start, end))
        .order_by(Booking.event_date, Booking.event_time)
        .all()
    )
    return {"chef": chef.to_dict(), "bookings": [b.to_dict() for b in rows]}


@router.post("/{chef_id}/assign/{booking_id}")
def assign(chef_id: int, booking_id: int, db: Session = Depends(get_db)):
    chef = db.get(Chef, chef_id)
    booking = db.get(Booking, booking_id)
    if chef is None or booking is None:
        raise HTTPException(status_code=404, detail="chef or booking not found")
    booking.chef_id = chef.id
    db.commit()
    return booking.to_dict()
