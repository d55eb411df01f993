"""Inbound webhooks (website form, Instagram DMs) turned into CRM leads.

Still on the legacy CRM table; see MIGRATION.md step 4.
"""
import hashlib
import hmac
import json
import os
from typing import Optional

from models.enums.lead_enums import LeadSource
from models.lead import Lead
from app.models import Customer

WEBHOOK_SECRET = os.getenv("WEBHOOK_SECRET", "change-me").encode()


def verify_signature(body: bytes, signature: str) -> bool:
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature or "")


class WebhookService:
    def __init__(self, db):
        self.db = db

    def _match_customer(self, email: Optional[str]) -> Optional[Customer]:
        if not email:
            return None
        return self.db.query(Customer).filter(Customer.email == email.lower()).first()

    def handle_form(self, body: bytes) -> Lead:
        payload = json.loads(body)
        customer = self._match_customer(payload.get("email"))
        lead = Lead(
            source=LeadSource.WEBSITE.value,
            contact_name=payload.get("name"),
            contact_email=payload.get("email"),
            phone=payload.get("phone"),
            notes=payload.get("message"),
            customer_id=customer.id if customer else None,
        )
        self.db.add(lead)
        self.db.commit()
        return lead

    def handle_instagram(self, event: dict) -> Lead:
        lead = Lead(
            source=LeadSource.INSTAGRAM.value,
            contact_name=event.get("username"),
            notes=event.get("text"),
        )
        self.db.add(lead)
        self.db.commit()
        return lead
