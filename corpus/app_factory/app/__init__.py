"""Shop backend: the Flask application factory and the shared database handle.

Everything imports ``db`` from here (``from app import db``); the models live in
the ``*_models.py`` modules beside this file.
"""
import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

DEFAULT_CONFIG = {
    "SQLALCHEMY_DATABASE_URI": os.environ.get("SHOP_DATABASE_URL", "sqlite://"),
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
}


def create_app(config=None):
    """Build the app; blueprints are imported here so that models load after ``db``."""
    app = Flask(__name__)
    app.config.update(DEFAULT_CONFIG)
    app.config.update(config or {})
    db.init_app(app)

    from app.routes import shop
    from app.reports import reports

    app.register_blueprint(shop)
    app.register_blueprint(reports, url_prefix="/reports")
    return app
