"""Small helpers shared by the blueprints."""
import logging

from flask import jsonify

from models import db

logger = logging.getLogger(__name__)


def commit_or_rollback():
    """Commit the session; roll back and log on failure."""
    try:
        db.session.commit()
        return True
    except Exception:  # noqa: BLE001 - we really want to roll back on anything
        logger.exception("commit failed, rolling back")
        db.session.rollback()
        return False


def json_error(message, status=400):
    return jsonify({'error': message}), status
