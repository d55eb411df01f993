"""The declarative base and the session factory."""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

Base = declarative_base()

engine = create_engine(os.environ.get("PKG_DATABASE_URL", "sqlite://"))
Session = sessionmaker(bind=engine)
