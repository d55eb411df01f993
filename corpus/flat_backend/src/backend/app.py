from flask import Flask

from models import db
import unified_models  # noqa: F401  (register the tables)
import mvp_models  # noqa: F401


def create_app(url="sqlite:///backend.db"):
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)
    from routes import register
    register(app)
    return app
