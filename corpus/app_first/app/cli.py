"""`flask --app app.app seed`: load demo data."""
import importlib

from app.app import app
from app.extensions import db


@app.cli.command("seed")
def seed():
    users = importlib.import_module("app.user.models")
    talks = importlib.import_module("app.talks.models")
    db.create_all()
    speaker = users.User(email="demo@example.com", name="Demo")
    db.session.add(talks.Talk(title="Hello", speaker=speaker))
    db.session.commit()
