"""SE-QPT Flask application factory."""
import logging
import os

from flask import Flask
from werkzeug.utils import import_string

from models import db

logger = logging.getLogger(__name__)

# Blueprints are registered by dotted path so that importing the package does
# not pull in every route module (and the model files) too early.
BLUEPRINTS = (
    'app.routes:main_bp',
    'app.api:api_bp',
    'app.mvp_routes:mvp_bp',
    'app.admin:admin_bp',
    'app.seqpt_routes:seqpt_bp',
    'app.questionnaire_api:questionnaire_bp',
    'app.module_api:module_bp',
)


class Config:
    SECRET_KEY = os.environ.get('SECRET_KEY', 'dev-secret-change-me')
    SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL', 'sqlite://')
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    JSON_SORT_KEYS = False


def create_app(config_name=None):
    app = Flask(__name__)
    app.config.from_object(Config)
    if config_name == 'testing':
        app.config['TESTING'] = True

    db.init_app(app)

    from . import database
    database.init_db(app)

    for dotted in BLUEPRINTS:
        app.register_blueprint(import_string(dotted))
    logger.info("registered %d blueprints", len(BLUEPRINTS))
    return app
