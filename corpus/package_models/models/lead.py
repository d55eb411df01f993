"""Lead (legacy CRM table)."""
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app.db.base import Base
from models.enums.lead_enums import LeadSource, LeadStatus


class Lead(Base):
    __tablename__ = "crm_leads"

    id = Column(Integer, primary_key=True)
    source = Column(String(30), nullable=False, default=LeadSource.WEBSITE.value)
    status = Column(String(30), nullable=False, default=LeadStatus.NEW.value)
    contact_name = Column(String(200))
    contact_email = Column(String(255))
    phone = Column(String(20))
    notes = Column(Text)
    customer_id = Column(Integer, ForeignKey("customers.id"))
    created_at = Column(DateTime, default=datetime.utcnow)

    customer = relationship("Customer")

    def mark(self, status):
        self.status = LeadStatus(status).value

    def __repr__(self):
        return "<Lead %s %s>" % (self.id, self.status)
