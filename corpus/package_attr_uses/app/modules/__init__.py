"""Feature modules; each has an init_app(app)."""


def init_app(app):
    from . import accounts

    accounts.init_app(app)
