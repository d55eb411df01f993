"""Engine / session factory (lazy: the CLI tools never touch the database)."""
import os
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL = os.getenv("DATABASE_URL", "postgresql+psycopg://hibachi@localhost/hibachi")


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return create_engine(DATABASE_URL, pool_pre_ping=True)


def SessionLocal() -> Session:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)()
