"""Lead enums used by the v1 API and the webhook worker."""
from enum import Enum


class LeadSource(str, Enum):
    WEBSITE = "website"
    PHONE = "phone"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    REFERRAL = "referral"


class LeadStatus(str, Enum):
    NEW = "new"
    CONTACTED = "contacted"
    BOOKED = "booked"
    DEAD = "dead"
