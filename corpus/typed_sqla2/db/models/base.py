"""Declarative base, shared mixins and the abstract audit base."""
import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import DateTime, MetaData, Numeric, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Single declarative base for every table (public and ``core`` schema)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSONB,
        Decimal: Numeric(10, 2),
        str: String(255),
    }

    def __repr__(self) -> str:
        pk = ", ".join(f"{c.key}={getattr(self, c.key, None)!r}" for c in self.__mapper__.primary_key)
        return f"<{type(self).__name__} {pk}>"


class TimestampMixin:
    """``created_at`` / ``updated_at`` columns; not mapped on its own."""

    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), nullable=False)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(onupdate=func.now())


class AuditBase(Base):
    """Abstract base for tables that record who last changed a row."""

    __abstract__ = True

    updated_by_id: Mapped[Optional[int]] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    def bump(self, user_id: Optional[int]) -> None:
        self.version += 1
        self.updated_by_id = user_id
