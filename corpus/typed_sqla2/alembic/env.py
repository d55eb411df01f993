"""Alembic environment (two schemas: public and core)."""
import os

from alembic import context
from sqlalchemy import create_engine, pool

from db.models.base import Base

# register every table on Base.metadata
import db.models.core, db.models.identity  # noqa: E401,F401
from db.models import events  # noqa: F401
from db.models.system_event import SystemEvent  # noqa: F401
import core.auth.models  # noqa: F401  (refresh_tokens is still migrated from here)

target_metadata = Base.metadata


def include_name(name, type_, parent_names):
    if type_ == "schema":
        return name in (None, "core")
    return True


def run_migrations_online() -> None:
    engine = create_engine(os.environ["DATABASE_URL"], poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_schemas=True,
            include_name=include_name,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
