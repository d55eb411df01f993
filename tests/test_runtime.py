"""verify's runtime half: probe.py under a real interpreter, run_probe, schema_diff.

Every probe test writes a tiny project into tmp_path and runs the real probe in a
subprocess (about half a second each), the way ``unify verify`` does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from unify.runtime import PROBE, ProbeResult, run_probe, schema_diff


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def probe(root: Path, *modules: str, **kwargs) -> ProbeResult:
    result = run_probe(root, list(modules), **kwargs)
    assert isinstance(result, ProbeResult)
    return result


def probe_json(root: Path, *args: str) -> subprocess.CompletedProcess:
    """probe.py run directly, as a user's interpreter would."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, str(PROBE), "--root", str(root), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


FLASK_MODELS = '''
    """Flask-SQLAlchemy models (the seed 000 style)."""
    from datetime import datetime

    from flask_sqlalchemy import SQLAlchemy

    db = SQLAlchemy()
    print("models.py imported")  # user output must not corrupt the report


    class StrategyTemplate(db.Model):
        __tablename__ = "strategy_template"

        id = db.Column(db.Integer, primary_key=True)
        strategy_name = db.Column(db.String(255), nullable=False, unique=True)
        is_active = db.Column(db.Boolean, default=True)
        created_at = db.Column(db.DateTime, default=datetime.utcnow)
        template_competencies = db.relationship(
            "StrategyTemplateCompetency", back_populates="strategy_template", cascade="all, delete-orphan"
        )


    class Competency(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(80), index=True)


    class StrategyTemplateCompetency(db.Model):
        __tablename__ = "strategy_template_competency"

        id = db.Column(db.Integer, primary_key=True)
        strategy_template_id = db.Column(
            db.Integer, db.ForeignKey("strategy_template.id", ondelete="CASCADE"), nullable=False
        )
        competency_id = db.Column(db.Integer, db.ForeignKey("competency.id"), nullable=False)
        target_level = db.Column(db.Integer, nullable=False)
        strategy_template = db.relationship("StrategyTemplate", back_populates="template_competencies")
        competency = db.relationship("Competency")

        __table_args__ = (
            db.UniqueConstraint("strategy_template_id", "competency_id", name="uq_template_competency"),
            db.CheckConstraint("target_level >= 1 AND target_level <= 6", name="ck_target_level"),
            db.Index("idx_stc_template", "strategy_template_id"),
        )
'''


# --------------------------------------------------------------------------- healthy projects


def test_flask_sqlalchemy_project_is_ok_and_its_schema_is_read(tmp_path):
    root = write(tmp_path, {"models.py": FLASK_MODELS})
    result = probe(root, "models")

    assert result.ok, result.message
    assert result.stage == "done" and result.error is None and result.errors == ()
    assert result.message == "ok"
    assert result.mappers == (
        "Competency (competency)",
        "StrategyTemplate (strategy_template)",
        "StrategyTemplateCompetency (strategy_template_competency)",
    )
    assert sorted(result.schema) == [
        "competency",
        "strategy_template",
        "strategy_template_competency",
    ]

    template = result.schema["strategy_template"]
    assert template["columns"]["id"] == {
        "type": "INTEGER",
        "declared": "Integer()",
        "nullable": False,
        "primary_key": True,
    }
    assert template["columns"]["strategy_name"]["type"] == "VARCHAR(255)"
    assert template["columns"]["strategy_name"]["nullable"] is False
    assert template["columns"]["is_active"]["type"] == "BOOLEAN"
    assert template["columns"]["created_at"]["type"] == "DATETIME"
    assert template["unique"] == [[None, ["strategy_name"]]]

    link = result.schema["strategy_template_competency"]
    assert link["foreign_keys"] == [
        ["competency_id", "competency.id"],
        ["strategy_template_id", "strategy_template.id"],
    ]
    assert link["indexes"] == [["idx_stc_template", ["strategy_template_id"], False]]
    assert link["unique"] == [["uq_template_competency", ["strategy_template_id", "competency_id"]]]
    assert link["checks"] == [["ck_target_level", "target_level >= 1 AND target_level <= 6"]]
    assert result.schema["competency"]["indexes"] == [["ix_competency_name", ["name"], False]]
    assert "models.py imported" in result.stderr


def test_declarative_base_project_with_postgres_types_is_ok_on_sqlite(tmp_path):
    root = write(
        tmp_path,
        {
            "db/__init__.py": "",
            "db/base.py": """
            from sqlalchemy.orm import DeclarativeBase

            class Base(DeclarativeBase):
                pass
        """,
            "db/models.py": '''
            import enum
            import uuid
            from datetime import datetime
            from typing import List, Optional

            from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, func, text
            from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
            from sqlalchemy.orm import Mapped, mapped_column, relationship

            from db.base import Base


            class Severity(enum.Enum):
                info = "info"
                error = "error"


            class Chef(Base):
                __tablename__ = "chefs"

                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(String(100))
                bookings: Mapped[List["Booking"]] = relationship(back_populates="chef")


            class Booking(Base):
                __tablename__ = "bookings"

                id: Mapped[int] = mapped_column(primary_key=True)
                chef_id: Mapped[Optional[int]] = mapped_column(ForeignKey("chefs.id"))
                chef: Mapped[Optional[Chef]] = relationship(back_populates="bookings")


            class SystemEvent(Base):
                """Seed 004's model: JSONB with a PostgreSQL-only server default."""

                __tablename__ = "system_events"
                __table_args__ = (
                    Index("ix_system_events_lookup", "service", "timestamp"),
                    Index("ix_system_events_unaccent", func.unaccent(text("service"))),
                    CheckConstraint("service::text <> ''", name="ck_service_not_empty"),
                    {"schema": "core"},
                )

                id: Mapped[int] = mapped_column(primary_key=True)
                public_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), default=uuid.uuid4)
                service: Mapped[str] = mapped_column(String(100), index=True)
                severity: Mapped[Severity] = mapped_column(default=Severity.info)
                event_data: Mapped[dict] = mapped_column(
                    JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
                )
                tags = mapped_column(ARRAY(String(20)))
                timestamp: Mapped[datetime] = mapped_column(
                    DateTime(timezone=True), server_default=text("timezone('utc', now())")
                )
        ''',
        },
    )
    result = probe(root, "db.models")

    assert result.ok, result.message
    assert result.stage == "done"
    assert result.mappers == (
        "Booking (bookings)",
        "Chef (chefs)",
        "SystemEvent (core.system_events)",
    )
    events = result.schema["core.system_events"]["columns"]
    assert events["event_data"]["type"] == "JSONB"
    assert events["event_data"]["declared"].startswith("JSONB(")
    assert events["event_data"]["nullable"] is False
    assert events["severity"]["type"] == "VARCHAR(5)"
    assert events["severity"]["declared"].startswith("Enum(")
    assert events["tags"]["type"] == "ARRAY"  # no SQLite rendering: the bare type name
    assert events["tags"]["declared"] == "ARRAY(String(length=20))"
    assert events["timestamp"]["declared"] == "DateTime(timezone=True)"
    assert result.schema["bookings"]["foreign_keys"] == [["chef_id", "chefs.id"]]
    # dialect-specific SQL is a warning, never a model error
    joined = "\n".join(result.warnings)
    assert "server_default of core.system_events.event_data is not valid SQLite" in joined
    assert (
        "CHECK constraint ck_service_not_empty on core.system_events is not valid SQLite" in joined
    )
    assert "index ix_system_events_unaccent on core.system_events is not valid SQLite" in joined
    assert "type ARRAY has no SQLite rendering" in joined and "core.system_events.tags" in joined
    assert "timestamp" not in joined  # timezone('utc', now()) is valid SQLite DDL
    # the schema still lists what the models declare
    assert result.schema["core.system_events"]["checks"] == [
        ["ck_service_not_empty", "service::text <> ''"]
    ]
    assert ["ix_system_events_unaccent", ["unaccent(service)"], False] in (
        result.schema["core.system_events"]["indexes"]
    )


# ------------------------------------------------------------ configure errors (seeds 002, 004)


def test_relationship_to_a_missing_class_is_a_configure_error(tmp_path):
    """Seed 002: Organization.feature_flags -> "FeatureFlag", which does not exist."""
    root = write(
        tmp_path,
        {"models.py": """
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import declarative_base, relationship

        Base = declarative_base()


        class Organization(Base):
            __tablename__ = "organizations"

            id = Column(Integer, primary_key=True)
            name = Column(String(100))
            feature_flags = relationship("FeatureFlag", back_populates="organization", lazy="dynamic")
    """},
    )
    result = probe(root, "models")

    assert not result.ok and result.models_broken
    assert result.stage == "configure"
    assert result.error["type"] == "InvalidRequestError"
    assert "failed to locate a name" in result.error["message"]
    assert "'FeatureFlag'" in result.error["message"]
    assert result.error["model"] == "Organization"
    assert result.error["property"] == "Organization.feature_flags"
    assert result.error["location"] == "models.py:7"
    assert result.message.startswith(
        "configure: Organization.feature_flags: models.py:7: InvalidRequestError:"
    )
    assert result.schema["organizations"]["columns"]["name"]["type"] == "VARCHAR(100)"


SEED_004_CORE = """
    from typing import List, Optional

    from sqlalchemy import ForeignKey, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class Chef(Base):
        __tablename__ = "chefs"

        id: Mapped[int] = mapped_column(primary_key=True)
        {chef_body}


    class Booking(Base):
        __tablename__ = "bookings"

        id: Mapped[int] = mapped_column(primary_key=True)
        chef_id: Mapped[Optional[int]] = mapped_column(ForeignKey("chefs.id"))
        chef: Mapped[Optional["Chef"]] = relationship("Chef", back_populates="bookings")


    class PricingTier(Base):
        __tablename__ = "pricing_tiers"

        id: Mapped[int] = mapped_column(primary_key=True)
        {tier_body}
"""
GOOD_CHEF = 'bookings: Mapped[List["Booking"]] = relationship("Booking", back_populates="chef")'
NO_FK_TIER = 'bookings: Mapped[List["Booking"]] = relationship("Booking")'


def seed_004(
    chef_body: str = GOOD_CHEF, tier_body: str = "name: Mapped[str] = mapped_column(String(50))"
) -> str:
    return SEED_004_CORE.replace("{chef_body}", chef_body).replace("{tier_body}", tier_body)


def test_back_populates_to_a_missing_property_is_a_configure_error(tmp_path):
    """Seed 004: Booking.chef back_populates "bookings", which Chef lacks."""
    root = write(
        tmp_path, {"core.py": seed_004(chef_body="name: Mapped[str] = mapped_column(String(50))")}
    )
    result = probe(root, "core")

    assert result.stage == "configure"
    assert result.error["type"] == "InvalidRequestError"
    assert "has no property 'bookings'" in result.error["message"]
    # the message names Chef, but the broken relationship is Booking.chef
    assert result.error["model"] == "Booking"
    assert result.error["property"] == "Booking.chef"


def test_relationship_without_a_foreign_key_path_is_a_configure_error(tmp_path):
    """Seed 004: PricingTier.bookings, but bookings has no pricing_tier_id FK."""
    root = write(tmp_path, {"core.py": seed_004(tier_body=NO_FK_TIER)})
    result = probe(root, "core")

    assert result.stage == "configure"
    assert result.error["type"] == "NoForeignKeysError"
    assert "no foreign keys linking these tables" in result.error["message"]
    assert result.error["model"] == "PricingTier"
    assert result.error["property"] == "PricingTier.bookings"


def test_same_class_in_two_modules_on_one_base_is_multiple_classes_found(tmp_path):
    """Seed 004: Booking in the old tree and in the new one, both on the same Base."""
    root = write(
        tmp_path,
        {
            "core.py": seed_004(),
            "legacy.py": """
            from sqlalchemy import Column, Integer
            from core import Base


            class Booking(Base):
                __tablename__ = "legacy_bookings"

                id = Column(Integer, primary_key=True)
        """,
        },
    )
    alone = probe(root, "core")
    assert alone.ok, alone.message

    result = probe(root, "core", "legacy")
    assert result.stage == "configure"
    assert 'Multiple classes found for path "Booking"' in result.error["message"]
    assert result.error["model"] == "Chef"
    assert result.error["property"] == "Chef.bookings"
    assert any(
        "2 classes named 'Booking' share one declarative registry (core.Booking, legacy.Booking)"
        in w
        for w in result.warnings
    )
    assert result.mappers.count("Booking (bookings)") == 1
    assert "Booking (legacy_bookings)" in result.mappers


def test_every_broken_mapper_is_reported_in_one_run(tmp_path):
    """Seed 002's lesson: one error hides the next; the probe reports them all."""
    root = write(
        tmp_path,
        {
            "core.py": seed_004(
                chef_body='orgs = relationship("Organization")',
                tier_body=NO_FK_TIER,
            )
        },
    )
    result = probe(root, "core")

    assert result.stage == "configure"
    found = sorted((e["property"], e["type"]) for e in result.errors)
    assert found == [
        ("Booking.chef", "InvalidRequestError"),
        ("Chef.orgs", "InvalidRequestError"),
        ("PricingTier.bookings", "NoForeignKeysError"),
    ]
    assert result.error == result.errors[0]
    assert "(and 2 more errors)" in result.message


# --------------------------------------------------------------------------- create_all errors


def test_foreign_key_to_a_missing_table_is_a_create_all_error(tmp_path):
    root = write(
        tmp_path,
        {"models.py": """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class Organization(Base):
            __tablename__ = "organization"

            id = Column(Integer, primary_key=True)


        class Member(Base):
            __tablename__ = "members"

            id = Column(Integer, primary_key=True)
            organization_id = Column(Integer, ForeignKey("organizations.id"))


        class Team(Base):
            __tablename__ = "teams"

            id = Column(Integer, primary_key=True)
            organization_uuid = Column(ForeignKey("organization.uuid"))
    """},
    )
    result = probe(root, "models")

    assert result.stage == "create_all" and result.models_broken
    assert result.error["type"] == "NoReferencedTableError"
    assert "could not find table 'organizations'" in result.error["message"]
    assert result.error["model"] == "Member"
    assert result.error["location"] == "models.py:13"
    assert result.schema["members"]["foreign_keys"] == [["organization_id", "organizations.id"]]
    # create_all stops at the first; the probe reports every missing target
    assert [(e["type"], e["model"]) for e in result.errors] == [
        ("NoReferencedTableError", "Member"),
        ("NoReferencedColumnError", "Team"),
    ]
    assert "has no column named 'uuid'" in result.errors[1]["message"]


def test_two_indexes_with_one_name_is_a_create_all_error(tmp_path):
    root = write(
        tmp_path,
        {"models.py": """
        from sqlalchemy import Column, Index, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class User(Base):
            __tablename__ = "users"
            __table_args__ = (Index("ix_email", "email"),)

            id = Column(Integer, primary_key=True)
            email = Column(String(100))


        class Customer(Base):
            __tablename__ = "customers"
            __table_args__ = (Index("ix_email", "email"),)

            id = Column(Integer, primary_key=True)
            email = Column(String(100))
    """},
    )
    result = probe(root, "models")

    assert result.stage == "create_all"
    assert result.error["type"] == "OperationalError"
    assert "index ix_email already exists" in result.error["message"]
    # the second table to get the name is blamed (create_all's order decides which)
    assert (result.error["model"], result.error["location"]) in {
        ("User", "models.py:7"),
        ("Customer", "models.py:15"),
    }


# --------------------------------------------------------------------------- import errors


@pytest.mark.parametrize(
    ("source", "kind", "model", "location"),
    [
        (
            "from sqlalchemy import Column\nfrom helpers import StrategyTemplate\n",
            "ModuleNotFoundError",
            None,
            "models.py:2",
        ),
        ("x = 1\nclass Broken(:\n    pass\n", "SyntaxError", None, "models.py:2"),
        (
            "from sqlalchemy import Column, Integer\nfrom sqlalchemy.orm import declarative_base\n"
            "Base = declarative_base()\n\nclass Thing(Base):\n    __tablename__ = 'things'\n"
            "    id = Column(Integer, primary_key=True)\n    name = Column(Strin(20))\n",
            "NameError",
            "Thing",
            "models.py:8",
        ),
        ("import sys\nsys.exit('no database configured')\n", "SystemExit", None, "models.py:2"),
    ],
    ids=["import-error", "syntax-error", "error-in-class-body", "sys-exit"],
)
def test_an_error_while_importing_is_an_import_error(tmp_path, source, kind, model, location):
    (tmp_path / "models.py").write_text(source, encoding="utf-8")
    result = probe(tmp_path, "models")

    assert result.stage == "import" and result.models_broken
    assert result.error["type"] == kind
    assert result.error["model"] == model
    assert result.error["location"] == location
    assert result.schema == {} and result.mappers == ()


def test_a_table_defined_twice_names_the_second_class(tmp_path):
    root = write(
        tmp_path,
        {
            "base.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
            "core.py": """
            from sqlalchemy import Column, Integer
            from base import Base

            class Booking(Base):
                __tablename__ = "bookings"
                id = Column(Integer, primary_key=True)
        """,
            "legacy.py": """
            from sqlalchemy import Column, Integer
            from base import Base

            class OldBooking(Base):
                __tablename__ = "bookings"
                id = Column(Integer, primary_key=True)
        """,
        },
    )
    result = probe(root, "core", "legacy")

    assert result.stage == "import"
    assert "Table 'bookings' is already defined" in result.error["message"]
    assert result.error["model"] == "OldBooking"
    assert result.error["location"] == "legacy.py:4"


# ------------------------------------------------------------ the user's tree and process


def test_the_probe_writes_no_pycache_into_the_project(tmp_path):
    root = write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models/__init__.py": "from app.models.user import User\nfrom app.models.base import db\n",
            "app/models/base.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
            "app/models/user.py": """
            from app.models.base import db

            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        },
    )
    result = probe(root, "app.models")

    assert result.ok, result.message
    assert result.mappers == ("User (user)",)
    assert list(tmp_path.rglob("__pycache__")) == []
    assert list(tmp_path.rglob("*.pyc")) == []


def test_project_modules_are_not_shadowed_by_unify_modules(tmp_path):
    """probe.py lives next to unify's errors.py, cli.py...; the project's win."""
    root = write(
        tmp_path,
        {
            "errors.py": "PROJECT_FLAG = True\n",
            "cli.py": "PROJECT_FLAG = True\n",
            "models.py": """
            from errors import PROJECT_FLAG
            from cli import PROJECT_FLAG as OTHER
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()

            class Thing(Base):
                __tablename__ = "things"
                id = Column(Integer, primary_key=True)
        """,
        },
    )
    result = probe(root, "models")
    assert result.ok, result.message


def test_app_factory_runs_first_and_its_app_context_is_active(tmp_path):
    root = write(
        tmp_path,
        {
            "extensions.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
            "app.py": """
            from flask import Flask
            from extensions import db

            def create_app():
                app = Flask(__name__)
                app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
                db.init_app(app)
                return app
        """,
            "models.py": """
            from flask import current_app
            from extensions import db

            PREFIX = current_app.config.get("TABLE_PREFIX", "t_")  # needs the app context

            class Note(db.Model):
                __tablename__ = PREFIX + "notes"
                id = db.Column(db.Integer, primary_key=True)
        """,
        },
    )
    without = probe(root, "models")
    assert without.stage == "import" and "application context" in without.error["message"]

    result = probe(root, "models", app_factory="app:create_app")
    assert result.ok, result.message
    assert result.mappers == ("Note (t_notes)",)


def test_modules_without_models_are_ok_with_a_warning(tmp_path):
    write(tmp_path, {"helpers.py": "import sqlalchemy\nVALUE = 1\n"})
    result = probe(tmp_path, "helpers")

    assert result.ok and result.schema == {} and result.mappers == ()
    assert result.warnings == (
        "no SQLAlchemy model or table found in helpers: nothing was checked; "
        "name the modules that define the models",
    )


def test_a_bad_python_path_is_a_clear_error(tmp_path):
    write(tmp_path, {"models.py": "x = 1\n"})
    result = probe(tmp_path, "models", python=str(tmp_path / "no" / "python3"))

    assert not result.ok and not result.models_broken
    assert result.stage == "environment"
    assert result.error["type"] == "InterpreterNotFound"
    assert "pass an existing interpreter with --python" in result.message
    assert "\n" not in result.message


def test_an_interpreter_without_sqlalchemy_is_a_clear_error(tmp_path):
    write(tmp_path, {"models.py": "x = 1\n"})
    python = tmp_path / "python-without-site"  # -S: no site-packages, so no SQLAlchemy
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    result = probe(tmp_path, "models", python=str(python))

    assert result.stage == "environment" and not result.models_broken
    assert result.error["type"] == "MissingSQLAlchemy"
    assert "install SQLAlchemy in the interpreter given with --python" in result.message


def test_a_probe_that_hangs_is_stopped_at_the_timeout(tmp_path):
    write(tmp_path, {"models.py": "import time\ntime.sleep(60)\n"})
    result = probe(tmp_path, "models", timeout=2)

    assert not result.ok and not result.models_broken
    assert result.error["type"] == "Timeout"
    assert result.stage == "import"  # where it got stuck, from the probe's progress lines
    assert "did not finish within 2 s (stuck importing the models)" in result.message


def test_a_probe_that_dies_without_a_report_is_a_clear_error(tmp_path):
    write(tmp_path, {"models.py": "import os\nprint('bye', flush=True)\nos._exit(3)\n"})
    result = probe(tmp_path, "models")

    assert result.stage == "import" and not result.models_broken
    assert result.error["type"] == "ProbeCrashed"
    assert "exited with code 3 while importing the models" in result.message
    assert "last output: bye" in result.message


# --------------------------------------------------------------------------- probe.py as a script


def test_probe_prints_one_deterministic_json_object_whatever_the_models_print(tmp_path):
    root = write(
        tmp_path,
        {
            "models.py": FLASK_MODELS
            + """
    import os, sys
    os.write(1, b"raw fd 1 output\\n")  # below Python's sys.stdout
    sys.stdout.write("{not json\\n")
        """,
            "broken.py": seed_004(tier_body=NO_FK_TIER),
        },
    )
    first = probe_json(root, "--module", "models")
    second = probe_json(root, "--module", "models")

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert first.stdout.count("\n") == 1 and first.stdout.isascii()
    assert "raw fd 1 output" in first.stderr and "{not json" in first.stderr
    report = json.loads(first.stdout)
    assert report["ok"] is True and report["stage"] == "done"
    assert list(report) == sorted(report)

    broken = probe_json(root, "--module", "broken")
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["error"]["type"] == "NoForeignKeysError"
    assert "Traceback" not in broken.stdout + broken.stderr


def test_probe_usage_errors_exit_2_with_a_report(tmp_path):
    missing_module = probe_json(tmp_path)
    assert missing_module.returncode == 2
    assert json.loads(missing_module.stdout)["stage"] == "usage"
    assert "--module" in missing_module.stderr

    bad_name = probe_json(tmp_path, "--module", "app/models.py")
    assert bad_name.returncode == 2
    assert "not a dotted module name" in json.loads(bad_name.stdout)["error"]["message"]


# --------------------------------------------------------------------------- schema_diff


def table(
    columns: dict[str, tuple[str, bool, bool]], fks=(), indexes=(), unique=(), checks=()
) -> dict:
    return {
        "columns": {
            name: {"type": t, "declared": t.title(), "nullable": n, "primary_key": pk}
            for name, (t, n, pk) in columns.items()
        },
        "foreign_keys": [list(fk) for fk in fks],
        "indexes": [list(ix) for ix in indexes],
        "unique": [list(u) for u in unique],
        "checks": [list(c) for c in checks],
    }


BEFORE = {
    "organization": table({"id": ("INTEGER", False, True), "name": ("VARCHAR(100)", False, False)}),
    "users": table(
        {
            "id": ("VARCHAR(36)", False, True),
            "organization_id": ("INTEGER", True, False),
            "email": ("VARCHAR(120)", True, False),
        },
        fks=[("organization_id", "organizations.id")],
        indexes=[("ix_users_email", ["email"], False)],
        unique=[(None, ["email"])],
    ),
}


def test_schema_diff_of_identical_schemas_is_empty():
    assert schema_diff(BEFORE, json.loads(json.dumps(BEFORE))) == []
    assert schema_diff({}, {}) == []


def test_schema_diff_reports_a_changed_fk_target_and_a_changed_type():
    after = json.loads(json.dumps(BEFORE))
    after["users"]["foreign_keys"] = [["organization_id", "organization.id"]]
    after["users"]["columns"]["id"]["type"] = "INTEGER"

    assert schema_diff(BEFORE, after) == [
        "users.id: type VARCHAR(36) -> INTEGER",
        "users.organization_id: foreign key target organizations.id -> organization.id",
    ]


def test_schema_diff_reports_tables_columns_flags_indexes_and_constraints():
    after = json.loads(json.dumps(BEFORE))
    del after["organization"]
    after["teams"] = table({"id": ("INTEGER", False, True)})
    users = after["users"]
    del users["columns"]["email"]
    users["columns"]["phone"] = {
        "type": "VARCHAR(20)",
        "declared": "String(20)",
        "nullable": True,
        "primary_key": False,
    }
    users["columns"]["organization_id"]["nullable"] = False
    users["columns"]["id"]["primary_key"] = False
    users["columns"]["id"]["declared"] = "Uuid()"
    users["foreign_keys"].append(["phone", "teams.id"])
    users["indexes"] = [["ix_users_email", ["phone"], True], ["ix_users_phone", ["phone"], False]]
    users["unique"] = [["uq_phone", ["phone"]]]
    users["checks"] = [["ck_phone", "length(phone) > 3"]]

    assert schema_diff(BEFORE, after) == sorted(
        [
            "organization: table removed",
            "teams: table added",
            "users.email: column removed (VARCHAR(120))",
            "users.phone: column added (VARCHAR(20))",
            "users.organization_id: nullable True -> False",
            "users.id: primary key True -> False",
            "users.id: declared type Varchar(36) -> Uuid()",
            "users.phone: foreign key added (-> teams.id)",
            "users: index ix_users_email changed (email) -> (phone) unique",
            "users: index ix_users_phone added (phone)",
            "users: unique constraint removed (email)",
            "users: unique constraint added uq_phone (phone)",
            "users: check constraint added ck_phone (length(phone) > 3)",
        ]
    )


def test_models_split_over_files_and_merged_into_one_have_the_same_schema(tmp_path):
    """The schema-equivalence check end to end: before (two files) vs after (one)."""
    base = """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import declarative_base, relationship
        Base = declarative_base()
    """
    org = """
        class Organization(Base):
            __tablename__ = "organization"
            id = Column(Integer, primary_key=True)
            name = Column(String(100), nullable=False, unique=True)
    """
    user = """
        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            organization_id = Column(ForeignKey("organization.id"), index=True)
            organization = relationship("Organization")
    """
    before = write(
        tmp_path / "before",
        {
            "base.py": base,
            "org.py": "from base import *\n" + textwrap.dedent(org),
            "user.py": "from base import *\nimport org\n" + textwrap.dedent(user),
        },
    )
    after = write(
        tmp_path / "after",
        {"models.py": textwrap.dedent(base) + textwrap.dedent(org) + textwrap.dedent(user)},
    )
    old, new = probe(before, "org", "user"), probe(after, "models")

    assert old.ok and new.ok, (old.message, new.message)
    assert schema_diff(old.schema, new.schema) == []
    assert old.mappers == new.mappers == ("Organization (organization)", "User (users)")
