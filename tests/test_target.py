"""The default target and ``--target``: always a models.py, never a module with other code.

Issue 12 "The default target" and issue 11 item 4: the target is the one source named
models.py, else models.py in the deepest importable folder holding every source
(merged in when it exists and holds models or tables), else, when most sources live
in a ``models/`` package, its ``__init__.py``. Never a module holding non-model code,
never a path whose dotted name is empty or that no import root reaches; ``--target``
is checked the same way (one line, exit 2).
"""

from __future__ import annotations

import tomllib

from conftest import git

FACTORY = {
    "app/__init__.py": """
        from flask import Flask
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()


        def create_app():
            app = Flask(__name__)
            db.init_app(app)
            return app
    """,
    "app/mvp_models.py": """
        from app import db


        class Lead(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
    "app/legacy_models.py": """
        from app import db


        class OldLead(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
    "app/views.py": "from app import db\nfrom app.mvp_models import Lead\n",
}

FLAT = {  # a folder of scripts run from inside it: the folder is the import root
    "src/backend/__init__.py": "",
    "src/backend/models.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()


        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
    "src/backend/mvp_models.py": """
        from models import db


        class MVPUser(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
    "src/backend/unified_models.py": """
        from models import db


        class Organization(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
    "src/backend/run.py": "from models import db\nfrom mvp_models import MVPUser\n"
                          "from unified_models import Organization\n",
}

TABLES = {
    "pkg/__init__.py": "",
    "pkg/db.py": "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
    "pkg/models.py": """
        from sqlalchemy import Column, ForeignKey, Index, Integer, Table

        from pkg.db import Base

        tags = Table("tags", Base.metadata, Column("id", Integer, primary_key=True))
        item_tags = Table(
            "item_tags", Base.metadata,
            Column("item_id", Integer, ForeignKey("items.id")),
            Column("tag_id", Integer, ForeignKey("tags.id")),
        )
        Index("ix_item_tags_tag", item_tags.c.tag_id)
    """,
    "pkg/items/__init__.py": "",
    "pkg/items/models.py": """
        from sqlalchemy import Column, Integer

        from pkg.db import Base


        class Item(Base):
            __tablename__ = "items"
            id = Column(Integer, primary_key=True)
    """,
    "pkg/shop/__init__.py": "",
    "pkg/shop/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer

        from pkg.db import Base


        class Offer(Base):
            __tablename__ = "offers"
            id = Column(Integer, primary_key=True)
            item_id = Column(Integer, ForeignKey("items.id"))
    """,
    "pkg/api.py": "from pkg.items.models import Item\nfrom pkg.shop.models import Offer\n",
}


def plan_of(repo, run, *args):
    result = run("plan", "--repo", str(repo), "-o", "-", *args)
    return result, (tomllib.loads(result.out) if result.code in (0, 1) else None)


def test_sources_beside_an_app_factory_get_a_new_models_py(make_repo, run):
    repo = make_repo(FACTORY)
    result, plan = plan_of(repo, run)
    assert result.code == 0, result.err
    assert plan["target"] == "app/models.py"
    assert "app/__init__.py" not in plan["sources"]
    comment = result.out.split('\ntarget = ')[0].rsplit("# The unified module", 1)[1]
    comment = " ".join(line.lstrip("# ") for line in comment.splitlines())
    assert "Chosen because models.py in app/, the deepest folder holding every source" \
        in comment
    assert "Alternatives (pass --target): app/mvp_models.py (the most imported source" \
        in comment


def test_target_holding_non_model_code_is_refused(make_repo, run):
    repo = make_repo(FACTORY)
    result, _ = plan_of(repo, run, "--target", "app/__init__.py")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "app/__init__.py already exists and holds code that is not models" in result.err


def test_existing_non_model_file_at_the_default_path_is_never_the_target(make_repo, run):
    repo = make_repo({**FACTORY, "app/models.py": "def helper():\n    return 1\n"})
    result, plan = plan_of(repo, run)
    assert result.code == 0, result.err
    assert plan["target"] != "app/models.py"
    assert plan["target"] in plan["sources"]  # the alternative: a source, merged in place


def test_flat_script_folder_target_is_its_models_py(make_repo, run):
    repo = make_repo(FLAT)
    result, plan = plan_of(repo, run)
    assert result.code == 0, result.err
    assert plan["target"] == "src/backend/models.py"
    assert "the only source named models.py" in result.out


def test_target_with_an_empty_module_name_is_refused(make_repo, run):
    repo = make_repo(FLAT)
    result, _ = plan_of(repo, run, "--target", "src/backend/__init__.py")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "src/backend/__init__.py has no importable module name" in result.err


def test_target_must_be_a_python_file(make_repo, run):
    result, _ = plan_of(make_repo(FLAT), run, "--target", "src/backend/models")
    assert result.code == 2 and "is not a Python file" in result.err


def test_tables_only_module_is_a_model_module(make_repo, run):
    repo = make_repo(TABLES)
    scan = run("scan", "--repo", str(repo), "--json").json()
    assert [m["path"] for m in scan["model_modules"]] == [
        "pkg/items/models.py", "pkg/models.py", "pkg/shop/models.py"]
    result, plan = plan_of(repo, run)
    assert result.code == 0, result.err
    assert plan["target"] == "pkg/models.py" and "pkg/models.py" in plan["sources"]


def test_existing_tables_module_at_the_target_is_merged_in_as_a_source(make_repo, run):
    repo = make_repo(TABLES)
    result, plan = plan_of(repo, run, "--source", "pkg/items/models.py",
                           "--source", "pkg/shop/models.py")
    assert result.code == 0, result.err
    assert plan["target"] == "pkg/models.py"
    assert plan["sources"] == ["pkg/items/models.py", "pkg/models.py", "pkg/shop/models.py"]
    assert "pkg/models.py already exists and holds models: it is merged in as a source" \
        in " ".join(line.lstrip("# ") for line in result.out.splitlines())
    explicit, plan = plan_of(repo, run, "--source", "pkg/items/models.py",
                             "--target", "pkg/models.py")
    assert explicit.code == 0 and "pkg/models.py" in plan["sources"]


def test_source_accepts_a_tables_only_module(make_repo, run):
    repo = make_repo(TABLES)
    result, plan = plan_of(repo, run, "--source", "pkg/models.py",
                           "--source", "pkg/items/models.py")
    assert result.code == 0, result.err
    assert "pkg/models.py" in plan["sources"]


def test_merged_tables_module_keeps_its_tables(make_repo, run):

    repo = make_repo(TABLES)
    assert run("plan", "--repo", str(repo)).code == 0
    result = run("apply", str(repo / "plans/models.toml"), "--repo", str(repo), "--json")
    assert result.code == 0, result.out + result.err
    data = result.json()
    assert data["verification"]["ok"], data["verification"]
    text = git(repo, "show", "unify/models:pkg/models.py")
    for needle in ('Table("tags"', '"item_tags"', 'Index("ix_item_tags_tag"', "class Item",
                   "class Offer"):
        assert needle in text, needle


def test_hand_edited_target_over_existing_code_is_a_plan_problem(make_repo, run):
    repo = make_repo(FACTORY)
    assert run("plan", "--repo", str(repo)).code == 0
    path = repo / "plans" / "models.toml"
    path.write_text(path.read_text().replace('target = "app/models.py"',
                                             'target = "app/__init__.py"'))
    check = run("plan", "--check", str(path), "--repo", str(repo))
    assert check.code == 1
    assert "target 'app/__init__.py' already exists and is not a source" in check.out + check.err


def test_existing_target_file_is_fingerprinted(make_repo, run):
    model = ("from pkg.db import Base\nfrom sqlalchemy import Column, Integer\n\n\n"
             "class {0}(Base):\n    __tablename__ = '{0}'\n    id = Column(Integer, "
             "primary_key=True)\n")
    repo = make_repo({"pkg/__init__.py": "", "pkg/db.py": TABLES["pkg/db.py"],
                      "pkg/models/__init__.py": '"""The models, one module each."""\n',
                      "pkg/models/a.py": model.format("A"), "pkg/models/b.py": model.format("B"),
                      "pkg/run.py": "from pkg.models.a import A\nfrom pkg.models.b import B\n"})
    result, plan = plan_of(repo, run)
    assert result.code == 0, result.err
    assert plan["target"] == "pkg/models/__init__.py"
    assert "pkg/models/__init__.py" in plan["fingerprints"]  # apply refuses if it changes
