"""Nothing is ever lost: status, rollback and finalize with real git.

Each guarantee in the README's "What unify promises" names the test here that
proves it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import SMALL_PROJECT, commit_all, git



def tree(repo, rev="HEAD") -> str:
    return git(repo, "rev-parse", f"{rev}^{{tree}}").strip()


def refs(repo, prefix="refs/") -> dict[str, str]:
    out = git(repo, "for-each-ref", "--format=%(refname) %(objectname)", prefix)
    return dict(line.split() for line in out.splitlines())


@pytest.fixture
def planned(make_repo, run):
    repo = make_repo(SMALL_PROJECT)
    assert run("plan", "--repo", str(repo)).code == 0
    git(repo, "add", "plans")
    commit_all(repo, "add the plan")
    return repo


def apply(repo, *extra, env=None):
    return subprocess.run(
        [sys.executable, "-m", "unify", "apply", str(repo / "plans" / "models.toml"),
         "--repo", str(repo), "-q", "--no-verify", *extra],
        capture_output=True, text=True, env={**os.environ, **(env or {})},
    )


@pytest.fixture
def applied(planned):
    assert apply(planned).returncode == 0
    return planned


def step_sha(repo, number: int) -> str:
    log = git(repo, "log", "--format=%H %(trailers:key=Unify-Step,valueonly)", "unify/models")
    for line in log.splitlines():
        sha, _, step = line.partition(" ")
        if step.startswith(f"{number}/"):
            return sha
    raise AssertionError(f"no step {number}")


def test_status_reads_history_alone(applied, run, tmp_path):
    data = run("status", "--repo", str(applied), "--json").json()
    [entry] = data
    assert entry["branch"] == "unify/models" and entry["complete"]
    assert [s[1] for s in entry["steps"]] == ["target-module", "compat-module",
                                               "rewrite-imports", "retire-sources", "migration",
                                               "format"]
    assert entry["verified"] == "skipped" and "ready for review" in entry["next"]
    # a teammate who only fetched the branch gets the same answer
    clone = tmp_path / "teammate"
    git(tmp_path, "clone", "-q", "--no-local", str(applied), str(clone))
    git(clone, "branch", "unify/models", "origin/unify/models")
    other = run("status", "--repo", str(clone), "--json").json()
    assert [(e["plan"], e["steps"], e["complete"]) for e in other] == \
        [(entry["plan"], entry["steps"], True)]


def test_rollback_unmerged_deletes_branch_keeps_backup(applied, run):
    base_tree = tree(applied)
    tip = git(applied, "rev-parse", "unify/models").strip()
    result = run("rollback", "--repo", str(applied), "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["mode"] == "delete"
    assert "unify/models" not in git(applied, "branch", "--list")
    assert tree(applied) == base_tree
    assert refs(applied, "refs/unify/backup/")[data["backup"]] == tip
    # the backup ref restores the deleted branch
    git(applied, "branch", "unify/models", data["backup"])
    assert git(applied, "rev-parse", "unify/models").strip() == tip
    status = run("status", "--repo", str(applied), "--json").json()
    assert status[0]["branch_exists"]


@pytest.mark.parametrize("step", [0, 1, 2, 3, 4, 5, 6])
def test_rollback_to_step(applied, run, step):
    expected = git(applied, "rev-parse", "HEAD" if step == 0 else step_sha(applied, step)).strip()
    result = run("rollback", "--repo", str(applied), "--to-step", str(step), "--keep-branch")
    assert result.code == 0, result.err
    assert git(applied, "rev-parse", "unify/models").strip() == expected
    assert len(refs(applied, "refs/unify/backup/")) == 1


@pytest.mark.parametrize("how", ["fast-forward", "merge-commit"])
def test_rollback_after_merge_reverts(applied, run, how):
    base_tree = tree(applied)
    before = refs(applied, "refs/heads/")
    if how == "fast-forward":
        git(applied, "merge", "-q", "--ff-only", "unify/models")
    else:
        (applied / "README").write_text("hello, team\n")
        commit_all(applied, "unrelated work")
        base_tree = tree(applied)
        git(applied, "merge", "-q", "--no-ff", "-m", "Merge unify", "unify/models")
    merged_head = git(applied, "rev-parse", "HEAD").strip()
    result = run("rollback", "--repo", str(applied), "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["mode"] == "revert"
    assert tree(applied) == base_tree  # the revert restores the tree exactly
    assert git(applied, "rev-parse", "HEAD~1").strip() == merged_head  # history not rewritten
    assert refs(applied, "refs/unify/backup/")[data["backup"]] == merged_head
    assert "unify/models" in git(applied, "branch", "--list")  # nothing deleted
    assert before["refs/heads/unify/models"] == refs(applied)["refs/heads/unify/models"]
    body = git(applied, "log", "-1", "--format=%B")
    assert "Unify-Step: rollback" in body and "Unify-Rollback: 6, 5, 4, 3, 2, 1" in body


def test_rollback_refuses_dirty_tree_and_touches_nothing(applied, run):
    (applied / "README").write_text("local edit\n")
    before = refs(applied)
    result = run("rollback", "--repo", str(applied))
    assert result.code == 1 and "uncommitted changes: README" in result.err
    assert refs(applied) == before
    assert (applied / "README").read_text() == "local edit\n"


@pytest.mark.parametrize("step", [1, 2, 3, 4])
@pytest.mark.parametrize("crash", ["raise", "kill"])
def test_interrupted_apply_then_status_and_rollback(planned, run, step, crash):
    base_refs = refs(planned, "refs/heads/")
    base_tree = tree(planned)
    value = str(step) if crash == "raise" else f"{step}:kill"
    result = apply(planned, env={"UNIFY_FAIL_AFTER_STEP": value})
    assert result.returncode != 0
    status = run("status", "--repo", str(planned), "--json").json()
    [entry] = status
    assert not entry["complete"] and entry["steps"][-1][0] == step
    assert "interrupted" in entry["next"]
    again = apply(planned)  # a second apply refuses and names the rollback
    assert again.returncode == 1 and "unify rollback" in again.stderr
    rolled = run("rollback", "--repo", str(planned), "--json")
    assert rolled.code == 0, rolled.err
    assert refs(planned, "refs/heads/") == base_refs  # exactly as before ...
    assert tree(planned) == base_tree
    assert git(planned, "worktree", "list").count("\n") == 1
    assert len(refs(planned, "refs/unify/backup/")) == 1  # ... plus the backup ref


def test_finalize_refuses_while_an_importer_remains(applied, run):
    git(applied, "merge", "-q", "--ff-only", "unify/models")
    (applied / "legacy_job.py").write_text("import models_compat\nfrom mvp_models import MVPUser\n")
    commit_all(applied, "a new importer of the old names")
    result = run("finalize", "--repo", str(applied), "--json")
    assert result.code == 1
    importers = result.json()["importers"]
    assert "legacy_job.py:1: imports models_compat" in importers
    assert "legacy_job.py:2: imports mvp_models" in importers
    assert "unify/finalize" not in git(applied, "branch", "--list")


def test_finalize_removes_compat_and_shims(applied, run):
    git(applied, "merge", "-q", "--ff-only", "unify/models")
    result = run("finalize", "--repo", str(applied), "--json")
    assert result.code == 0, result.out + result.err
    data = result.json()
    assert data["files"] == ["models_compat.py", "mvp_models.py"]
    files = git(applied, "ls-tree", "-r", "--name-only", "unify/finalize").split()
    assert "models_compat.py" not in files and "mvp_models.py" not in files
    body = git(applied, "log", "-1", "--format=%B", "unify/finalize")
    assert "Unify-Step: finalize" in body and "Unify-Plan: " in body


def test_finalize_before_merge_is_refused(applied, run):
    result = run("finalize", "--repo", str(applied))
    assert result.code == 1 and "no applied unify plan" in result.err
