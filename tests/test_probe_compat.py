"""The probe runs in the project's interpreter: Python 3.8 on, SQLAlchemy 1.3, 1.4 and
2.x, Flask-SQLAlchemy 2.x and 3.x, each tested with a real install in its own venv.

The venvs are made once and kept under ``$UNIFY_TEST_VENVS`` (default
``~/.cache/unify-test-venvs``); where one cannot be installed (no network) its
tests are skipped with pip's reason.  Python 3.8 is used where this machine has
it (pyenv, PATH), else this interpreter; the source is checked for 3.8 syntax
either way.
"""

from __future__ import annotations

import ast
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from unify.runtime import PROBE, run_probe

ENVIRONMENTS = {
    "sqla13-fsa2": ["SQLAlchemy>=1.3,<1.4", "Flask-SQLAlchemy>=2.5,<3", "Flask<2.3"],
    "sqla14-fsa2": ["SQLAlchemy>=1.4,<2", "Flask-SQLAlchemy>=2.5,<3", "Flask<2.3"],
    "sqla20-fsa3": ["SQLAlchemy>=2,<2.1", "Flask-SQLAlchemy>=3.1"],
}

FLASK_PROJECT = {
    "models.py": """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()

        class User(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
            email = db.Column(db.String(120), unique=True, nullable=False)
            orders = db.relationship("Order", back_populates="user")

        class Order(db.Model):
            __tablename__ = "orders"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
            user = db.relationship("User", back_populates="orders")
    """,
}

BROKEN_PROJECT = {  # seed 002's shape: several errors, every one reported
    "broken.py": """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.ext.declarative import declarative_base
        from sqlalchemy.orm import relationship
        Base = declarative_base()

        class Team(Base):
            __tablename__ = "teams"
            id = Column(Integer, primary_key=True)
            name = Column(String(20))
            players = relationship("Player")

        class Player(Base):
            __tablename__ = "players"
            id = Column(Integer, primary_key=True)
            org_id = Column(Integer, ForeignKey("orgs.id"))

        class Coach(Base):
            __tablename__ = "coaches"
            id = Column(Integer, primary_key=True)
            team = relationship("Missing")
    """,
}


def test_probe_source_is_python_38_syntax():
    ast.parse(PROBE.read_text(encoding="utf-8"), filename=str(PROBE), feature_version=(3, 8))


def _python38() -> str:
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python3.8")))
    return found[-1] if found else (shutil.which("python3.8") or sys.executable)


@pytest.fixture(scope="session", params=sorted(ENVIRONMENTS))
def interpreter(request) -> tuple[str, str]:
    """(name, python) of a venv with that SQLAlchemy / Flask-SQLAlchemy installed."""
    name, base = request.param, _python38()
    specs = ENVIRONMENTS[name]
    key = hashlib.sha256(" ".join([base, *specs]).encode()).hexdigest()[:10]
    home = Path(os.environ.get("UNIFY_TEST_VENVS") or Path.home() / ".cache/unify-test-venvs")
    venv = home / f"{name}-{key}"
    python = venv / "bin" / "python"
    if not (venv / ".ready").is_file():
        shutil.rmtree(venv, ignore_errors=True)
        made = subprocess.run([base, "-m", "venv", str(venv)], capture_output=True, text=True)
        proc = made if made.returncode else subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *specs], capture_output=True, text=True)
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines() or ["?"]
            shutil.rmtree(venv, ignore_errors=True)
            pytest.skip(f"cannot install {' '.join(specs)} for {base}: {lines[-1]}")
        (venv / ".ready").write_text("ok\n")
    return name, str(python)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def test_flask_sqlalchemy_project_passes(interpreter, tmp_path):
    name, python = interpreter
    result = run_probe(write(tmp_path, FLASK_PROJECT), ["models"], python)
    assert result.ok, (name, result.message, result.stderr)
    assert result.mappers == ("Order (orders)", "User (users)")
    assert sorted(result.schema) == ["orders", "users"]
    assert result.schema["orders"]["foreign_keys"] == [["user_id", "users.id"]]
    assert result.schema["users"]["columns"]["email"]["nullable"] is False


def test_every_error_is_reported_with_its_model(interpreter, tmp_path):
    name, python = interpreter
    result = run_probe(write(tmp_path, BROKEN_PROJECT), ["broken"], python)
    assert not result.ok and result.models_broken, (name, result.message, result.stderr)
    found = {(e["model"], e["property"]) for e in result.errors}
    assert ("Team", "Team.players") in found, (name, result.errors)
    assert ("Coach", "Coach.team") in found, (name, result.errors)
    assert any(e["type"] == "NoReferencedTableError" and e["model"] == "Player"
               for e in result.errors), (name, result.errors)
    assert {e["location"] for e in result.errors if e["model"] == "Coach"} == {"broken.py:17"}


def test_the_interpreter_is_the_one_asked_for(interpreter, tmp_path):
    _, python = interpreter
    write(tmp_path, {"models.py": "import sys\nprint(sys.version_info[:2])\n"
                     "from sqlalchemy import MetaData\nmetadata = MetaData()\n"})
    result = run_probe(tmp_path, ["models"], python)
    assert result.ok, result.message
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    assert version in result.stderr  # the project's print went to stderr, from that python
