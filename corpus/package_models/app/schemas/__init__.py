"""Pydantic request/response schemas (NOT ORM models)."""
from .booking import Booking, BookingCreate, BookingUpdate
from .customer import Customer, CustomerCreate
from .lead import Lead, LeadCreate

__all__ = [
    "Booking",
    "BookingCreate",
    "BookingUpdate",
    "Customer",
    "CustomerCreate",
    "Lead",
    "LeadCreate",
]
