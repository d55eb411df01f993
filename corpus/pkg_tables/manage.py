"""python manage.py init: create the tables."""
import sys

from pkg.db import Base, engine
import pkg.catalog.models  # noqa: F401  (registers the tables)
import pkg.orders.models  # noqa: F401
import pkg.users.models  # noqa: F401

if __name__ == "__main__" and sys.argv[1:] == ["init"]:
    Base.metadata.create_all(engine)
