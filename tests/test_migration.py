"""Issue 18: the database follows the code (unify/migration.py, the `migration` step).

Unit tests of compare (schema diff -> op records) and rendering, then the
corpus case alembic_seed001 end to end: the plan asks for the data-loss
decision, apply writes one revision after the current head, and on a real
PostgreSQL `alembic upgrade head` gives the schema of the new models
(`check --database` clean) and `alembic downgrade -1` gives back exactly the
schema before.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from unify import migration as m
from unify.errors import Refused

# -- compare ------------------------------------------------------------------------------


def test_retype_and_retarget_become_alter_and_foreign_keys():
    before = {"organization": {"id": ("Integer", None, True)},
              "t": {"org": ("String(36)", "organization.id", False),
                    "boss": ("Integer", "organizations.id", False)}}
    after = {"organization": {"id": ("Integer", None, True)},
             "t": {"org": ("Integer", "organization.id", False),
                   "boss": ("Integer", "organization.id", False)}}
    ops = m.compare(before, after)
    assert ops == [
        m.DropForeignKey("t", "boss", "t_boss_fkey", "organizations.id", maybe=True),
        m.AlterType("t", "org", "String(36)", "Integer", m.loss("String(36)", "Integer")),
        m.CreateForeignKey("t", "boss", "t_boss_fkey", "organization.id"),
        # String -> Integer: PostgreSQL could not hold the key before; it can now
        m.CreateForeignKey("t", "org", "t_org_fkey", "organization.id"),
    ]
    assert ops[1].loss and "integer" in ops[1].loss


def test_renames_are_renames_never_drop_and_add():
    before = {"old_name": {"id": ("Integer", None, True), "a": ("String(10)", None, False)},
              "keep": {"id": ("Integer", None, True), "x": ("Text", None, False)}}
    after = {"new_name": {"id": ("Integer", None, True), "a": ("String(10)", None, False)},
             "keep": {"id": ("Integer", None, True), "y": ("Text", None, False)}}
    ops = m.compare(before, after)
    assert ops == [m.RenameTable("old_name", "new_name"),
                   m.RenameColumn("keep", "x", "y", "Text")]
    text = m.render_revision(ops, "abc", "base", "plan", True)
    assert "drop_table" not in text.split("def downgrade")[0]
    assert "drop_column" not in text and "add_column" not in text


def test_tables_the_database_has_and_new_tables():
    before = {"a": {"id": ("Integer", None, True)}}
    after = {"a": {"id": ("Integer", None, True), "live": ("Text", None, False)},
             "legacy_stub": {"id": ("Integer", None, True)},
             "brand_new": {"id": ("Integer", None, True), "a_id": ("Integer", "a.id", False)}}
    ops = m.compare(before, after, existing={"legacy_stub"}, added_columns={("a", "live")})
    assert ops == [m.CreateTable("brand_new", (("id", "Integer", None, True),
                                               ("a_id", "Integer", "a.id", False)))]
    gone = m.compare({"a": {"id": ("Integer", None, True)}}, {})
    assert gone == [m.Kept("a")]
    assert gone[0].what == "table a: no model maps it any more; not dropped"
    assert "op.drop" not in m.render_revision(gone, "r", None, "p", True)


@pytest.mark.parametrize("old, new, lossy", [
    ("String(36)", "Integer", True),
    ("String(100)", "String(50)", True),
    ("Text", "String(20)", True),
    ("BigInteger", "Integer", True),
    ("Float", "Integer", True),
    ("String(50)", "String(100)", False),
    ("Integer", "String(36)", False),
    ("Integer", "BigInteger", False),
    ("String(20)", "Text", False),
])
def test_which_casts_can_lose_data(old, new, lossy):
    assert bool(m.loss(old, new)) is lossy


def test_revision_renders_working_python_with_each_reverse():
    ops = m.compare({"t": {"c": ("String(36)", None, False)}}, {"t": {"c": ("Integer", None, False)}})
    text = m.render_revision(ops, "r2", "r1", "p", accepted=False)
    compile(text, "rev.py", "exec")
    up, down = text.split("def downgrade")
    assert "type_=sa.Integer()" in up and "postgresql_using='c::integer'" in up
    assert "type_=sa.String(36)" in down and "postgresql_using='c::varchar(36)'" in down
    assert "DATA LOSS (not decided in the plan)" in text
    assert "ALTER TABLE t ALTER COLUMN c TYPE INTEGER USING c::integer;" in m.render_sql(ops)


SIMULATED_BEFORE = {
    "organization": {"id": ("Integer", None, True)},
    "t": {"org": ("String(36)", "organization.id", False),
          "boss": ("Integer", "organizations.id", False), "x": ("Text", None, False)},
    "old_name": {"id": ("Integer", None, True)},
    "gone": {"id": ("Integer", None, True)},
}
SIMULATED_AFTER = {
    "organization": {"id": ("Integer", None, True), "extra": ("String(5)", None, False)},
    "t": {"org": ("Integer", "organization.id", False),
          "boss": ("Integer", "organization.id", False), "y": ("Text", None, False)},
    "new_name": {"id": ("Integer", None, True)},
    "fresh": {"id": ("Integer", None, True), "t_org": ("Integer", "t.org", False)},
}


def test_the_revision_takes_the_database_where_the_models_say_and_back():
    ops = m.compare(SIMULATED_BEFORE, SIMULATED_AFTER)
    assert {type(op).__name__ for op in ops} == {
        "DropForeignKey", "AlterType", "CreateForeignKey", "CreateTable", "RenameTable",
        "RenameColumn", "AddColumn", "Kept"}
    text = m.render_revision(ops, "r2", "r1", "p", True)
    start, end = m.expected_states(ops, SIMULATED_BEFORE, SIMULATED_AFTER, set(), set())
    assert start["t"]["org"][1] is None and start["t"]["boss"][1] is None  # impossible keys
    assert end["gone"] == {"id": ("Integer", None, True)}  # kept, never dropped
    up = m.simulate(text, "upgrade", start)
    assert up == end
    assert m.simulate(text, "downgrade", up) == start


@pytest.mark.parametrize("damage", [
    ("op.drop_table('fresh')", "pass"),  # downgrade forgets a table it created
    ("type_=sa.String(36)", "type_=sa.String(64)"),  # downgrade restores the wrong type
    ("new_column_name='y'", "new_column_name='z'"),  # upgrade renames to the wrong name
])
def test_the_simulation_catches_a_wrong_revision(damage):
    ops = m.compare(SIMULATED_BEFORE, SIMULATED_AFTER)
    text = m.render_revision(ops, "r2", "r1", "p", True)
    assert damage[0] in text
    broken = text.replace(damage[0], damage[1])
    start, end = m.expected_states(ops, SIMULATED_BEFORE, SIMULATED_AFTER, set(), set())
    up = m.simulate(broken, "upgrade", start)
    assert up != end or m.simulate(broken, "downgrade", up) != start


def test_a_key_to_a_missing_column_is_dropped_if_it_exists():
    """U104 (users.user_id where users has only id): no database could hold the old key."""
    before = {"users": {"id": ("Integer", None, True)},
              "plans": {"user_id": ("Integer", "users.user_id", False)}}
    after = {"users": {"id": ("Integer", None, True)},
             "plans": {"user_id": ("Integer", "users.id", False)}}
    ops = m.compare(before, after)
    assert ops == [m.DropForeignKey("plans", "user_id", "plans_user_id_fkey", "users.user_id",
                                    maybe=True),
                   m.CreateForeignKey("plans", "user_id", "plans_user_id_fkey", "users.id")]
    assert "DROP CONSTRAINT IF EXISTS plans_user_id_fkey" in m.render_sql(ops)
    text = m.render_revision(ops, "r", None, "p", True)
    start, end = m.expected_states(ops, before, after, set(), set())
    assert m.simulate(text, "downgrade", m.simulate(text, "upgrade", start)) == start


# -- the project's Alembic, read statically ------------------------------------------------


def _revision(folder: Path, rev: str, down) -> None:
    (folder / f"{rev}_x.py").write_text(f"revision = {rev!r}\ndown_revision = {down!r}\n")


def test_heads_and_several_heads_refused(tmp_path):
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "migrations" / "env.py").write_text("")
    versions = tmp_path / "migrations" / "versions"
    _revision(versions, "a1", None)
    _revision(versions, "b2", "a1")
    setup = m.find_alembic(tmp_path)
    assert setup == m.Alembic("migrations/env.py", "migrations/versions")
    assert m.current_head(tmp_path, setup) == "b2"
    _revision(versions, "c3", "a1")
    with pytest.raises(Refused, match="several Alembic heads"):
        m.current_head(tmp_path, setup)
    _revision(versions, "d4", ("b2", "c3"))  # a merge revision: one head again
    assert m.current_head(tmp_path, setup) == "d4"


def test_alembic_ini_script_location(tmp_path):
    (tmp_path / "db" / "alembic" / "versions").mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/db/alembic\n")
    assert m.find_alembic(tmp_path).versions == "db/alembic/versions"
    (tmp_path / "other").mkdir()
    assert m.find_alembic(tmp_path / "other") is None


# -- end to end: alembic_seed001 -------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


def _plan(repo: Path, run) -> Path:
    result = run("plan", "--repo", str(repo))
    assert result.code in (0, 1), result.err  # 1: decisions are open
    return repo / "plans" / "models.toml"


def test_plan_asks_for_the_data_loss_decision(corpus_repo, run):
    repo = corpus_repo("alembic_seed001")
    plan = _plan(repo, run)
    text = plan.read_text()
    assert 'data_loss = "?" # USING organization_id::integer' in text
    checked = run("plan", "--check", str(plan))
    assert checked.code == 1 and "can lose data and is undecided" in checked.out + checked.err
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "plan")
    refused = run("apply", str(plan), "--branch", "unify/models", "--no-verify")
    assert refused.code == 1 and "RoleMapping.organization_id" in refused.err


def _accepted_apply(repo: Path, run, *options: str):
    plan = _plan(repo, run)
    plan.write_text(plan.read_text().replace('data_loss = "?"', 'data_loss = "accept"'))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "plan")
    result = run("apply", str(plan), "--branch", "unify/models", *options)
    assert result.code == 0, result.out + result.err
    return plan


def _alembic(repo: Path, url: str, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "alembic", "-c", "alembic.ini", *args],
                            cwd=repo, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr


def test_revision_upgrades_and_downgrades_on_postgresql(corpus_repo, run, pg_server):
    from pg import postgres_database
    from unify.dbcheck import read_schema

    repo = corpus_repo("alembic_seed001")
    base = git(repo, "rev-parse", "HEAD").strip()
    plan = _accepted_apply(repo, run)
    log = git(repo, "log", "--format=%(trailers:key=Unify-Step,valueonly)", "-7", "unify/models")
    assert "5/6 migration" in log.splitlines()
    revisions = git(repo, "ls-tree", "--name-only", "unify/models", "migrations/versions/").split()
    [new] = [r for r in revisions if "3f2a9c1d7b10" not in r]
    git(repo, "checkout", "-q", "unify/models")
    text = (repo / new).read_text()
    assert "down_revision = \"3f2a9c1d7b10\"" in text
    assert "DATA LOSS (accepted in the plan" in text
    pr = plan.with_suffix(".pr.md").read_text()
    assert "## Database migration" in pr and "USING organization_id::integer" in pr
    assert "**Data loss possible**" in pr
    assert "- [x] **migration**: revision" in pr  # verify followed the revision op by op

    db = postgres_database(pg_server)
    _alembic(repo, db.app_url, "upgrade", "3f2a9c1d7b10")
    before = read_schema(db.url)
    _alembic(repo, db.app_url, "upgrade", "head")
    checked = run("check", "--repo", str(repo), "--database", db.url, "--json")
    live = [d for d in checked.json()["diagnostics"] if d["code"].startswith("U4")]
    assert live == [], live  # the database is what the unified models declare
    after = read_schema(db.url)
    assert after != before
    _alembic(repo, db.app_url, "downgrade", "-1")
    assert read_schema(db.url) == before  # exactly the schema before the revision

    # rollback removes the revision with the rest; status shows the step
    git(repo, "checkout", "-q", base)
    status = run("status", "--repo", str(repo), "--json").json()
    assert [s[1] for s in status[0]["steps"]][4] == "migration"
    rolled = run("rollback", "--repo", str(repo), "--branch", "unify/models")
    assert rolled.code == 0, rolled.err
    assert git(repo, "branch", "--list", "unify/models").strip() == ""
    assert not (repo / new).exists()


def test_check_database_is_not_clean_without_the_revision(corpus_repo, run, pg_server):
    """The PostgreSQL test above can fail: the unified models against the old schema."""
    from pg import postgres_database

    repo = corpus_repo("alembic_seed001")
    _accepted_apply(repo, run, "--no-verify")
    git(repo, "checkout", "-q", "unify/models")
    db = postgres_database(pg_server)
    _alembic(repo, db.app_url, "upgrade", "3f2a9c1d7b10")
    checked = run("check", "--repo", str(repo), "--database", db.url, "--json")
    codes = {d["code"] for d in checked.json()["diagnostics"] if d["code"].startswith("U4")}
    assert codes, "the old schema differs from the unified models"


def test_no_migration_option_and_projects_without_alembic(corpus_repo, make_repo, run):
    repo = corpus_repo("alembic_seed001")
    plan = _accepted_apply(repo, run, "--no-verify", "--no-migration")
    files = git(repo, "ls-tree", "-r", "--name-only", "unify/models", "migrations/versions/")
    assert files.split() == ["migrations/versions/3f2a9c1d7b10_initial_schema.py"]
    assert "## Database migration" not in plan.with_suffix(".pr.md").read_text()
    assert "Turned off by --no-migration" in git(repo, "log", "-1", "--format=%B",
                                                   "unify/models~1")

    plain = make_repo({
        "models.py": """
            from sqlalchemy import Column, ForeignKey, Integer, String
            from sqlalchemy.orm import declarative_base
            Base = declarative_base()

            class Team(Base):
                __tablename__ = "team"
                id = Column(Integer, primary_key=True)
        """,
        "extra_models.py": """
            from sqlalchemy import Column, ForeignKey, Integer, String
            from models import Base

            class Member(Base):
                __tablename__ = "member"
                id = Column(Integer, primary_key=True)
                team_id = Column(String(36), ForeignKey("team.id"))
        """,
        "app.py": "from models import Team\nfrom extra_models import Member\n",
    }, name="plain")
    plan = _plan(plain, run)
    assert "data_loss" not in plan.read_text()  # no Alembic: nothing runs the cast for you
    git(plain, "add", "-A")
    git(plain, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "plan")
    result = run("apply", str(plan), "--branch", "unify/models", "--no-verify")
    assert result.code == 0, result.err
    pr = plan.with_suffix(".pr.md").read_text()
    assert "The repository has no Alembic: run this SQL" in pr
    assert ("ALTER TABLE member ALTER COLUMN team_id TYPE INTEGER USING team_id::integer;"
            in pr)
    assert ("ALTER TABLE member ADD CONSTRAINT member_team_id_fkey FOREIGN KEY (team_id) "
            "REFERENCES team (id);" in pr)


def test_several_heads_refused_before_any_commit(corpus_repo, run):
    repo = corpus_repo("alembic_seed001")
    _revision(repo / "migrations" / "versions", "9e9e9e9e9e9e", None)
    plan = _plan(repo, run)
    plan.write_text(plan.read_text().replace('data_loss = "?"', 'data_loss = "accept"'))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "second root")
    result = run("apply", str(plan), "--branch", "unify/models", "--no-verify")
    assert result.code == 1
    assert "several Alembic heads (3f2a9c1d7b10, 9e9e9e9e9e9e)" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert git(repo, "branch", "--list", "unify/models").strip() == ""
