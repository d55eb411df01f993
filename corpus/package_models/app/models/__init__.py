"""SQLAlchemy models.

Every model is re-exported here so that ``from app.models import Booking``
works and so that importing the package registers all tables on
``Base.metadata`` (Alembic relies on this).
"""
from app.db.base import Base

from .enums import BookingStatus, LeadSource, LeadStatus
from .organization import Organization
from .user import User
from .customer import Customer
from .chef import Chef
from .tag import Tag, booking_tags
from .booking import Booking
from .pricing import (  # add-ons were split out of PricingTier in 2.2
    PricingAddon,
    PricingTier,
)
from .lead import Lead

# from .feature_flag import FeatureFlag  # TODO: model not written yet

__all__ = [
    "Base",
    "BookingStatus",
    "LeadSource",
    "LeadStatus",
    "Organization",
    "User",
    "Customer",
    "Chef",
    "Tag",
    "booking_tags",
    "Booking",
    "PricingTier",
    "PricingAddon",
    "Lead",
]
