"""Half-finished migration: add maturity columns to organization.

Run with: python scripts/broken_migration.py
"""
import os
import sys

import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from models import db, Assessment
from unified_models import Organization


def upgrade(engine):
    with engine.begin() as conn:
        conn.execute(sa.text(
            "ALTER TABLE organization ADD COLUMN maturity_score FLOAT"
        )
        conn.execute(sa.text("UPDATE organization SET maturity_score = 0"))
    print("migrated", Organization.__tablename__, Assessment.__tablename__)


if __name__ == '__main__':
    upgrade(sa.create_engine(os.environ['DATABASE_URL']))
