from flask import Flask

from models import db
import board_models  # noqa: F401  (registers the board tables)


def create_app(url="sqlite://"):
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
    db.init_app(app)
    return app
