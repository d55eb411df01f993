"""Database access helpers.

``db`` is resolved lazily: importing this module must not trigger the
models -> unified_models import chain before the application exists.
"""
db = None


def init_db(app):
    """Bind the shared SQLAlchemy instance (called from create_app)."""
    global db
    from models import db
    app.extensions.setdefault('seqpt_db_ready', True)
    return db


def get_session():
    if db is None:
        raise RuntimeError("init_db() has not been called yet")
    return db.session
