"""Admin dashboard aggregates.

The response model is the pydantic ``Booking`` schema; the ORM class is
imported under another name so the two don't shadow each other.
"""
from datetime import date, timedelta
from typing import List

from fastapi import APIRouter, Depends
from sqlalchemy import func
from sqlalchemy.orm import Session

from app.db.session import get_db
from app.models import Chef, Lead
from app.models.booking import Booking as BookingModel
from app.models.enums import BookingStatus, LeadStatus
from app.schemas.booking import Booking

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@router.get("/upcoming", response_model=List[Booking])
def upcoming(days: int = 14, db: Session = Depends(get_db)):
    today = date.today()
    return (
        db.query(BookingModel)
        .filter(BookingModel.event_date.between(today, today + timedelta(days=days)))
        .filter(BookingModel.status != BookingStatus.CANCELLED)
        .order_by(BookingModel.event_date)
        .all()
    )


@router.get("/summary")
def summary(db: Session = Depends(get_db)):
    revenue = db.query(func.coalesce(func.sum(BookingModel.total_cents), 0)).filter(
        BookingModel.status == BookingStatus.COMPLETED
    )
    return {
        "completed_revenue_cents": revenue.scalar(),
        "open_leads": db.query(Lead).filter(Lead.status == LeadStatus.NEW).count(),
        "available_chefs": db.query(Chef).filter(Chef.is_available.is_(True)).count(),
    }
