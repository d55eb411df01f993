"""Wires the site together: every model module, the services, one engine."""
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import pkg.blog.models  # noqa: F401
import pkg.shop.models  # noqa: F401
from pkg.db import Base
from pkg.services import posting  # noqa: F401
from pkg.user.models import User


def make_session(url="sqlite://"):
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return Session(engine)


def admin(session):
    return session.query(User).filter_by(is_admin=True).first()
