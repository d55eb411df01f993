"""Enumerations shared by models and API schemas."""
import enum


class BookingStatus(str, enum.Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class LeadSource(str, enum.Enum):
    WEBSITE = "website"
    PHONE = "phone"
    INSTAGRAM = "instagram"
    REFERRAL = "referral"
    YELP = "yelp"


class LeadStatus(str, enum.Enum):
    NEW = "new"
    CONTACTED = "contacted"
    QUOTED = "quoted"
    WON = "won"
    LOST = "lost"
