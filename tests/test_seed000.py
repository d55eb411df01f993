"""Seed 000 end to end, on SQLite and on a real PostgreSQL (tests/pg.py).

The database (corpus/seed000_drift/schema.sql) has two tables and a column no
model describes, and the backend dies at import. `unify check --database`
finds exactly those; `unify plan --database` + `apply` write them; the app
then imports, its mappers configure, the seed's own setup script runs against
the live database, and `check --database` is clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import CORPUS, Run, commit_all, git, init_repo

CASE = "seed000_drift"
BACKEND = "src/backend"
ORACLE = tomllib.loads((CORPUS / f"{CASE}.expected.toml").read_text(encoding="utf-8"))


def keys(data: dict) -> list[str]:
    return sorted(f"{d['code']} {d['path']} {d['subject']}" for d in data["diagnostics"])


def python(checkout: Path, code: str, database_url: str) -> Run:
    """Run code as the app would: from the project, PYTHONPATH=src/backend, DATABASE_URL set."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": str(checkout / BACKEND), "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-c", code], cwd=checkout, capture_output=True,
                          text=True, env=env)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def drifted(tmp_path, database):
    """The case in a fresh git repository, and its schema.sql loaded into ``database``."""
    repo = tmp_path / CASE
    shutil.copytree(CORPUS / CASE, repo)
    init_repo(repo)
    commit_all(repo)
    database.load((repo / ORACLE["database"]["schema"]).read_text(encoding="utf-8"))
    return repo, database


def never_shows_the_password(result, database) -> None:
    if database.password:
        assert database.password not in result.out + result.err


SETUP = """
import sys
sys.path.insert(0, "src/backend/setup")
from sqlalchemy.orm import configure_mappers
import setup_phase2_task3_for_org as task
from app import create_app
from models import db, Organization, StrategyTemplate
app = create_app()
with app.app_context():
    configure_mappers()
    org = Organization(organization_name="Org 28", organization_public_key="k28")
    db.session.add(org)
    db.session.add(StrategyTemplate(strategy_name="SE for managers"))
    db.session.add(StrategyTemplate(strategy_name="Retired", is_active=False))
    db.session.commit()
    rows = task.setup_phase2_task3(org.id)
    template = rows[0].strategy_template
    print("OK", len(rows), template.strategy_name, template.is_active,
          [s.strategy_name for s in template.learning_strategies])
"""


def test_seed000_check_plan_apply_on_a_live_database(drifted, run):
    repo, database = drifted

    # check: exactly the seed's missing pieces, next to the static U304
    found = run("check", "--repo", str(repo), "--database", database.url, "--json")
    never_shows_the_password(found, database)
    assert found.code == 1, found.err
    data = found.json()
    want = sorted(ORACLE["check"]["findings"] + ORACLE["database"]["findings"])
    assert keys(data) == want
    assert data["database"].startswith(f"{database.kind}://")
    assert "***" in data["database"] or database.password is None

    # plan: two generated models placed before LearningStrategy, one added column;
    # deterministic, and valid for `plan --check`
    plan = repo / "plans" / "models.toml"
    made = run("plan", "--repo", str(repo), "--database", database.url)
    never_shows_the_password(made, database)
    assert made.code == 0, made.out + made.err
    assert "database   2 new models (StrategyTemplate, StrategyTemplateCompetency), " \
           "1 added columns" in made.out
    again = run("plan", "--repo", str(repo), "--database", database.url, "-o", "-")
    assert again.out == plan.read_text(encoding="utf-8")
    assert database.password is None or database.password not in plan.read_text()
    content = tomllib.loads(plan.read_text(encoding="utf-8"))
    assert [s["name"] for s in content["stubs"]] == ["StrategyTemplate",
                                                     "StrategyTemplateCompetency"]
    assert [(c["model"], c["attr"]) for c in content["columns"]] == [
        ("LearningStrategy", "strategy_template_id")]
    models = [m for s in content["sections"] for m in s["models"]]
    assert models.index("StrategyTemplate") < models.index("StrategyTemplateCompetency") \
        < models.index("LearningStrategy")
    assert run("plan", "--check", str(plan), "--repo", str(repo)).code == 0

    # apply: verification passes (imports, mappers, create_all, schema named by the plan)
    applied = run("apply", str(plan), "--repo", str(repo), "--json", "-q")
    assert applied.code == 0, applied.out + applied.err
    result = applied.json()
    assert result["verification"]["ok"], result["verification"]

    # the app: before, the seed's ImportError; after, it imports, its mappers
    # configure, and the seed's setup script runs against the live database
    before = python(repo, SETUP, database.app_url)
    assert before.code != 0
    assert "cannot import name 'StrategyTemplate' from 'models'" in before.err
    checkout = repo.parent / "checkout"
    git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(checkout))
    after = python(checkout, SETUP, database.app_url)
    assert after.code == 0, after.err[-3000:]
    assert after.out.split() == ["OK", "1", "SE", "for", "managers", "True",
                                    "['SE", "for", "managers']"]

    # check is clean against the database (U302 is the compat module's own star import)
    clean = run("check", "--repo", str(checkout), "--database", database.url,
                  "--ignore", "U302")
    never_shows_the_password(clean, database)
    assert clean.code == 0, clean.out + clean.err
    assert "All checks passed" in clean.out


def test_generated_code_follows_the_database(drifted, run):
    repo, database = drifted
    made = run("plan", "--repo", str(repo), "--database", database.url, "-o", "-")
    plan = tomllib.loads(made.out)
    stubs = {s["name"]: s for s in plan["stubs"]}
    template = stubs["StrategyTemplate"]["code"]
    assert template.startswith("class StrategyTemplate(db.Model):")
    assert '__tablename__ = "strategy_template"' in template
    assert "strategy_name = db.Column(db.String(255), nullable=False, unique=True)" in template
    assert 'server_default=db.text("CURRENT_TIMESTAMP")' in template
    assert 'db.relationship(\n        "LearningStrategy", back_populates="strategy_template"' \
        in template
    competency = stubs["StrategyTemplateCompetency"]["code"]
    for expected in ('db.UniqueConstraint(', '"strategy_template_id"', '"competency_id"',
                     'db.CheckConstraint(', "target_level >= 1 AND target_level <= 6",
                     'db.Index("idx_strategy_template_competency_template", '
                     '"strategy_template_id")',
                     'back_populates="strategy_template_competencies"'):
        assert expected in competency, expected
    if database.kind == "postgresql":  # only PostgreSQL reports ON DELETE and constraint names
        assert 'db.ForeignKey("strategy_template.id", ondelete="CASCADE")' in competency
        assert 'name="strategy_template_competency_target_level_check"' in competency
    fixes = {(f["model"], f["attr"], f["to"]) for f in plan["fixes"]}
    assert fixes == {("LearningStrategy", "strategy_template",
                      "StrategyTemplate.learning_strategies"),
                     ("Competency", "strategy_template_competencies",
                      "StrategyTemplateCompetency.competency")}
    assert plan["columns"][0]["code"] == (
        'strategy_template_id = db.Column(db.Integer, db.ForeignKey("strategy_template.id"))')


@pytest.mark.parametrize("broken", ["password", "port", "database"])
def test_bad_postgres_url_is_one_line_exit_2_nothing_written(tmp_path, pg_server, broken, run):
    repo = tmp_path / CASE
    shutil.copytree(CORPUS / CASE, repo)
    init_repo(repo)
    commit_all(repo)
    url = {"password": pg_server.url("postgres", password="not-the-" + pg_server.password),
           "port": pg_server.url("postgres", port=1),
           "database": pg_server.url("no_such_db")}[broken]
    for command in (["check"], ["plan"]):
        result = run(*command, "--repo", str(repo), "--database", url)
        assert result.code == 2, result.out + result.err
        assert result.out == "" and result.err.count("\n") == 1
        assert result.err.startswith("unify: error: cannot read the database postgresql://")
        assert pg_server.password not in result.err and "Traceback" not in result.err
    assert not (repo / "plans").exists()
    assert git(repo, "status", "--porcelain") == ""
