"""Create tables and seed reference data for local development.

    python -m app.db.init_db
"""
from app.db.session import SessionLocal, engine
from app.models import *  # noqa: F401,F403  (registers every table on Base.metadata)

DEFAULT_TIERS = [
    ("Standard", 10, 24, 6000),
    ("Party", 25, 49, 5500),
    ("Banquet", 50, None, 5000),
]


def init_db() -> None:
    Base.metadata.create_all(bind=engine)
    db = SessionLocal()
    try:
        if db.query(PricingTier).count() == 0:
            for name, lo, hi, cents in DEFAULT_TIERS:
                db.add(PricingTier(name=name, min_guests=lo, max_guests=hi, price_per_guest_cents=cents))
        if db.query(Tag).count() == 0:
            db.add_all(Tag(name=n) for n in ("birthday", "corporate", "vegan", "wedding"))
        db.commit()
    finally:
        db.close()


if __name__ == "__main__":
    init_db()
