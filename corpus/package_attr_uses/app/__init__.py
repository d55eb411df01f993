"""Flask application factory."""
from flask import Flask

from app.extensions import db


def create_app(config=None):
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    app.config.update(config or {})
    db.init_app(app)

    from app import modules
    from app.user import views as user_views

    modules.init_app(app)
    app.register_blueprint(user_views.blueprint)
    app.shell_context_processor(make_shell_context)
    return app


def make_shell_context():
    """Objects `flask shell` puts in scope."""
    from app import user

    return {"db": db, "User": user.models.User}
