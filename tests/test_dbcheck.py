"""`unify check --database`: U401..U411 against a live schema, and bad input.

The rule tests run twice through the ``database`` fixture: on SQLite and on a
real PostgreSQL (tests/pg.py), whose inspectors report constraints, defaults
and indexes differently.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from unify.dbcheck import model_server_default, normalise_sql, type_code

DRIFTED_MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Team(db.Model):
    __tablename__ = "team"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(100), nullable=False)
    code = db.Column(db.String(10), unique=True)
    motto = db.Column(db.Text)
    active = db.Column(db.Boolean, server_default=db.text("true"))


class Player(db.Model):
    __tablename__ = "player"
    __table_args__ = (db.CheckConstraint("rating >= 0", name="rating_positive"),)
    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.Integer, db.ForeignKey("team.id"))
    coach_id = db.Column(db.Integer)
    email = db.Column(db.String(255), nullable=False)
    rating = db.Column(db.Integer, index=True)


class Ghost(db.Model):
    __tablename__ = "ghost"
    id = db.Column(db.Integer, primary_key=True)
"""

DRIFTED_SCHEMA = """
CREATE TABLE league (id SERIAL PRIMARY KEY, name VARCHAR(50));
CREATE TABLE team (
    id SERIAL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    code VARCHAR(10),
    active BOOLEAN DEFAULT FALSE,
    budget NUMERIC(10, 2)
);
CREATE TABLE player (
    id SERIAL PRIMARY KEY,
    team_id INTEGER REFERENCES league(id),
    coach_id INTEGER REFERENCES team(id),
    email VARCHAR(255) UNIQUE,
    rating INTEGER DEFAULT 0,
    CONSTRAINT rating_max CHECK (rating <= 100)
);
CREATE INDEX ix_player_team ON player (team_id);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
"""

EVERY_CODE = [
    "U401 models.py league",                # a table no model maps
    "U402 models.py Ghost",                 # a model whose table is missing
    "U403 models.py Team.budget",           # a column only the database has
    "U404 models.py Team.motto",            # a column only the model has
    "U405 models.py Team.name",             # String(100) vs VARCHAR(255)
    "U406 models.py Player.email",          # NOT NULL in the model only
    "U407 models.py Player.rating",         # DEFAULT 0 the model does not know
    "U407 models.py Team.active",           # server_default true vs DEFAULT false
    "U408 models.py Player(email)",         # UNIQUE in the database only
    "U408 models.py Team(code)",            # unique=True in the model only
    "U409 models.py Player.coach_id",       # FK in the database only
    "U409 models.py Player.team_id",        # FK to team.id vs league.id
    "U410 models.py Player:rating_max",     # CHECK in the database only
    "U410 models.py Player:rating_positive",  # CHECK in the model only
    "U411 models.py Player(rating)",        # index=True, no index in the database
    "U411 models.py Player(team_id)",       # an index only the database has
]


def found(result) -> list[str]:
    return sorted(f"{d['code']} {d['path']} {d['subject']}" for d in result.json()["diagnostics"])


def test_every_database_code(make_repo, run, database):
    repo = make_repo({"models.py": DRIFTED_MODELS})
    database.load(DRIFTED_SCHEMA)
    result = run("check", "--repo", str(repo), "--database", database.url, "--json")
    assert result.code == 1, result.err
    assert found(result) == EVERY_CODE
    by_subject = {d["subject"]: d for d in result.json()["diagnostics"]}
    assert "VARCHAR" not in by_subject["Team.name"]["message"]  # generic types: String(255)
    assert "String(100) in the model but String(255)" in by_subject["Team.name"]["message"]
    assert "league.id" in by_subject["Player.team_id"]["message"]
    assert by_subject["league"]["severity"] == "error"


MATCHING_MODELS = """
import datetime as dt
from decimal import Decimal
from typing import List, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy import UniqueConstraint, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Station(Base):
    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[Optional[str]] = mapped_column(String(80), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    bookings: Mapped[List["Booking"]] = relationship(back_populates="station")


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("station_id", "slot"),
        CheckConstraint("guests > 0", name="guests_positive"),
        Index("ix_bookings_station_slot", "station_id", "slot"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    slot: Mapped[int]
    guests: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    note: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    station: Mapped["Station"] = relationship(back_populates="bookings")
"""


def create_all(folder, module: str, url: str) -> None:
    """SQLAlchemy's own DDL for the models, on the live database (in a subprocess)."""
    script = ("import sqlalchemy, importlib, sys; sys.path.insert(0, '.');"
              f"m = importlib.import_module({module!r});"
              f"m.Base.metadata.create_all(sqlalchemy.create_engine({url!r}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def test_no_finding_when_the_database_was_made_from_the_models(make_repo, run, database):
    """No false positives: create_all's schema, on either database, matches its models."""
    repo = make_repo({"models.py": MATCHING_MODELS})
    create_all(repo, "models", database.app_url)
    result = run("check", "--repo", str(repo), "--database", database.url)
    assert result.code == 0, result.out
    assert "All checks passed" in result.out


def test_select_and_json_keep_the_password_out(make_repo, run, database):
    repo = make_repo({"models.py": DRIFTED_MODELS})
    database.load(DRIFTED_SCHEMA)
    result = run("check", "--repo", str(repo), "--database", database.url, "--json",
                 "--select", "U401,U402")
    assert found(result) == ["U401 models.py league", "U402 models.py Ghost"]
    assert result.json()["database"].startswith(f"{database.kind}://")
    text = run("check", "--repo", str(repo), "--database", database.url)
    for output in (result.out + result.err, text.out + text.err):
        assert database.password is None or database.password not in output


def test_url_from_the_environment(make_repo, run, database, monkeypatch):
    """--database env:NAME: the same findings, and no password on the command line."""
    repo = make_repo({"models.py": DRIFTED_MODELS})
    database.load(DRIFTED_SCHEMA)
    direct = run("check", "--repo", str(repo), "--database", database.url, "--json")
    monkeypatch.setenv("UNIFY_TEST_DB", database.url)
    from_env = run("check", "--repo", str(repo), "--database", "env:UNIFY_TEST_DB", "--json")
    assert from_env.code == direct.code == 1
    assert found(from_env) == found(direct) and "U401 models.py league" in found(direct)
    missing = run("check", "--repo", str(repo), "--database", "env:UNIFY_NO_SUCH_VAR")
    assert missing.code == 2
    assert "environment variable UNIFY_NO_SUCH_VAR is not set or empty" in missing.err


@pytest.mark.parametrize("url, message", [
    ("mysql://admin:hunter2-secret@db.example.com/shop",
     "unify: error: unsupported database dialect 'mysql' in --database "
     "mysql://admin:***@db.example.com/shop"),
    ("hunter2-secret not a url", "unify: error: --database is not a database URL"),
    ("sqlite://", "unify: error: the sqlite URL in --database names no database file"),
    ("sqlite:///{tmp}/missing.db", "unify: error: {tmp}/missing.db: no such SQLite database file"),
    ("sqlite:///{tmp}/notes.txt",
     "unify: error: cannot read the database sqlite:///{tmp}/notes.txt: file is not a database"),
])
def test_bad_database_input_is_one_line_exit_2(make_repo, run, tmp_path, url, message):
    repo = make_repo({"models.py": DRIFTED_MODELS})
    (tmp_path / "notes.txt").write_text("not a database, just text\n" * 200)
    url, message = url.format(tmp=tmp_path), message.format(tmp=tmp_path)
    for command in ("check", "plan"):
        result = run(command, "--repo", str(repo), "--database", url)
        assert result.code == 2, result.out + result.err
        assert result.out == "" and result.err.count("\n") == 1, result.err
        assert result.err.startswith(message), result.err
        assert "hunter2-secret" not in result.err
    assert not (tmp_path / "missing.db").exists()  # nothing is created or written
    assert not (repo / "plans").exists()


def test_without_sqlalchemy_the_core_still_works_and_database_says_what_to_install(make_repo):
    """unify's core never imports SQLAlchemy; --database explains how to get it."""
    repo = make_repo({"models.py": DRIFTED_MODELS})
    blocker = ("import sys\n"
               "class Block:\n"
               "    def find_spec(self, name, *args):\n"
               "        if name.split('.')[0] == 'sqlalchemy':\n"
               "            raise ImportError('blocked for the test')\n"
               "sys.meta_path.insert(0, Block())\n"
               "from unify.cli import main\n"
               "sys.exit(main(sys.argv[1:]))\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    plain = subprocess.run([sys.executable, "-c", blocker, "check", "--repo", str(repo)],
                           capture_output=True, text=True, env=env)
    assert plain.returncode == 0, plain.stderr
    with_db = subprocess.run([sys.executable, "-c", blocker, "check", "--repo", str(repo),
                              "--database", "sqlite:///x.db"], capture_output=True, text=True,
                             env=env)
    assert with_db.returncode == 2
    assert with_db.stderr == ("unify: error: --database needs SQLAlchemy, which is not "
                              "installed (pip install 'unify-models[db]')\n")


@pytest.mark.parametrize("sql, same", [
    ("'draft'::character varying", "draft"),
    ("now()", "CURRENT_TIMESTAMP"),
    ("('{}'::jsonb)", "'{}'"),
    ("'1'::integer", "1"),
    ("false", "0"),
])
def test_defaults_compare_across_dialects(sql, same):
    assert normalise_sql(sql) == normalise_sql(same)


@pytest.mark.parametrize("source, sql", [
    ('db.text("CURRENT_TIMESTAMP")', "current_timestamp"),
    ("sa.func.now()", "current_timestamp"),
    ('"pending"', "pending"),
    ("text('false')", "false"),
    ("some_function()", None),
])
def test_model_server_defaults(source, sql):
    assert model_server_default(source) == sql


def test_type_code_is_the_generic_type():
    from sqlalchemy import types
    from sqlalchemy.dialects import postgresql

    assert type_code(types.VARCHAR(255)) == "String(255)"
    assert type_code(postgresql.TIMESTAMP(timezone=True)) == "DateTime(timezone=True)"
    assert type_code(types.NUMERIC(10, 2)) == "Numeric(10, 2)"
    assert type_code(postgresql.JSONB()) == "JSON"
    assert type_code(postgresql.ARRAY(types.INTEGER())) == "ARRAY(Integer)"
    assert type_code(types.NullType()) == ""


def test_codes_are_documented():
    from conftest import ROOT
    from unify.diagnostics import CODES

    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    for code, (name, _) in CODES.items():
        if code.startswith("U4"):
            assert f"| {code} | {name} |" in doc, code
