"""The runtime check imports the models the way the project does (issue 16.4).

corpus/app_first: the models import only once app/app.py (the Flask application
module) has loaded. Before the fix the probe imported the target cold, failed before
and after, and verification failed without having verified anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from conftest import CORPUS, commit_all, git, init_repo
from test_cycles import fresh_import, project_tests, tree_digest, unify

CASE = "app_first"
ORACLE = tomllib.loads((CORPUS / f"{CASE}.expected.toml").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / CASE
    shutil.copytree(CORPUS / CASE, root)
    init_repo(root)
    commit_all(root)
    return root


def test_the_target_does_not_import_cold_at_base(repo):
    for module in ("app.user.models", "app.talks.models"):
        assert "partially initialized module" in fresh_import(repo, module)
    assert fresh_import(repo, ORACLE["runtime"]["first"]) is None


@pytest.mark.parametrize("target", [None, "app/user/models.py"])
def test_probe_imports_the_application_first_and_says_so(repo, target):
    before_tests = project_tests(repo)
    assert before_tests.returncode == 0, before_tests.stdout
    base = git(repo, "rev-parse", "HEAD").strip()
    digest = tree_digest(repo)
    more = ["--target", target] if target else []
    assert unify("plan", "--repo", str(repo), *more).returncode == 0
    done = unify("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    verification = json.loads(done.stdout)["verification"]
    checks = {c["name"]: c for c in verification["checks"]}
    assert verification["ok"], checks
    first = ORACLE["runtime"]["first"]
    assert f"imported after {first} (the application module)" in checks["runtime"]["detail"]
    assert "(before: ok)" in checks["runtime"]["detail"]
    importers = checks["runtime-importers"]["detail"]
    assert f"all {len(ORACLE['runtime']['importers'])} modules" in importers
    assert f"each after {first}" in importers

    git(repo, "checkout", "-q", "unify/models")
    try:
        mappers = subprocess.run(
            [sys.executable, "-c", f"import {first}, app.cli\n"
             "from sqlalchemy.orm import configure_mappers\nconfigure_mappers()"],
            cwd=repo, capture_output=True, text=True,
            env=dict(os.environ, PYTHONPATH=str(repo), PYTHONDONTWRITEBYTECODE="1"))
        assert mappers.returncode == 0, mappers.stderr
        after_tests = project_tests(repo)
        assert after_tests.returncode == 0, after_tests.stdout
        assert after_tests.stdout.strip().splitlines()[-1].split(" in ")[0] == \
            before_tests.stdout.strip().splitlines()[-1].split(" in ")[0]
    finally:
        git(repo, "checkout", "-q", "main")
    rolled = unify("rollback", "--repo", str(repo))
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == base
    assert tree_digest(repo) == digest


PLUGIN_PROJECT = {
    # no application module: the models need core.bootstrap, which their importer loads
    "core/__init__.py": "",
    "core/db.py": """
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()
        READY = False  # core.bootstrap sets it once the configuration is loaded


        def require_bootstrap():
            if not READY:  # like Django's "Apps aren't loaded yet"
                raise RuntimeError("import core.bootstrap before the models")
    """,
    "core/bootstrap.py": """
        from core import db

        db.READY = True
    """,
    "core/users.py": """
        from sqlalchemy import Column, Integer, String

        from core.db import Base, require_bootstrap

        require_bootstrap()


        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            name = Column(String(80))
    """,
    "core/groups.py": """
        from sqlalchemy import Column, ForeignKey, Integer, String

        from core.db import Base, require_bootstrap

        require_bootstrap()


        class Group(Base):
            __tablename__ = "groups"
            id = Column(Integer, primary_key=True)
            owner_id = Column(Integer, ForeignKey("users.id"))
            name = Column(String(80))
    """,
    "services/__init__.py": "",
    "services/accounts.py": """
        import core.bootstrap  # noqa: F401  (before any model)
        from core.groups import Group
        from core.users import User


        def owned(session, user: User):
            return session.query(Group).filter_by(owner_id=user.id).all()
    """,
}


def test_without_an_application_module_the_importers_go_first(make_repo):
    repo = make_repo(PLUGIN_PROJECT)
    assert fresh_import(repo, "core.users") is not None
    assert unify("plan", "--repo", str(repo), "--target", "core/models.py").returncode == 0
    done = unify("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    checks = {c["name"]: c for c in json.loads(done.stdout)["verification"]["checks"]}
    assert checks["runtime"]["ok"], checks["runtime"]
    assert "imported after the modules that import the sources (services.accounts)" in \
        checks["runtime"]["detail"]
