"""Declarative base shared by every ORM model.

Both the new ``app.models`` package and the pre-migration ``models/`` tree
register on this one Base, so Alembic sees a single MetaData.
"""
from sqlalchemy.orm import declarative_base

Base = declarative_base()
