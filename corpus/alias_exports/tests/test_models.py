"""Run from the project root: python -m pytest tests"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import SECompetency, SERole, User, db, level_label  # noqa: E402
from unified_models import AREAS, Competency, competency_code  # noqa: E402


def test_names():
    assert SECompetency is Competency
    assert SERole.__tablename__ == "role"
    assert User.__tablename__ == "users"
    assert level_label(9) == "6/6"
    assert competency_code("Systems thinking") == "SYSTEMS_THINKING"
    assert AREAS[0] == "Core"
    assert db.Model is User.__mro__[1]
