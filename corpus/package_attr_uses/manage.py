"""Maintenance commands: `python manage.py create-db`."""
import importlib
import sys

from app import create_app
from app.extensions import db


def create_db():
    app = create_app()
    with app.app_context():
        # every model module must be loaded before create_all()
        importlib.import_module("app.modules.accounts.models")
        db.create_all()


if __name__ == "__main__" and sys.argv[1:] == ["create-db"]:
    create_db()
