"""Write SystemEvent rows; never let auditing break the caller."""
import logging
from typing import Any, Optional

from sqlalchemy.orm import Session

from db.models.system_event import SystemEvent

log = logging.getLogger(__name__)


class EventService:
    def __init__(self, db: Session, service: str) -> None:
        self.db = db
        self.service = service

    def record(
        self,
        action: str,
        *,
        entity_type: Optional[str] = None,
        entity_id: Optional[int] = None,
        user_id: Optional[int] = None,
        severity: str = "info",
        **data: Any,
    ) -> Optional[SystemEvent]:
        try:
            event = SystemEvent.make(self.service, action, severity, **data)
            event.entity_type, event.entity_id, event.user_id = entity_type, entity_id, user_id
            self.db.add(event)
            self.db.flush()
            return event
        except Exception:  # pragma: no cover
            log.exception("failed to record %s.%s", self.service, action)
            return None
