"""apply refuses what it must, with one clear line, and --dry-run writes nothing."""

from __future__ import annotations


import pytest

from conftest import SMALL_PROJECT, commit_all, git



@pytest.fixture
def planned(make_repo, run):
    repo = make_repo(SMALL_PROJECT)
    assert run("plan", "--repo", str(repo)).code == 0
    return repo, str(repo / "plans" / "models.toml")


def test_dirty_tree_is_refused_and_nothing_changes(planned, run):
    repo, plan = planned
    (repo / "app.py").write_text("from mvp_models import MVPUser  # wip\n")
    result = run("apply", plan, "--repo", str(repo))
    assert result.code == 1
    assert "uncommitted changes: app.py" in result.err and result.err.count("\n") == 1
    assert git(repo, "branch", "--list").split() == ["*", "main"]


def test_stale_plan_is_refused(planned, run):
    repo, plan = planned
    (repo / "app.py").write_text("from mvp_models import MVPUser\nprint()\n")
    commit_all(repo, "change")
    result = run("apply", plan, "--repo", str(repo))
    assert result.code == 1 and "changed since the plan was made" in result.err


def test_undecided_plan_is_refused(planned, run):
    repo, plan = planned
    text = open(plan).read()
    open(plan, "w").write(text.replace('to = "users.id"', 'to = "?"'))
    result = run("apply", plan, "--repo", str(repo))
    assert result.code == 1 and "MVPUser.user_id is undecided" in result.err


def test_existing_branch_is_refused(planned, run):
    repo, plan = planned
    git(repo, "branch", "unify/models")
    result = run("apply", plan, "--repo", str(repo))
    assert result.code == 1 and "branch unify/models already exists" in result.err
    bad = run("apply", plan, "--repo", str(repo), "--branch", "no..good")
    assert bad.code == 2 and "not a valid branch name" in bad.err


def test_dry_run_shows_every_step_and_writes_nothing(planned, run):
    repo, plan = planned
    result = run("apply", plan, "--repo", str(repo), "--dry-run", "-q")
    assert result.code == 0, result.err
    assert result.out.count("diff --git") >= 4
    assert "+from models import MVPUser" in result.out  # the rewritten dependent
    assert git(repo, "branch", "--list").split() == ["*", "main"]
    assert not (repo / "plans" / "models.pr.md").exists()
    assert git(repo, "worktree", "list").count("\n") == 1


def test_failed_verification_keeps_the_branch_and_says_how_to_roll_back(planned, run):
    repo, plan = planned
    result = run("apply", plan, "--repo", str(repo), "--python", "/no/such/python")
    assert result.code == 1
    assert "FAIL" in result.out and "left for inspection" in result.out
    assert "unify/models" in git(repo, "branch", "--list")
