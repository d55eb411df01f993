"""Core booking domain: customers, chefs, bookings, pricing tiers."""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Any, List, Optional

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import AuditBase, Base, TimestampMixin

if TYPE_CHECKING:
    from db.models.identity import Station


class BookingStatus(str, enum.Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stations.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(unique=True)
    phone: Mapped[Optional[str]] = mapped_column(String(32))

    station: Mapped[Optional[Station]] = relationship()
    bookings: Mapped[List[Booking]] = relationship(back_populates="customer")


class Chef(TimestampMixin, Base):
    __tablename__ = "chefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    rating: Mapped[Optional[Decimal]]
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    # Relationships
    bookings: Mapped[List["Booking"]] = relationship("Booking", back_populates="chef")

    def upcoming(self, today: dt.date) -> List[Booking]:
        return sorted(
            (b for b in self.bookings if b.event_date >= today and b.status != BookingStatus.CANCELLED),
            key=lambda b: b.event_date,
        )


class Booking(TimestampMixin, AuditBase):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_station_date", "station_id", "event_date"),
        Index("ix_bookings_chef_date", "chef_id", "event_date"),
        CheckConstraint("guest_count > 0", name="guest_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    chef_id: Mapped[Optional[int]] = mapped_column(ForeignKey("chefs.id"))
    event_date: Mapped[dt.date]
    guest_count: Mapped[int]
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, name="booking_status"),
        default=BookingStatus.PENDING,
        server_default=text("'PENDING'"),
    )
    total: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    special_requests: Mapped[Optional[str]] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))

    customer: Mapped[Customer] = relationship(back_populates="bookings")
    chef: Mapped[Optional[Chef]] = relationship(back_populates="bookings")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "event_date": self.event_date.isoformat(),
            "guest_count": self.guest_count,
            "status": self.status.value,
            "chef_id": self.chef_id,
            "total": str(self.total),
        }


class PricingTier(Base):
    __tablename__ = "pricing_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    min_guests: Mapped[int] = mapped_column(default=1)
    max_guests: Mapped[Optional[int]]
    price_per_guest: Mapped[Decimal]
    is_active: Mapped[bool] = mapped_column(default=True)

    # Relationships
    # NOTE: removed - bookings has no pricing_tier_id column
    # bookings: Mapped[List["Booking"]] = relationship(back_populates="pricing_tier")

    def quote(self, guests: int) -> Decimal:
        return self.price_per_guest * guests
