"""Alembic environment: autogenerate compares against every mapped table."""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.core.config import settings
from app.db.base import Base

# Import all models so they are registered on Base.metadata
from app.models import (  # noqa: F401
    Booking,
    Chef,
    Customer,
    Lead,  # new CRM table ("leads")
    Organization,
    PricingAddon,
    PricingTier,
    Tag,
    User,
    # FeatureFlag,  # TODO: add once app/models/feature_flag.py exists
)

# Legacy tables still written by the webhook worker
import models.booking, models.customer  # noqa: E401,F401
import models.lead  # noqa: F401  (crm_leads)
from models.campaign import Campaign  # noqa: F401

config = context.config
config.set_main_option("sqlalchemy.url", settings.DATABASE_URL)
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
