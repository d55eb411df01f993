"""Per-guest pricing tiers and optional add-ons."""
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.db.base import Base


class PricingTier(Base):
    __tablename__ = "pricing_tiers"

    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False, unique=True)
    min_guests = Column(Integer, nullable=False, default=1)
    max_guests = Column(Integer)
    price_per_guest_cents = Column(Integer, nullable=False)
    is_active = Column(Boolean, nullable=False, default=True)

    bookings = relationship("Booking", back_populates="pricing_tier")

    def applies_to(self, guests: int) -> bool:
        if guests < self.min_guests:
            return False
        return self.max_guests is None or guests <= self.max_guests

    def quote_cents(self, guests: int) -> int:
        return guests * self.price_per_guest_cents

    def __repr__(self) -> str:
        return f"<PricingTier {self.name!r} {self.price_per_guest_cents}c/guest>"


class PricingAddon(Base):
    __tablename__ = "pricing_addons"

    id = Column(Integer, primary_key=True)
    tier_id = Column(Integer, ForeignKey("pricing_tiers.id", ondelete="CASCADE"), nullable=False)
    name = Column(String(80), nullable=False)
    price_cents = Column(Integer, nullable=False)
    per_guest = Column(Boolean, nullable=False, default=False)

    tier = relationship("PricingTier")

    def cost_cents(self, guests: int) -> int:
        return self.price_cents * guests if self.per_guest else self.price_cents

    def __repr__(self) -> str:
        return f"<PricingAddon {self.name!r}>"
