"""Lead schemas."""
from datetime import date
from typing import Optional

from pydantic import BaseModel, ConfigDict

from app.models.enums import LeadSource, LeadStatus


class LeadCreate(BaseModel):
    source: LeadSource = LeadSource.WEBSITE
    name: str
    email: Optional[str] = None
    phone: Optional[str] = None
    event_date: Optional[date] = None
    guest_estimate: Optional[int] = None
    message: Optional[str] = None


class Lead(LeadCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: LeadStatus
    assigned_to_id: Optional[int] = None
