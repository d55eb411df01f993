import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src", "backend"))

from app import create_app  # noqa: E402
from models import db  # noqa: E402


@pytest.fixture
def app():
    app = create_app("sqlite://")
    with app.app_context():
        db.create_all()
        yield app
