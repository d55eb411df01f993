"""Issue 11 pieces: helper conflicts, scaffolding, column choices of 3+ definitions, notes."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap

import tomlkit

from unify import scaffold
from unify.helper_conflicts import renamed


def test_helper_names_follow_their_module():
    assert renamed("next_free_name", "boards.py", ["models.py"]) == "boards_next_free_name"
    assert renamed("NAME_LENGTH", "board_models.py", ["models.py"]) == \
        "BOARD_MODELS_NAME_LENGTH"
    assert renamed("LeadSource", "models/lead.py", ["app/models/lead.py"]) == \
        "ModelsLeadSource"
    assert renamed("_slug", "legacy/models.py", ["app/models.py"]) == "_legacy_slug"


def _find(code: str, elsewhere=frozenset({"db"}), models=frozenset({"Competency"})):
    module = ast.parse(textwrap.dedent(code))

    def is_source(node):
        return isinstance(node, ast.ImportFrom) and node.module in ("models", "unified")

    return {module.body[i].lineno: why for i, why in
            scaffold.find(module, is_source, set(elsewhere), set(models)).items()}


def test_scaffolding_is_recognised_by_what_it_does():
    found = _find("""
        db = None
        PAGE_SIZE = 20

        def _get_db():
            global db
            if db is None:
                from models import db as models_db
                db = models_db
            return db

        def page(query):
            from models import db
            return db.paginate(query, per_page=PAGE_SIZE)

        try:
            from unified import Competency as SECompetency
        except ImportError:
            SECompetency = None

        try:
            import ujson as json
        except ImportError:
            import json

        class Competency:
            pass

        class Competency2(Base):
            pass
    """)
    assert sorted(found) == [2, 5, 16, 26]
    assert "rebinds db" in found[2] and "_get_db() only imports" in found[5]
    assert "placeholder class Competency" in found[26]


def test_no_scaffolding_in_ordinary_code():
    assert _find("""
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()
        STATUS = "active"

        def helper():
            return 1
    """, elsewhere=set()) == {}


def test_three_definitions_of_one_table_give_one_choice_per_column(make_repo, run):
    user = """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()

        class Organization(db.Model):
            __tablename__ = "organization"
            id = db.Column(db.Integer, primary_key=True)

        class User(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
            organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
            name = db.Column(db.String(80))
    """
    other = """
        from models import db

        class {cls}(db.Model):
            __tablename__ = "users"
            __table_args__ = {{"extend_existing": True}}
            id = db.Column(db.Integer, primary_key=True)
            organization_id = db.Column({type})
            name = db.Column(db.String({length}))
    """
    repo = make_repo({
        "models.py": user,
        "mvp_models.py": other.format(cls="MVPUser", type="db.String(36)", length=120),
        "legacy_models.py": other.format(cls="LegacyUser", type="db.BigInteger", length=40),
        "app.py": "from models import User\nfrom mvp_models import MVPUser\n",
        "views.py": "from models import User\n",  # User: the most imported
    })
    result = run("plan", "--repo", str(repo))
    assert result.code in (0, 1), result.err
    text = (repo / "plans" / "models.toml").read_text()
    conflict = next(c for c in tomlkit.parse(text)["conflicts"] if c["name"] == "User")
    assert sorted(conflict["columns"]) == ["name", "organization_id"]
    block = text[text.index("[conflicts.columns]"):]
    block = block[:block.index("organization_id =")]
    for ref in ("models.py:User", "mvp_models.py:MVPUser", "legacy_models.py:LegacyUser"):
        assert f"#   {ref}:" in block
    assert run("plan", "--check", str(repo / "plans" / "models.toml"),
               "--repo", str(repo)).code == 0


def test_helper_conflict_round_trips_through_plan_check(make_repo, run):
    repo = make_repo({
        "models.py": """
            from flask_sqlalchemy import SQLAlchemy
            db = SQLAlchemy()
            LIMIT = 10

            class A(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "extra_models.py": """
            from models import db
            LIMIT = 20

            class B(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                def top(self):
                    return LIMIT
        """,
        "app.py": "from extra_models import B, LIMIT\n",
    })
    assert run("plan", "--repo", str(repo), "--target", "models.py").code == 0
    plan = repo / "plans" / "models.toml"
    data = tomlkit.parse(plan.read_text())
    conflict = next(c for c in data["conflicts"] if c["name"] == "LIMIT")
    assert conflict["kind"] == "helper" and conflict["resolution"] == "rename"
    assert dict(conflict["rename"]) == {"extra_models.py:LIMIT": "EXTRA_MODELS_LIMIT"}
    assert run("plan", "--check", str(plan), "--repo", str(repo)).code == 0
    plan.write_text(plan.read_text().replace('resolution = "rename"', 'resolution = "merge"'))
    check = run("plan", "--check", str(plan), "--repo", str(repo))
    assert check.code == 1 and "a helper cannot be merged" in check.out + check.err


def test_notes_name_the_real_module_once(make_repo):
    repo = make_repo({
        "models.py": """
            from flask_sqlalchemy import SQLAlchemy
            db = SQLAlchemy()

            class User(db.Model):
                __tablename__ = "users"
                id = db.Column(db.Integer, primary_key=True)
                email = db.Column(db.String(80))
        """,
        "mvp_models.py": """
            from models import db

            class MVPUser(db.Model):
                __tablename__ = "users"
                __table_args__ = {"extend_existing": True}
                id = db.Column(db.Integer, primary_key=True)
                email = db.Column(db.String(80))
                phone = db.Column(db.String(20))
        """,
        "views.py": "from models import *\nfrom mvp_models import *\n\nprint(MVPUser, User)\n",
    })
    subprocess.run([sys.executable, "-m", "unify", "plan", "--repo", str(repo)],
                   capture_output=True, check=False)
    out = subprocess.run([sys.executable, "-m", "unify", "apply",
                          str(repo / "plans" / "models.toml"), "--repo", str(repo), "--json"],
                         capture_output=True, text=True)
    notes = json.loads(out.stdout)["notes"]
    star = [n for n in notes if "star import" in n]
    assert star and len(star) == len(set(star))
    assert not any("unify_target_module_placeholder" in n for n in notes), notes
    assert all("'models'" in n for n in star), star


def test_step_one_fails_if_the_target_still_imports_a_source(make_repo):
    import libcst as cst
    import pytest

    from unify.errors import Refused
    from unify.merge import MergeInput, _no_source_imports_left
    from unify.plan import Plan
    from unify.resolve import ModuleIndex
    from unify.scan import scan

    repo = make_repo({"models.py": "x = 1\n", "mvp_models.py": "y = 2\n",
                      "helpers.py": "z = 3\n"})
    result = scan(repo, "")
    plan = Plan(base_commit="", scope="", target="models.py", compat="models_compat.py",
                retire="shim", header="", sources=("models.py", "mvp_models.py"),
                fingerprints=(), sections=())
    inp = MergeInput(plan, {}, {}, ModuleIndex([m for m in result.modules if m.error is None]),
                     {})
    _no_source_imports_left(inp, cst.parse_module("def f():\n    from helpers import z\n"))
    with pytest.raises(Refused, match="line 4: from mvp_models import y"):
        _no_source_imports_left(inp, cst.parse_module(
            "import helpers\n\ndef f():\n    from mvp_models import y\n    return y\n"))
