"""v1 lead endpoints (deprecated; the v2 router lives in app/api/routes/leads.py)."""
from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app.db.session import get_db
from models.enums.lead_enums import LeadSource, LeadStatus
from models.lead import Lead

router = APIRouter()


@router.get("/leads")
def list_leads(source: LeadSource = None, db: Session = Depends(get_db)):
    query = db.query(Lead)
    if source is not None:
        query = query.filter(Lead.source == source.value)
    return [
        {"id": l.id, "name": l.contact_name, "status": l.status, "source": l.source}
        for l in query.order_by(Lead.created_at.desc()).limit(100)
    ]


@router.post("/leads/{lead_id}/status")
def set_status(lead_id: int, status: LeadStatus, db: Session = Depends(get_db)):
    lead = db.query(Lead).get(lead_id)
    if lead is None:
        raise HTTPException(404, "lead not found")
    lead.mark(status)
    db.commit()
    return {"id": lead.id, "status": lead.status}


@router.post("/leads/{lead_id}/convert")
def convert(lead_id: int, event_date: str, guests: int, db: Session = Depends(get_db)):
    # the old booking module drags the whole legacy tree in; load it on demand
    legacy = __import__("models.booking", fromlist=["Booking"])
    lead = db.query(Lead).get(lead_id)
    if lead is None or lead.customer_id is None:
        raise HTTPException(400, "lead has no customer yet")
    booking = legacy.Booking(customer_id=lead.customer_id, event_date=event_date, guest_count=guests)
    db.add(booking)
    lead.mark(LeadStatus.BOOKED)
    db.commit()
    return booking.to_dict()
