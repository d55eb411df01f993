"""Lead pipeline rules."""
from datetime import date
from typing import Optional

from app.models import Lead, LeadSource, LeadStatus

# Sources we auto-assign to the on-call sales person
AUTO_ASSIGN = {LeadSource.WEBSITE, LeadSource.INSTAGRAM}


def normalize_phone(phone: Optional[str]) -> Optional[str]:
    if not phone:
        return None
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"+1{digits[-10:]}" if len(digits) >= 10 else None


def score(lead: Lead, today: Optional[date] = None) -> int:
    """Rough priority: bigger and sooner parties first."""
    today = today or date.today()
    points = min(lead.guest_estimate or 0, 50)
    if lead.event_date is not None:
        days = (lead.event_date - today).days
        if 0 <= days <= 30:
            points += 30 - days
    if lead.source == LeadSource.REFERRAL:
        points += 10
    return points


def close(lead: Lead, won: bool) -> None:
    lead.status = LeadStatus.WON if won else LeadStatus.LOST
