"""Quotes: pricing tier + add-ons for a party size."""
import importlib
from typing import Iterable, Optional

from app.models.pricing import PricingAddon, PricingTier


def pick_tier(tiers: Iterable[PricingTier], guests: int) -> Optional[PricingTier]:
    candidates = [t for t in tiers if t.is_active and t.applies_to(guests)]
    return max(candidates, key=lambda t: t.min_guests, default=None)


def quote_cents(tier: PricingTier, guests: int, addons: Iterable[PricingAddon] = ()) -> int:
    return tier.quote_cents(guests) + sum(a.cost_cents(guests) for a in addons)


def reprice_open_bookings(db, tier: PricingTier) -> int:
    """Re-quote every pending booking after a tier price change."""
    # Loaded at call time: the pricing worker imports this module before the
    # booking mappers can be configured.
    Booking = importlib.import_module("app.models.booking").Booking
    count = 0
    for booking in db.query(Booking).filter(Booking.status == "pending"):
        if tier.applies_to(booking.guest_count):
            booking.total_cents = tier.quote_cents(booking.guest_count)
            count += 1
    return count
