"""Issue 11 end to end: the merge loses nothing, and verification proves it.

Each corpus case is planned with the defaults and applied in a fresh git
repository; then the branch must import and configure its mappers, pass every
verification check (nothing-lost included), serve an importer the repository
does not know about (a script outside the scanned tree, importing old names
from the old module paths), and roll back to the very same bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from conftest import CORPUS, commit_all, git, init_repo
from unify.cli import main

# What an importer outside the scan scope (tests, plugins, other services) runs
# against the applied branch; it passes against the base commit too.
OUTSIDE = {
    "dup_helpers": """
        from app import create_app
        from models import db, Workspace, next_free_name, NAME_LENGTH
        from board_models import Board, Card, next_free_name as next_board_name
        from board_models import NAME_LENGTH as BOARD_NAME_LENGTH, slugify
        app = create_app()
        with app.app_context():
            db.create_all()
            team = Workspace("Team")
            db.session.add(team)
            db.session.commit()
            for _ in range(2):
                db.session.add(Board("Sprint", team))
                db.session.commit()
            names = sorted(b.name for b in Board.query.all())
            assert names == ["Sprint", "Sprint (2)"], names
            assert Workspace("Team").name == "Team-2"
            assert next_board_name("Sprint") == "Sprint (3)"
            assert (NAME_LENGTH, BOARD_NAME_LENGTH) == (80, 64)
            assert Board.__table__.c.name.type.length == 64
            assert Card.__table__.c.title.type.length == 128
            assert slugify("A b") == "a-b"
        print("OK")
    """,
    "circular_scaffold": """
        from app import create_app
        from models import db, Organization, User, SECompetency, SERole
        from unified_models import Competency, Role, Assessment, db as unified_db
        from mvp_models import MVPPlan, SECompetency as MVPCompetency
        assert SECompetency is Competency and MVPCompetency is Competency
        assert SERole is Role and unified_db is db
        app = create_app()
        with app.app_context():
            db.create_all()
            org = Organization(name="ACME")
            user = User(email="a@example.com", organization=org)
            comp = Competency(code="SE-1", title="Systems thinking")
            db.session.add_all([org, user, comp, Role(name="Engineer")])
            db.session.add(Assessment(user=user, competency=comp, level=3))
            db.session.add(MVPPlan(user=user, competency=comp))
            db.session.commit()
            assert Assessment.query.one().competency.code == "SE-1"
        print("OK")
    """,
}
CASES = sorted(OUTSIDE)


def _run_outside(checkout: Path, case: str, tmp: Path) -> subprocess.CompletedProcess:
    script = tmp / f"outside_{case}.py"
    script.write_text("import warnings\nwarnings.simplefilter('ignore', DeprecationWarning)\n"
                      + textwrap.dedent(OUTSIDE[case]))
    return subprocess.run([sys.executable, str(script)], cwd=tmp, capture_output=True,
                          text=True, env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin",
                                          "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    cache = {}

    def get(case: str):
        if case not in cache:
            repo = tmp_path_factory.mktemp(case) / "repo"
            shutil.copytree(CORPUS / case, repo)
            init_repo(repo)
            commit_all(repo)
            base = git(repo, "rev-parse", "HEAD").strip()
            assert main(["plan", "--repo", str(repo)]) == 0
            out = subprocess.run([sys.executable, "-m", "unify", "apply",
                                  str(repo / "plans" / "models.toml"), "--repo", str(repo),
                                  "--json"], capture_output=True, text=True)
            cache[case] = (repo, base, out)
        return cache[case]

    return get


@pytest.fixture(params=CASES)
def case(request, applied):
    return request.param, *applied(request.param)


def test_apply_passes_every_check(case):
    name, _, _, out = case
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    checks = {c["name"]: c for c in json.loads(out.stdout)["verification"]["checks"]}
    assert checks["nothing-lost"]["ok"] and checks["runtime"]["ok"], checks
    assert "public names" in checks["nothing-lost"]["detail"]


def test_outside_importer_works_before_and_after(case, tmp_path):
    name, repo, base, _ = case
    after = tmp_path / "after"
    git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(after))
    result = _run_outside(after, name, tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "OK", result.stderr[-3000:]
    before = tmp_path / "before"
    git(repo.parent, "clone", "-q", str(repo), str(before))
    git(before, "checkout", "-q", base)
    result = _run_outside(before, name, tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "OK", result.stderr[-3000:]


def test_configure_mappers_in_the_project_interpreter(case, tmp_path):
    name, repo, _, _ = case
    clone = tmp_path / "clone"
    git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(clone))
    script = ("import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
              "from app import create_app\nfrom sqlalchemy.orm import configure_mappers\n"
              "import models\nwith create_app().app_context():\n    configure_mappers()\n"
              "    models.db.create_all()\nprint(sorted(models.db.metadata.tables))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=clone, capture_output=True,
                            text=True, env={"PATH": "/usr/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    want = tomllib.loads((CORPUS / f"{name}.expected.toml").read_text())["apply"]["tables"]
    assert result.stdout.strip() == repr(sorted(want))


def test_the_target_imports_no_source_and_keeps_headers(case):
    name, repo, _, _ = case
    want = tomllib.loads((CORPUS / f"{name}.expected.toml").read_text())["apply"]
    text = git(repo, "show", f"unify/models:{want['target']}")
    for line in want["kept_in_target"]:
        assert line in text, line
    for line in want["not_in_target"]:
        assert line not in text, line
    for line in want["once_in_target"]:
        assert text.count(line) == 1, line
    pr = (repo / "plans" / "models.pr.md").read_text()
    assert "unify_target_module_placeholder" not in pr
    for line in want.get("in_pr", []):
        assert line in pr, line


def test_rollback_is_byte_identical(case, run):
    _, repo, base, _ = case
    files = {p: p.read_bytes() for p in sorted(repo.rglob("*"))
             if p.is_file() and ".git" not in p.parts}
    result = run("rollback", "--repo", str(repo))
    assert result.code == 0, result.err
    assert "unify/models" not in git(repo, "branch", "--list")
    assert git(repo, "rev-parse", "HEAD").strip() == base
    assert {p: p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".git" not in p.parts} == files
