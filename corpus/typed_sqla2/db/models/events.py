"""Reservation holds and outbound notifications."""
import datetime as dt
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import AuditBase, Base

if TYPE_CHECKING:
    from db.models.core import Booking


class ReservationHold(AuditBase):
    """A short-lived hold on a chef/date while the customer pays the deposit."""

    __tablename__ = "reservation_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    expires_at: Mapped[dt.datetime]
    released: Mapped[bool] = mapped_column(default=False)
    # uuid of the user in the old auth service
    created_by: Mapped[Optional[str]] = mapped_column(String(36), ForeignKey("users.id"))
    source_event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("core.system_events.id"))

    booking: Mapped["Booking"] = relationship()

    def is_active(self, now: dt.datetime) -> bool:
        return not self.released and now < self.expires_at


class Notification(Base):
    """Outbound message; the channel-specific subclasses share this table."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    booking_id: Mapped[Optional[int]] = mapped_column(ForeignKey("bookings.id"))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[Optional[dt.datetime]]

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "generic"}

    def mark_sent(self, when: dt.datetime) -> None:
        self.sent_at = when


class EmailNotification(Notification):
    __mapper_args__ = {"polymorphic_identity": "email"}

    to_address: Mapped[Optional[str]] = mapped_column(String(255))
    subject: Mapped[Optional[str]] = mapped_column(String(200))


class SmsNotification(Notification):
    __mapper_args__ = {"polymorphic_identity": "sms"}

    phone_number: Mapped[Optional[str]] = mapped_column(String(32))
