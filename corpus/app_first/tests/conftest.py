import pytest

from app.app import app as flask_app
from app.extensions import db


@pytest.fixture
def app():
    with flask_app.app_context():
        db.create_all()
        yield flask_app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()
