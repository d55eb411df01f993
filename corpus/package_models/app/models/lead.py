"""Sales leads from the website form, phone and social channels."""
from sqlalchemy import Column, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app.db.base import Base

from .enums import LeadSource, LeadStatus
from .mixins import TimestampMixin


class Lead(TimestampMixin, Base):
    __tablename__ = "leads"

    id = Column(Integer, primary_key=True, index=True)
    source = Column(Enum(LeadSource, name="lead_source"), nullable=False)
    status = Column(Enum(LeadStatus, name="lead_status"), nullable=False, default=LeadStatus.NEW)
    name = Column(String(200), nullable=False)
    email = Column(String(255), index=True)
    phone = Column(String(32))
    event_date = Column(Date)
    guest_estimate = Column(Integer)
    message = Column(Text)
    assigned_to_id = Column(Integer, ForeignKey("users.id"), nullable=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True)

    assigned_to = relationship("User")
    customer = relationship("Customer")

    @property
    def is_open(self) -> bool:
        return self.status not in (LeadStatus.WON, LeadStatus.LOST)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source.value,
            "status": self.status.value,
            "name": self.name,
            "email": self.email,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "assigned_to_id": self.assigned_to_id,
        }

    def __repr__(self) -> str:
        return f"<Lead id={self.id} {self.status} via {self.source}>"
