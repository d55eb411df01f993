import pytest

from app import create_app
from app.extensions import db as _db


@pytest.fixture
def app():
    app = create_app()
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
