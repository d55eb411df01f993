"""Booking schemas. ``Booking`` here is the API shape, not the table."""
from datetime import date, datetime, time
from typing import List, Optional

from pydantic import BaseModel, ConfigDict, Field

from app.models.enums import BookingStatus


class BookingBase(BaseModel):
    event_date: date
    event_time: Optional[time] = None
    guest_count: int = Field(gt=0, le=200)
    address: str = Field(min_length=5, max_length=300)
    notes: Optional[str] = None


class BookingCreate(BookingBase):
    customer_id: int
    tags: List[str] = []


class BookingUpdate(BaseModel):
    event_date: Optional[date] = None
    guest_count: Optional[int] = Field(default=None, gt=0, le=200)
    status: Optional[BookingStatus] = None
    chef_id: Optional[int] = None


class Booking(BookingBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    customer_id: int
    chef_id: Optional[int] = None
    status: BookingStatus
    total_cents: int
    deposit_cents: int
    created_at: datetime
