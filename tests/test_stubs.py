"""`unify plan --database`: generated models and columns, in the project's style.

The Flask-SQLAlchemy side is seed 000 (tests/test_seed000.py); here the
project uses SQLAlchemy 2.0 ``Mapped[...] = mapped_column(...)`` and the
database was made by SQLAlchemy itself from a fuller version of the models.
Then: how the plan validates what a reviewer edits, and the naming rules.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from conftest import git
from unify.plan import DATABASE_SECTION, Section, place_new_models
from unify.stubs import attribute, class_name, plural, singular

PROJECT = '''
"""Stations."""
from typing import Optional

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[Optional[str]] = mapped_column(String(80))
'''

# What the database really holds: made by SQLAlchemy from these fuller models.
TRUTH = '''
import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (CheckConstraint, DateTime, ForeignKey, Index, Numeric, String,
                        UniqueConstraint, func, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Region(Base):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Station(Base):
    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[Optional[str]] = mapped_column(String(80))
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("regions.id"))


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("station_id", "slot", name="uq_booking_slot"),
        CheckConstraint("guests > 0", name="guests_positive"),
        Index("ix_bookings_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    slot: Mapped[int]
    guests: Mapped[int] = mapped_column(server_default=text("1"))
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True),
                                                          server_default=func.now())
    price: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))
'''


def make_truth(folder, url: str) -> None:
    (folder / "truth.py").write_text(TRUTH)
    script = ("import sqlalchemy, truth; "
              f"truth.Base.metadata.create_all(sqlalchemy.create_engine({url!r}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def test_mapped_project_gets_mapped_models(make_repo, run, database, tmp_path):
    repo = make_repo({"models.py": PROJECT, "services.py": "from models import Station\n"})
    make_truth(tmp_path, database.app_url)

    found = run("check", "--repo", str(repo), "--database", database.url, "--json")
    assert sorted(f"{d['code']} {d['subject']}" for d in found.json()["diagnostics"]) == [
        "U401 bookings", "U401 regions", "U403 Station.region_id"]

    made = run("plan", "--repo", str(repo), "--database", database.url)
    assert made.code == 0, made.out + made.err
    plan = tomllib.loads((repo / "plans" / "models.toml").read_text())
    stubs = {s["name"]: s for s in plan["stubs"]}
    assert list(stubs) == ["Booking", "Region"]
    booking = stubs["Booking"]["code"]
    assert booking.startswith("class Booking(Base):")
    for line in ("id: Mapped[int] = mapped_column(Integer, primary_key=True)",
                 "slot: Mapped[int] = mapped_column(Integer)",
                 "price: Mapped[Optional[decimal.Decimal]] = mapped_column(Numeric(10, 2))",
                 'station: Mapped["Station"] = relationship(back_populates="bookings")',
                 'UniqueConstraint("station_id", "slot", name="uq_booking_slot")',
                 'Index("ix_bookings_created", "created_at")'):
        assert line in booking, line
    assert 'server_default=text("\'pending\'")' in booking  # PostgreSQL's cast is dropped
    assert 'stations: Mapped[List["Station"]] = relationship(back_populates="region")' \
        in stubs["Region"]["code"]
    assert "from typing import List" in stubs["Region"]["imports"]
    assert "from sqlalchemy import Integer" in stubs["Booking"]["imports"]
    assert not any("String" in i or "Optional" in i for s in stubs.values()
                   for i in s.get("imports", []))  # the project imports those already
    assert [(c["model"], c["code"]) for c in plan["columns"]] == [(
        "Station", "region_id: Mapped[Optional[int]] = mapped_column(Integer, "
                   'ForeignKey("regions.id"))')]
    assert plan["sections"] == [{"title": "Other models",
                                 "models": ["Region", "Station", "Booking"]}]

    applied = run("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo), "--json",
                  "-q")
    assert applied.code == 0, applied.out + applied.err
    assert applied.json()["verification"]["ok"]
    checkout = repo.parent / "checkout"
    git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(checkout))
    script = ("from sqlalchemy.orm import configure_mappers; import models;"
              "configure_mappers(); s = models.Station(name='x');"
              "s.region = models.Region(name='r'); s.bookings.append(models.Booking(slot=1));"
              "print(s.region.stations[0].name, s.bookings[0].station.name)")
    done = subprocess.run([sys.executable, "-c", script], cwd=checkout, capture_output=True,
                          text=True)
    assert done.returncode == 0 and done.stdout.split() == ["x", "x"], done.stderr
    clean = run("check", "--repo", str(checkout), "--database", database.url, "--select", "U4")
    assert clean.code == 0, clean.out


# -- the plan a reviewer edits --------------------------------------------------------------

FLASK = '''
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Author(db.Model):
    __tablename__ = "authors"
    id = db.Column(db.Integer, primary_key=True)
'''

SCHEMA = """
CREATE TABLE authors (id INTEGER PRIMARY KEY, nickname VARCHAR(40));
CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id),
                    title TEXT NOT NULL);
"""


@pytest.fixture
def planned(make_repo, run, tmp_path):
    """A Flask project, a SQLite database with one more table and column, and its plan."""
    import sqlite3

    repo = make_repo({"models.py": FLASK, "app.py": "from models import Author\n"})
    with sqlite3.connect(tmp_path / "live.db") as conn:
        conn.executescript(SCHEMA)
    conn.close()
    result = run("plan", "--repo", str(repo), "--database", f"sqlite:///{tmp_path}/live.db")
    assert result.code == 0, result.out + result.err
    return repo, repo / "plans" / "models.toml"


def problems(run, repo, path) -> list[tuple[int, str]]:
    result = run("plan", "--check", str(path), "--repo", str(repo), "--json")
    return [(p["line"], p["message"]) for p in result.json()["problems"]]


def line_of(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_flask_plan_round_trips_and_is_valid(planned, run):
    repo, path = planned
    text = path.read_text()
    assert problems(run, repo, path) == []
    assert 'title = db.Column(db.Text, nullable=False)' in text
    assert 'author = db.relationship("Author", back_populates="books")' in text
    assert "code = 'nickname = db.Column(db.String(40))'" in text
    assert 'models = ["Author", "Book"]' in text  # the referenced table first


@pytest.mark.parametrize("edit, message", [
    (("class Book(db.Model):", "class Volume(db.Model):"),
     "stub Book: the code must be one class named Book"),
    (("class Book(db.Model):", "class Book(db.Model)"), "stub Book: the code is not valid Python"),
    (('name = "Book"', 'name = "Author"'), "stub Author: a model of that name already exists"),
    (('model = "Author"\nattr = "nickname"', 'model = "Writer"\nattr = "nickname"'),
     "column Writer.nickname: no model 'Writer' in the target"),
    (("code = 'nickname = ", "code = 'alias = "),
     "column Author.nickname: code must be one assignment to nickname"),
])
def test_plan_check_points_at_a_bad_stub_or_column(planned, run, edit, message):
    repo, path = planned
    old, new = edit
    path.write_text(path.read_text().replace(old, new, 1))
    found = problems(run, repo, path)
    assert message in [m for _, m in found], found
    line = next(n for n, m in found if m == message)
    assert path.read_text().splitlines()[line - 1].split("=")[0].strip() in (
        "code", "name", "model", "imports")


def test_a_stub_left_out_of_the_sections_is_reported(planned, run):
    repo, path = planned
    path.write_text(path.read_text().replace('models = ["Author", "Book"]',
                                             'models = ["Author"]'))
    assert problems(run, repo, path) == [(line_of(path, "[[sections]]"),
                                          "model Book is in no section")]


# -- naming and placement --------------------------------------------------------------------


@pytest.mark.parametrize("word, one", [
    ("strategy_templates", "strategy_template"), ("categories", "category"),
    ("statuses", "status"), ("status", "status"), ("boxes", "box"), ("address", "address"),
    ("competency", "competency"), ("bus", "bus"), ("courses", "course"), ("houses", "house"),
])
def test_singular(word, one):
    assert singular(word) == one


def test_plural_and_names():
    assert plural("learning_strategy") == "learning_strategies"
    assert plural("strategy_template_competency") == "strategy_template_competencies"
    assert plural("day") == "days" and plural("box") == "boxes" and plural("user") == "users"
    assert class_name("strategy_template_competency", set()) == "StrategyTemplateCompetency"
    assert class_name("feature_flags", set()) == "FeatureFlag"
    assert class_name("core.system_events", set()) == "SystemEvent"
    assert class_name("users", {"User"}) == "Users"
    assert class_name("users", {"User", "Users"}) == "UsersTable"
    assert attribute("class") == "class_" and attribute("order-id") == "order_id"
    assert attribute("metadata") == "metadata_" and attribute("2fa") == "2fa_"


def test_new_models_go_next_to_their_neighbours():
    sections = (Section("Core entities", ("Organization", "Competency")),
                Section("Strategies", ("User", "LearningStrategy", "LearningObjective")))
    placed = place_new_models(sections, [
        ("StrategyTemplateCompetency", {"StrategyTemplate", "Competency"}, set()),
        ("StrategyTemplate", set(), {"LearningStrategy", "StrategyTemplateCompetency"}),
        ("Audit", set(), set()),
        ("CompetencyAlias", {"Competency"}, set()),
        ("UserNote", {"User"}, set()),
    ])
    assert placed == (
        Section("Core entities", ("Organization", "Competency")),
        Section("Strategies", ("User", "StrategyTemplate", "StrategyTemplateCompetency",
                               "LearningStrategy", "LearningObjective", "UserNote")),
        Section(DATABASE_SECTION, ("Audit", "CompetencyAlias")),
    )


HARD = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    sender_id INTEGER NOT NULL REFERENCES users(id),
    recipient_id INTEGER REFERENCES users(id),
    parent_id INTEGER REFERENCES messages(id),
    body TEXT
);
CREATE TABLE user_tags (user_id INTEGER REFERENCES users(id), tag VARCHAR(30) NOT NULL);
CREATE TABLE "order" (id INTEGER PRIMARY KEY, "class" TEXT, "user-id" INTEGER REFERENCES users(id));
CREATE VIEW active_users AS SELECT id, name FROM users;
"""

USERS = '''
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.Text)
'''


def test_hard_tables_make_models_that_map(make_repo, run, tmp_path):
    """Self-reference, two FKs to one table, no primary key, odd column names, a view."""
    import sqlite3

    repo = make_repo({"models.py": USERS, "app.py": "from models import User\n"})
    with sqlite3.connect(tmp_path / "live.db") as conn:
        conn.executescript(HARD)
    conn.close()
    url = f"sqlite:///{tmp_path}/live.db"
    found = run("check", "--repo", str(repo), "--database", url, "--json")
    assert sorted(d["subject"] for d in found.json()["diagnostics"]) == [
        "messages", "order", "user_tags"]  # the view is not drift
    assert run("plan", "--repo", str(repo), "--database", url).code == 0
    plan = tomllib.loads((repo / "plans" / "models.toml").read_text())
    code = {s["name"]: s["code"] for s in plan["stubs"]}
    assert sorted(code) == ["Message", "Order", "UserTag"]
    assert 'sender = db.relationship("User", foreign_keys=[sender_id])' in code["Message"]
    assert 'parent = db.relationship("Message", remote_side=[id])' in code["Message"]
    assert '__mapper_args__ = {"primary_key": [user_id, tag]}' in code["UserTag"]
    assert 'class_ = db.Column("class", db.Text)' in code["Order"]
    assert 'user_id = db.Column("user-id", db.Integer, db.ForeignKey("users.id"))' \
        in code["Order"]
    partners = sorted((f["model"], f["attr"]) for f in plan["fixes"])
    assert partners == [("User", "orders"), ("User", "user_tags")]  # not for the two-FK table
    applied = run("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo), "-q",
                  "--json")
    assert applied.code == 0 and applied.json()["verification"]["ok"], applied.out
    checkout = repo.parent / "checkout"
    git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(checkout))
    assert run("check", "--repo", str(checkout), "--database", url, "--select", "U4").code == 0


HALF_DONE = '''
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class LearningStrategy(db.Model):
    __tablename__ = "learning_strategy"
    id = db.Column(db.Integer, primary_key=True)
    strategy_template_id = db.Column(db.Integer, db.ForeignKey("strategy_template.id"))
    strategy_template = db.relationship("StrategyTemplate", back_populates="strategies")
'''


def test_references_to_a_table_the_database_has_are_kept_not_fixed(make_repo, run, tmp_path):
    """ForeignKey('strategy_template.id') (U103) and relationship('StrategyTemplate') (U201):
    without the database the plan must drop or redirect them; with it, the new model
    completes them (its side is named after their back_populates)."""
    import sqlite3

    repo = make_repo({"models.py": HALF_DONE, "app.py": "from models import LearningStrategy\n"})
    with sqlite3.connect(tmp_path / "live.db") as conn:
        conn.executescript("""
            CREATE TABLE strategy_template (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE learning_strategy (id INTEGER PRIMARY KEY,
                strategy_template_id INTEGER REFERENCES strategy_template(id));
        """)
    conn.close()
    blind = run("plan", "--repo", str(repo), "-o", "-", "--json").json()
    assert {f["kind"] for f in blind["fixes"]} == {"foreign_key", "drop_relationship"}
    made = run("plan", "--repo", str(repo), "--database", f"sqlite:///{tmp_path}/live.db")
    assert made.code == 0, made.out + made.err  # no open "?" decision any more
    plan = tomllib.loads((repo / "plans" / "models.toml").read_text())
    assert plan.get("fixes", []) == [] and plan.get("columns", []) == []
    assert 'strategies = db.relationship("LearningStrategy", back_populates="strategy_template")' \
        in plan["stubs"][0]["code"]
    applied = run("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo), "-q",
                  "--json")
    assert applied.code == 0 and applied.json()["verification"]["ok"], applied.out
