"""Each diagnostic code, triggered by the smallest project that shows it, plus clean cases."""

from __future__ import annotations

import textwrap

import pytest

BASE = """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()
"""


def with_db(body: str) -> str:
    """A models.py: the Flask-SQLAlchemy header, then ``body`` (dedented)."""
    return BASE + textwrap.dedent(body)


def keys(run, repo, *extra):
    result = run("check", "--repo", str(repo), "--json", *extra)
    assert result.code in (0, 1), result.err
    return {d["code"] + " " + d["path"] + " " + d["subject"] for d in result.json()["diagnostics"]}


def test_clean_project_has_no_findings(make_repo, run):
    repo = make_repo({
        "models.py": with_db("""
            class Organization(db.Model):
                __tablename__ = "organization"
                id = db.Column(db.Integer, primary_key=True)
                users = db.relationship("User", back_populates="organization")

            class User(db.Model):
                __tablename__ = "users"
                id = db.Column(db.Integer, primary_key=True)
                organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
                organization = db.relationship("Organization", back_populates="users")
        """),
        "app.py": "from models import User, Organization\n",
    })
    result = run("check", "--repo", str(repo))
    assert result.code == 0, result.out
    assert "All checks passed" in result.out


def test_u101_duplicate_class_reported_at_later_path(make_repo, run):
    model = with_db("""
        class Booking(db.Model):
            __tablename__ = "bookings"
            id = db.Column(db.Integer, primary_key=True)
    """)
    other = """
        from a_models import db
        class Booking(db.Model):
            __tablename__ = "bookings_old"
            id = db.Column(db.Integer, primary_key=True)
    """
    repo = make_repo({"a_models.py": model, "b_models.py": other})
    assert keys(run, repo) == {"U101 b_models.py Booking"}


def test_u102_duplicate_table_lists_column_differences(make_repo, run):
    repo = make_repo({"models.py": with_db("""
        class Competency(db.Model):
            __tablename__ = "competency"
            id = db.Column(db.Integer, primary_key=True)
            name = db.Column(db.String(80))

        class SECompetency(db.Model):
            __tablename__ = "competency"
            id = db.Column(db.Integer, primary_key=True)
            title = db.Column(db.Text)
    """)})
    result = run("check", "--repo", str(repo), "--json")
    [diag] = result.json()["diagnostics"]
    assert diag["code"] == "U102" and diag["subject"] == "SECompetency"
    assert "only in Competency: name" in diag["message"]
    assert "only in SECompetency: title" in diag["message"]


def test_single_table_inheritance_is_not_a_duplicate_table(make_repo, run):
    repo = make_repo({"models.py": with_db("""
        class Employee(db.Model):
            __tablename__ = "employee"
            id = db.Column(db.Integer, primary_key=True)
            type = db.Column(db.String(20))

        class Manager(Employee):
            budget = db.Column(db.Integer)
    """)})
    assert keys(run, repo) == set()


def test_u103_u104_u105_foreign_keys(make_repo, run):
    repo = make_repo({"models.py": with_db("""
        class Organization(db.Model):
            __tablename__ = "organization"
            id = db.Column(db.Integer, primary_key=True)

        class MVPUser(db.Model):
            __tablename__ = "mvp_users"
            id = db.Column(db.Integer, primary_key=True)
            organization_id = db.Column(db.String(36), db.ForeignKey("organizations.id"))
            org_code = db.Column(db.Integer, db.ForeignKey("organization.code"))
            org_ref = db.Column(db.String(36), db.ForeignKey("organization.id"))
    """)})
    result = run("check", "--repo", str(repo), "--json")
    diags = {d["code"]: d for d in result.json()["diagnostics"]}
    assert set(diags) == {"U103", "U104", "U105"}
    assert diags["U103"]["subject"] == "MVPUser.organization_id"
    assert "organization.id" in diags["U103"]["hint"]
    assert diags["U104"]["subject"] == "MVPUser.org_code"
    assert diags["U105"]["subject"] == "MVPUser.org_ref"
    assert "String(36)" in diags["U105"]["message"] and "Integer" in diags["U105"]["message"]


def test_relationship_checks_u201_to_u205(make_repo, run):
    repo = make_repo({"models.py": """
        from typing import List
        from sqlalchemy import Column, ForeignKey, Integer, Table
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

        class Base(DeclarativeBase):
            pass

        tags = Table("booking_tags", Base.metadata,
                     Column("booking_id", ForeignKey("bookings.id")))

        class Organization(Base):
            __tablename__ = "organizations"
            id: Mapped[int] = mapped_column(primary_key=True)
            feature_flags = relationship("FeatureFlag", back_populates="organization")

        class Chef(Base):
            __tablename__ = "chefs"
            id: Mapped[int] = mapped_column(primary_key=True)
            staff: Mapped[List["Booking"]] = relationship(back_populates="owner")

        class PricingTier(Base):
            __tablename__ = "pricing_tiers"
            id: Mapped[int] = mapped_column(primary_key=True)
            bookings: Mapped[List["Booking"]] = relationship(back_populates="pricing_tier")

        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            chef_id: Mapped[int] = mapped_column(ForeignKey("chefs.id"))
            chef: Mapped["Chef"] = relationship(back_populates="bookings")
            owner: Mapped["Chef"] = relationship(back_populates="chef")
            pricing_tier = relationship("PricingTier", back_populates="bookings")
            tagged = relationship("Chef", secondary=tags)
            missing = relationship("Chef", secondary="nowhere")
    """})
    assert keys(run, repo) == {
        "U201 models.py Organization.feature_flags",
        "U202 models.py Booking.chef",
        "U202 models.py Booking.owner",  # Chef has no relationship "chef"
        "U203 models.py Chef.staff",  # Booking.owner points back to "chef", not "staff"
        "U204 models.py PricingTier.bookings",
        "U204 models.py Booking.pricing_tier",
        "U205 models.py Booking.missing",
    }


def test_u301_circular_import_ignores_lazy_and_type_checking(make_repo, run):
    repo = make_repo({
        "models.py": with_db("""
            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            from unified_models import Competency
        """),
        "unified_models.py": """
            from models import db
            class Competency(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "mvp_models.py": """
            from typing import TYPE_CHECKING
            from models import db
            if TYPE_CHECKING:
                from other_models import Thing
            class MVPUser(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "other_models.py": """
            from models import db
            class Thing(db.Model):
                id = db.Column(db.Integer, primary_key=True)
            def later():
                from mvp_models import MVPUser
        """,
    })
    result = run("check", "--repo", str(repo), "--json", "--select", "U301")
    [diag] = result.json()["diagnostics"]
    assert diag["subject"] == "models.py, unified_models.py"
    assert "models.py -> unified_models.py -> models.py" in diag["message"]


def test_u302_u303_u304_u305_imports(make_repo, run):
    repo = make_repo({
        "models.py": with_db("""
            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """),
        "db/__init__.py": "",
        "app.py": """
            import importlib
            from models import *
            from models import User, StrategyTemplate
            from db.models.system_event import SystemEvent
            import json, requests
            mod = importlib.import_module("models")
            other = __import__(name)
        """,
    })
    assert keys(run, repo) == {
        "U302 app.py models",
        "U304 app.py models.StrategyTemplate",
        "U303 app.py db.models.system_event",
        "U305 app.py models",
    }


def test_pydantic_and_plain_classes_are_not_models(make_repo, run):
    repo = make_repo({
        "models.py": with_db("""
            class Organization(db.Model):
                __tablename__ = "organization"
                id = db.Column(db.Integer, primary_key=True)
        """),
        "schemas.py": """
            from pydantic import BaseModel
            class Organization(BaseModel):
                id: int
            class CompanyContext:
                __tablename__ = "not_a_table"
        """,
    })
    result = run("scan", "--repo", str(repo), "--json")
    names = [(m["path"], m["name"]) for m in result.json()["models"]]
    assert names == [("models.py", "Organization")]
    assert keys(run, repo) == set()


@pytest.mark.parametrize("codes,expected", [("U1", {"U103"}), ("U103,U2", {"U103", "U201"})])
def test_select_and_ignore(make_repo, run, codes, expected):
    repo = make_repo({"models.py": with_db("""
        class A(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            b_id = db.Column(db.Integer, db.ForeignKey("nope.id"))
            rel = db.relationship("Missing")
    """)})
    found = {k.split()[0] for k in keys(run, repo, "--select", codes)}
    assert found == expected
    assert {k.split()[0] for k in keys(run, repo, "--ignore", codes)} == {"U103", "U201"} - expected


def test_star_import_in_unifys_own_compat_module_is_not_reported(make_repo, run):
    from unify.compat import compat_text, shim_text

    repo = make_repo({
        "models.py": with_db("""
            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """),
        "models_compat.py": compat_text("models", {"MVPUser": "User"}),
        "mvp_models.py": shim_text("mvp_models", "models", {}),
        "other.py": "from models import *\n",
    })
    assert keys(run, repo) == {"U302 other.py models"}
