"""Alembic environment: DATABASE_URL, else alembic.ini's sqlalchemy.url."""
import os

from alembic import context
from sqlalchemy import create_engine, pool

config = context.config

from app.models import Base  # noqa: E402

target_metadata = Base.metadata


def _url():
    return os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
