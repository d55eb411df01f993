"""Alembic-style environment: every model module is imported so the metadata is complete."""
from app.db import Base
import app.accounts.models  # noqa: F401
import app.billing.models  # noqa: F401

target_metadata = Base.metadata


def table_names():
    return sorted(target_metadata.tables)
