from flask import Flask

from models import db


def create_app(url="sqlite://"):
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
    db.init_app(app)
    import mvp_models  # noqa: F401  (registers the MVP tables; imports the rest)
    return app
