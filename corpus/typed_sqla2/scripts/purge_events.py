"""Delete debug/info system events older than N days.

Usage: python -m scripts.purge_events --days 90 [--dry-run]
"""
import argparse
import datetime as dt

from sqlalchemy import delete, func, select

from db.models.system_event import SystemEvent
from db.session import SessionLocal


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=args.days)
    where = (SystemEvent.occurred_at < cutoff, SystemEvent.severity.in_(("debug", "info")))
    db = SessionLocal()
    try:
        count = db.scalar(select(func.count()).select_from(SystemEvent).where(*where))
        print(f"{count} events older than {cutoff:%Y-%m-%d}")
        if not args.dry_run:
            db.execute(delete(SystemEvent).where(*where))
            db.commit()
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
