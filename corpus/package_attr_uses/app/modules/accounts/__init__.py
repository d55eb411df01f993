"""Accounts: API tokens of the users."""


def init_app(app):
    # Imported here, not at the top, to dodge a circular import with app.user;
    # importing them also makes `accounts.models` and `accounts.views` available.
    from . import models, views

    app.register_blueprint(views.blueprint)
