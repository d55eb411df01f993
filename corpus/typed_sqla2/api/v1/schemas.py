"""Response/request schemas. These are pydantic models, not tables."""
import datetime as dt
from decimal import Decimal
from typing import List, Optional

from pydantic import BaseModel, ConfigDict, Field

from db.models.core import BookingStatus


class Booking(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_date: dt.date
    guest_count: int
    status: BookingStatus
    chef_id: Optional[int] = None
    total: Decimal


class BookingCreate(BaseModel):
    station_id: int
    customer_id: int
    event_date: dt.date
    guest_count: int = Field(gt=0, le=250)
    special_requests: Optional[str] = None


class StationUser(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    station_id: int
    role: str
    scopes: List[str] = []
