"""A small blog: users, their profiles, posts and comments (Flask + Flask-SQLAlchemy)."""
from flask import Flask

from app.extensions import db


def create_app(config=None):
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    app.config.update(config or {})
    db.init_app(app)
    return app
