"""Real layouts, end to end: the default target and the names the sources exported.

Each corpus case here is planned with no options at its root and applied as
planned (issue 12 "The default target", issue 11 items 3 and 4):

* app_factory: sources ``app/{mvp,legacy,billing}_models.py`` beside an app-factory
  ``app/__init__.py`` holding ``db``: the target is a new ``app/models.py`` and the
  factory is untouched;
* pkg_tables: sources ``pkg/*/models.py`` beside a tables-only ``pkg/models.py``: that
  file is a source and the target, merged into, never overwritten;
* alias_exports: a source ``models.py`` (the target) exporting ``SECompetency`` by an
  alias import, imported by ``tests/``.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import CORPUS, commit_all, git, init_repo
from unify.cli import main

CASES = ["app_factory", "pkg_tables", "alias_exports"]
TARGETS = {"app_factory": "app/models.py", "pkg_tables": "pkg/models.py",
           "alias_exports": "models.py"}
ENV = {"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    """case -> (repo, base sha, plan dict, apply JSON, checkout of the branch)."""
    cache = {}

    def get(case: str):
        if case not in cache:
            repo = tmp_path_factory.mktemp(case) / "repo"
            shutil.copytree(CORPUS / case, repo)
            init_repo(repo)
            commit_all(repo)
            base = git(repo, "rev-parse", "HEAD").strip()
            assert main(["plan", "--repo", str(repo)]) == 0  # no decision left open
            plan_path = repo / "plans" / "models.toml"
            out = subprocess.run(
                [sys.executable, "-m", "unify", "apply", str(plan_path), "--repo", str(repo),
                 "--json"], capture_output=True, text=True)
            assert out.returncode == 0, out.stdout + out.stderr
            clone = repo.parent / "checkout"
            git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(clone))
            plan = tomllib.loads(plan_path.read_text(encoding="utf-8"))
            cache[case] = (repo, base, plan, json.loads(out.stdout), clone)
        return cache[case]

    return get


@pytest.fixture(params=CASES)
def case(request, applied):
    return request.param, *applied(request.param)


def python(cwd: Path, script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True,
                          text=True, env=ENV)


def public_names(text: str) -> set[str]:
    """What a module bound at top level (the test's own reading, not unify's)."""
    names: set[str] = set()
    for stmt in ast.parse(text).body:
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.ImportFrom):
            names |= {a.asname or a.name for a in stmt.names if a.name != "*"}
        elif isinstance(stmt, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in stmt.names}
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and target.id == "__all__":
                    names |= set(ast.literal_eval(stmt.value))
                elif isinstance(target, ast.Name):
                    names.add(target.id)
    return {n for n in names if not n.startswith("_")}


def dotted(path: str) -> str:
    parts = path[:-3].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_default_target_is_a_models_py(case):
    name, repo, base, plan, result, clone = case
    assert plan["target"] == TARGETS[name]
    text = (repo / "plans" / "models.toml").read_text(encoding="utf-8")
    comment = text.split("\ntarget = ")[0].rsplit("# The unified module", 1)[1]
    assert "Chosen because" in comment  # the plan says why ...
    comment = " ".join(line.lstrip("# ") for line in comment.splitlines())
    if name == "app_factory":  # ... and names the alternatives
        assert "Alternatives (pass --target): app/mvp_models.py" in comment
    if name == "pkg_tables":  # an existing tables module there is merged in, said so
        assert "holds models or tables: merged in as a source" in comment
        assert "pkg/models.py" in plan["sources"]


def test_verification_passed(case):
    _, _, _, _, result, _ = case
    checks = {c["name"]: c for c in result["verification"]["checks"]}
    assert all(c["ok"] for c in checks.values()), checks
    assert result["verification"]["ok"]


def test_every_public_name_stays_importable_from_its_module(case):
    """An importer outside the scan scope (written after apply, never rewritten)."""
    name, repo, base, plan, _, clone = case
    lines = []
    for source in plan["sources"]:
        before = git(repo, "show", f"{base}:{source}")
        names = sorted(public_names(before))
        assert names
        lines.append(f"from {dotted(source)} import {', '.join(names)}")
    out = python(clone, "import warnings; warnings.simplefilter('ignore')\n"
                 + "\n".join(lines) + "\nprint('OK')\n")
    assert out.returncode == 0 and out.stdout == "OK\n", out.stderr[-2000:]


def test_rollback_after_merge_is_byte_identical(case, tmp_path):
    name, repo, base, _, _, _ = case
    work = tmp_path / "merged"
    git(tmp_path, "clone", "-q", str(repo), str(work))
    git(work, "fetch", "-q", "origin", "unify/models:unify/models")
    git(work, "merge", "-q", "--ff-only", "unify/models")
    assert main(["rollback", "--repo", str(work), "--branch", "unify/models"]) == 0
    assert git(work, "rev-parse", "HEAD^{tree}") == git(work, "rev-parse", f"{base}^{{tree}}")


def test_app_factory_untouched_and_db_importable(applied):
    repo, base, plan, result, clone = applied("app_factory")
    touched = {f for step in result["steps"] for f in step["files"]}
    assert "app/__init__.py" not in touched
    assert (clone / "app/__init__.py").read_bytes() == (CORPUS / "app_factory/app/__init__.py"
                                                         ).read_bytes()
    out = python(clone, "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
                 "import wsgi\nfrom app import db\nfrom sqlalchemy.orm import configure_mappers\n"
                 "with wsgi.app.app_context():\n    configure_mappers()\n    db.create_all()\n"
                 "    print(sorted(db.metadata.tables))\n")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == str(sorted(
        ["customers", "subscriptions", "legacy_reports", "invoices", "payments"]))


def test_tables_only_module_is_a_source_and_keeps_its_tables(applied):
    repo, base, plan, result, clone = applied("pkg_tables")
    assert "pkg/models.py" in plan["sources"]
    out = python(clone, "import manage\nfrom pkg.db import Base, engine\n"
                 "from sqlalchemy.orm import configure_mappers\nconfigure_mappers()\n"
                 "Base.metadata.create_all(engine)\n"
                 "t = Base.metadata.tables\n"
                 "print(sorted(t), sorted(i.name for n in t.values() for i in n.indexes))\n")
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == str(sorted(
        ["order_products", "orders", "products", "roles", "user_roles", "users"])) + " " + str(
        ["ix_order_products_product", "ix_user_roles_role"])


def test_alias_exports_project_tests_still_pass(applied):
    repo, base, plan, result, clone = applied("alias_exports")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests"], cwd=clone, capture_output=True, text=True, env=ENV)
    assert out.returncode == 0, out.stdout[-2000:]
    probe = python(clone, "from models import SECompetency, SERole, Competency, Role\n"
                   "assert SECompetency is Competency and SERole is Role\nprint('OK')\n")
    assert probe.returncode == 0 and probe.stdout == "OK\n", probe.stderr[-2000:]
