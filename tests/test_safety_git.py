"""Issue 15, git side: nothing is lost, every interrupted apply can be restored.

Each test here failed on the code before the fix it names (README promises table).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import SMALL_PROJECT, commit_all, git


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
    """unify apply in its own process group; ``.group`` is that group's id."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "unify", "apply", str(repo / "plans" / "models.toml"),
         "--repo", str(repo), "-q", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, start_new_session=True,
    )
    out, err = proc.communicate(timeout=300)
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    result.group = proc.pid
    return result


def snapshot(repo: Path) -> dict:
    """Everything a restore must give back: HEAD's tree, branches, index, files."""
    files = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo).as_posix()
        if rel == ".git" or rel.startswith(".git/") or not path.is_file():
            continue
        if rel.startswith("plans/") and rel.endswith(".pr.md"):
            continue  # the PR description apply writes beside the plan
        files[rel] = hashlib.sha1(path.read_bytes()).hexdigest()
    return {
        "head": git(repo, "rev-parse", "HEAD").strip(),
        "symbolic": git(repo, "symbolic-ref", "-q", "HEAD").strip(),
        "tree": git(repo, "rev-parse", "HEAD^{tree}").strip(),
        "branches": refs(repo, "refs/heads/"),
        "tags": refs(repo, "refs/tags/"),
        "index": git(repo, "ls-files", "-s"),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "files": files,
        "worktrees": git(repo, "worktree", "list", "--porcelain").count("worktree "),
    }


def lock_files(repo: Path) -> list[str]:
    return sorted(str(p) for p in (repo / ".git").rglob("*.lock"))


# -- 1. full ref names --------------------------------------------------------------


def test_rollback_with_a_tag_of_the_branch_name_keeps_every_commit(planned, run):
    git(planned, "tag", "unify/models")  # a tag at the base, named like the branch
    assert apply(planned, "--no-verify").returncode == 0
    tip = refs(planned)["refs/heads/unify/models"]
    result = run("rollback", "--repo", str(planned), "--json")
    assert result.code == 0, result.err
    backup = result.json()["backup"]
    assert refs(planned)[backup] == tip  # the branch's commits, not the tag's
    assert "refs/tags/unify/models" in refs(planned)


@pytest.mark.parametrize("name", ["@", "-x", "HEAD", "a..b"])
def test_branch_names_git_would_rewrite_are_refused(planned, run, name):
    result = run("apply", str(planned / "plans" / "models.toml"), "--repo", str(planned),
                 "--no-verify", "-q", f"--branch={name}")
    assert result.code == 2 and "not a valid branch name" in result.err, result.err
    assert set(refs(planned, "refs/heads/")) == {"refs/heads/main"}


# -- 4. atomic revert ---------------------------------------------------------------


def test_failed_revert_after_merge_leaves_index_and_files_untouched(planned, run):
    assert apply(planned, "--no-verify").returncode == 0
    git(planned, "merge", "-q", "--ff-only", "unify/models")
    git(planned, "config", "commit.gpgsign", "true")
    git(planned, "config", "gpg.program", "false")  # every signed commit fails
    before = snapshot(planned)
    result = run("rollback", "--repo", str(planned))
    assert result.code in (1, 2) and result.err.count("\n") == 1, result.err
    assert snapshot(planned) == before
    assert not (planned / ".git" / "REVERT_HEAD").exists()
    assert lock_files(planned) == []


# -- 7. an apply that failed before step 1's commit ------------------------------


def test_apply_failing_before_step_one_is_seen_by_status_and_rollback(planned, run):
    before = snapshot(planned)
    git(planned, "config", "commit.gpgsign", "true")
    git(planned, "config", "gpg.program", "false")
    failed = apply(planned, "--no-verify")
    assert failed.returncode != 0
    status = run("status", "--repo", str(planned), "--json")
    [entry] = status.json()
    assert entry["branch"] == "unify/models" and not entry["complete"]
    assert "before step 1" in entry["next"] and "unify rollback" in entry["next"]
    again = apply(planned, "--no-verify")
    assert again.returncode == 1 and "unify rollback" in again.stderr
    rolled = run("rollback", "--repo", str(planned))
    assert rolled.code == 0, rolled.err
    git(planned, "config", "--unset", "commit.gpgsign")
    git(planned, "config", "--unset", "gpg.program")
    assert snapshot(planned) == before
    assert [r for r in refs(planned, "refs/unify/") if "/backup/" not in r] == []


# -- 8. unverified is a state of its own ----------------------------------------


def test_killed_before_verification_is_unverified_and_reapply_verifies(planned, run):
    killed = apply(planned, env={"UNIFY_FAIL_AFTER_STEP": "6:kill"})
    assert killed.returncode == 137
    [entry] = run("status", "--repo", str(planned), "--json").json()
    assert entry["complete"] and entry["verified"] == "unverified"
    assert "unverified" in entry["next"] and "ready for review" not in entry["next"]
    again = apply(planned)
    assert again.returncode == 0, again.stderr
    assert "nothing to do" not in again.stdout + again.stderr
    [entry] = run("status", "--repo", str(planned), "--json").json()
    assert entry["verified"] == "passed" and "ready for review" in entry["next"]
    assert git(planned, "worktree", "list").count("\n") == 1
    assert "refs/unify/pending/unify/models" not in refs(planned)


# -- 9. pool workers die with their parent ----------------------------------------


def test_rewrite_pool_workers_die_with_their_parent(tmp_path):
    script = textwrap.dedent("""
        import sys, time
        from concurrent.futures import ProcessPoolExecutor
        from unify.apply import _RewriteJob, _worker_job
        job = _RewriteJob(work=".", target="m", groups=(), strings={})
        pool = ProcessPoolExecutor(max_workers=2, initializer=_worker_job, initargs=(job,))
        futures = [pool.submit(time.sleep, 120) for _ in range(2)]
        time.sleep(1.5)
        print(" ".join(str(p) for p in pool._processes), flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    alive = workers
    for _ in range(100):
        alive = [p for p in workers if _alive(p)]
        if not alive:
            break
        time.sleep(0.1)
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


# -- 10. message hooks ---------------------------------------------------------------


def test_message_hooks_do_not_drop_the_trailers(planned, run):
    hook = planned / ".git" / "hooks" / "prepare-commit-msg"
    hook.write_text("#!/bin/sh\necho 'rewritten by a hook' > \"$1\"\n")
    hook.chmod(0o755)
    assert apply(planned, "--no-verify").returncode == 0
    [entry] = run("status", "--repo", str(planned), "--json").json()
    from unify.apply import STEPS

    n = len(STEPS)
    assert entry["complete"] and len(entry["steps"]) == n
    body = git(planned, "log", "-1", "--format=%B", "unify/models")
    assert "rewritten by a hook" not in body and f"Unify-Step: {n}/{n} format" in body


# -- 11. read-only git calls take no optional lock -------------------------------


def test_read_only_calls_do_not_rewrite_the_index(planned, run):
    index = planned / ".git" / "index"
    before = index.read_bytes()
    later = time.time() + 5
    os.utime(planned / "app.py", (later, later))  # same content, new stat data
    assert run("status", "--repo", str(planned)).code == 0
    assert run("rollback", "--repo", str(planned)).code == 1  # nothing to roll back
    assert index.read_bytes() == before


# -- fault injection: every step, verification; raise, kill -9, SIGINT ------------


@pytest.mark.parametrize("point", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("crash", ["raise", "kill", "int"])
def test_every_interrupted_apply_is_restored_exactly(planned, run, point, crash):
    before = snapshot(planned)
    value = str(point) if crash == "raise" else f"{point}:{crash}"
    result = apply(planned, "--no-verify" if point < 6 else "-q",
                   env={"UNIFY_FAIL_AFTER_STEP": value})
    assert result.returncode != 0
    assert _group_gone(result.group)  # no stray process of that run
    [entry] = run("status", "--repo", str(planned), "--json").json()
    assert entry["branch"] == "unify/models"
    assert "ready for review" not in entry["next"]
    rolled = run("rollback", "--repo", str(planned))
    assert rolled.code == 0, rolled.err
    assert snapshot(planned) == before
    assert lock_files(planned) == []
    assert [r for r in refs(planned, "refs/unify/") if "/backup/" not in r] == []


def _group_gone(group: int) -> bool:
    """Every process of the group has exited (git helpers may take a moment to see EOF)."""
    for _ in range(100):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_finalize_leaves_no_pending_record(planned, run):
    assert apply(planned, "--no-verify").returncode == 0
    git(planned, "merge", "-q", "--ff-only", "unify/models")
    (planned / "app.py").write_text("from models import User\n")
    commit_all(planned, "import the new module")
    assert run("finalize", "--repo", str(planned)).code == 0
    assert [r for r in refs(planned, "refs/unify/") if "/backup/" not in r] == []
    assert all("before step 1" not in e["next"]
               for e in run("status", "--repo", str(planned), "--json").json())
