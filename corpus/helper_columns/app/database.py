# -*- coding: utf-8 -*-
"""Shortcuts for declaring models: the column and relationship helpers every model uses."""
import datetime as dt

from sqlalchemy.orm import declared_attr

from app.extensions import db

# Aliases, so the models read like plain SQLAlchemy.
Column = db.Column
relationship = db.relationship


class PkModel(db.Model):
    """Base model class with an integer primary key called ``id``."""

    __abstract__ = True
    id = Column(db.Integer, primary_key=True)

    @classmethod
    def create(cls, **kwargs):
        instance = cls(**kwargs)
        db.session.add(instance)
        db.session.commit()
        return instance


def reference_col(tablename, nullable=False, pk_name="id", **column_kwargs):
    """A foreign-key column to ``tablename.pk_name``.

    Usage::

        category_id = reference_col("category")
        category = relationship("Category", backref="categories")
    """
    return Column(
        db.ForeignKey(f"{tablename}.{pk_name}"), nullable=nullable, **column_kwargs
    )


def search_column(*fields):
    """A text column the search indexer fills from ``fields`` (see app/blog/search.py)."""
    column = Column(db.Text, nullable=True)
    column.info["search_fields"] = fields
    return column


class TimestampMixin:
    created_at = Column(db.DateTime, nullable=False, default=dt.datetime.utcnow)


class AuthoredMixin:
    """Something a user wrote."""

    @declared_attr
    def author_id(cls):
        return reference_col("users")
