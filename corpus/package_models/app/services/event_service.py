"""Structured system events (audit trail, analytics).

Events go to the ``system_events`` table through the SystemEvent model.
"""
import logging
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy.orm import Session

from app.models.system_event import SystemEvent

if TYPE_CHECKING:
    from app.models.user import User

logger = logging.getLogger(__name__)


class EventService:
    """Records events; never raises into the caller."""

    def __init__(self, db: Session, service: str):
        self.db = db
        self.service = service

    def log(
        self,
        action: str,
        *,
        entity_type: Optional[str] = None,
        entity_id: Optional[int] = None,
        actor: Optional["User"] = None,
        severity: str = "info",
        **data: Any,
    ) -> Optional[SystemEvent]:
        event = SystemEvent(
            service=self.service,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            user_id=actor.id if actor is not None else None,
            severity=severity,
            event_data=data,
        )
        try:
            self.db.add(event)
            self.db.flush()
        except Exception:  # pragma: no cover - logging must not break requests
            logger.exception("could not record %s.%s", self.service, action)
            return None
        return event
