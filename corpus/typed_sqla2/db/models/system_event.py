"""System events: analytics, auditing and debugging trail.

Lives in the ``core`` schema (``core.system_events``).
"""
import datetime as dt
from typing import Any, Optional

from sqlalchemy import DateTime, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

SEVERITIES = ("debug", "info", "warning", "error", "critical")


class SystemEvent(Base):
    __tablename__ = "system_events"
    __table_args__ = (
        Index("ix_system_events_entity", "entity_type", "entity_id", "occurred_at"),
        Index("ix_system_events_user", "user_id", "occurred_at"),
        Index("ix_system_events_service_action", "service", "action", "occurred_at"),
        Index("ix_system_events_severity", "severity", "occurred_at"),
        {"schema": "core"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[Optional[str]] = mapped_column(String(50))
    entity_id: Mapped[Optional[int]]
    user_id: Mapped[Optional[int]]
    severity: Mapped[str] = mapped_column(String(20), default="info")
    event_data: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    occurred_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("timezone('utc', now())")
    )

    @classmethod
    def make(cls, service: str, action: str, severity: str = "info", **data: Any) -> "SystemEvent":
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        return cls(service=service, action=action, severity=severity, event_data=data)

    def __repr__(self) -> str:
        return f"<SystemEvent {self.service}.{self.action} {self.severity}>"
