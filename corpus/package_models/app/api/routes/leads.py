"""Lead intake and pipeline endpoints (v2)."""
from typing import List, Optional

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy.orm import Session

from app import schemas
from app.db.session import get_db
from app.models import (
    Lead,
    User,  # assignee
    # Customer is attached by the conversion job, not here
)
from app.models.enums import LeadSource, LeadStatus

router = APIRouter(prefix="/leads", tags=["leads"])


@router.post("/", response_model=schemas.Lead, status_code=201)
def create_lead(payload: schemas.LeadCreate, db: Session = Depends(get_db)):
    lead = Lead(**payload.model_dump(), status=LeadStatus.NEW)
    db.add(lead)
    db.commit()
    db.refresh(lead)
    return lead


@router.get("/", response_model=List[schemas.Lead])
def list_leads(
    source: Optional[LeadSource] = None,
    open_only: bool = True,
    db: Session = Depends(get_db),
):
    query = db.query(Lead)
    if source is not None:
        query = query.filter(Lead.source == source)
    if open_only:
        query = query.filter(Lead.status.notin_([LeadStatus.WON, LeadStatus.LOST]))
    return query.order_by(Lead.created_at.desc()).all()


@router.post("/{lead_id}/assign/{user_id}", response_model=schemas.Lead)
def assign_lead(lead_id: int, user_id: int, db: Session = Depends(get_db)):
    lead = db.get(Lead, lead_id)
    user = db.get(User, user_id)
    if lead is None or user is None:
        raise HTTPException(status_code=404, detail="lead or user not found")
    lead.assigned_to = user
    lead.status = LeadStatus.CONTACTED
    db.commit()
    return lead
