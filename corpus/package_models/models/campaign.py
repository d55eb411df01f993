"""Marketing campaigns (only exists in the legacy tree so far)."""
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Integer, String

from app.db.base import Base


class Campaign(Base):
    __tablename__ = "campaigns"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    channel = Column(String(20), nullable=False)  # email | sms | instagram
    starts_at = Column(DateTime, default=datetime.utcnow)
    ends_at = Column(DateTime)
    budget_cents = Column(Integer, default=0)
    is_active = Column(Boolean, default=True)

    def is_running(self, now=None):
        now = now or datetime.utcnow()
        return self.is_active and self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    def __repr__(self):
        return "<Campaign %s>" % self.name
