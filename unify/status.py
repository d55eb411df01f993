"""`unify status`: where each unify branch stands, from history alone."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import git

from unify import gitops, history


@dataclass(frozen=True)
class RunStatus:
    plan: str
    branch: str
    base: str
    steps: tuple[tuple[int, str, str], ...]  # (number, name, sha)
    total: int
    complete: bool
    verified: str  # passed | failed (...) | skipped | unverified (never ran) | "" (not finished)
    branch_exists: bool
    merged_into: tuple[str, ...]
    rolled_back: bool
    backups: tuple[str, ...]
    stale_worktrees: tuple[str, ...]
    next: str


def stale_worktrees(repo: git.Repo, branch: str) -> list[str]:
    """Temporary apply work trees still registered for ``branch`` (a killed apply)."""
    found, path = [], None
    for line in repo.git.worktree("list", "--porcelain", "-z").split("\x00"):
        if line.startswith("worktree "):
            path = line.split(" ", 1)[1]
        elif line == f"branch refs/heads/{branch}" and path and "unify-apply-" in path:
            found.append(path)
    return found


def checked_out_elsewhere(repo: git.Repo, branch: str) -> str | None:
    """The other (non-unify) work tree that has ``branch`` checked out, if any."""
    own = str(repo.working_tree_dir)
    path = None
    for line in repo.git.worktree("list", "--porcelain", "-z").split("\x00"):
        if line.startswith("worktree "):
            path = line.split(" ", 1)[1]
        elif line == f"branch refs/heads/{branch}" and path and "unify-apply-" not in path \
                and os.path.realpath(path) != os.path.realpath(own):
            return path
    return None


def backups_of(repo: git.Repo, branch: str) -> list[str]:
    prefix = f"refs/unify/backup/{branch.replace('/', '-')}-"
    out = repo.git.for_each_ref("--format=%(refname)", "refs/unify/backup/")
    return sorted(ref for ref in out.splitlines() if ref.startswith(prefix))


def on_branch(repo: git.Repo, run: history.Run) -> bool:
    """The run's branch exists and still holds its first step (not a newer apply's)."""
    return gitops.branch_exists(repo, run.branch) and history.contains(
        repo, run.steps[0].sha, gitops.head_ref(run.branch))


def describe(repo: git.Repo, run: history.Run) -> RunStatus:
    exists = gitops.branch_exists(repo, run.branch)
    last = run.steps[-1].sha
    merged = tuple(b for b in history.branches_containing(repo, last) if b != run.branch)
    rolled = run.plan in history.rollbacks(repo, "HEAD")
    backups = tuple(backups_of(repo, run.branch))
    stale = tuple(stale_worktrees(repo, run.branch)) if exists else ()
    verified = run.verified or ("unverified" if run.complete else "")
    status = RunStatus(
        plan=run.plan, branch=run.branch, base=run.base,
        steps=tuple((s.number, s.name, s.sha) for s in run.steps), total=run.total,
        complete=run.complete, verified=verified, branch_exists=exists,
        merged_into=merged, rolled_back=rolled or (not exists and not merged), backups=backups,
        stale_worktrees=stale, next="",
    )
    return _with_advice(status)


def _with_advice(s: RunStatus) -> RunStatus:
    if s.rolled_back and s.merged_into:
        advice = "rolled back by a revert commit on the current branch; nothing to do"
    elif s.rolled_back:
        advice = (f"rolled back (branch deleted); restore it with `git branch {s.branch} "
                  f"{s.backups[-1]}`" if s.backups else "branch deleted; nothing to do")
    elif not s.complete:
        advice = (f"apply stopped after step {s.steps[-1][0]}/{s.total} (interrupted); "
                  f"`unify rollback --branch {s.branch}` removes the partial branch")
    elif s.merged_into:
        advice = (f"merged into {', '.join(s.merged_into)}; later `unify finalize` drops the "
                  "compat module and shims; `unify rollback` would revert it")
    elif s.verified == "unverified":
        advice = (f"unverified: the apply stopped before verification recorded a result; "
                  f"`unify apply PLAN --branch {s.branch}` again verifies it, "
                  f"`unify rollback --branch {s.branch}` removes it")
    elif s.verified.startswith("failed"):
        advice = (f"verification {s.verified}: inspect `git log -p {s.base[:10]}..{s.branch}`, "
                  f"then `unify rollback --branch {s.branch}`")
    else:
        advice = (f"ready for review: git push -u origin {s.branch} and open a PR; "
                  f"`unify rollback --branch {s.branch}` deletes it")
    return replace(s, next=advice)


def before_step_one(repo: git.Repo, branch: str, base: str) -> RunStatus:
    """An apply that stopped before its first commit: only its pending ref says so."""
    exists = gitops.branch_exists(repo, branch)
    stale = tuple(stale_worktrees(repo, branch)) if exists else ()
    where = "before step 1" if exists else "before step 1, before creating its branch"
    return RunStatus(
        plan="", branch=branch, base=base, steps=(), total=len(_STEPS), complete=False,
        verified="", branch_exists=exists, merged_into=(), rolled_back=False,
        backups=tuple(backups_of(repo, branch)), stale_worktrees=stale,
        next=f"apply stopped {where} (interrupted); `unify rollback --branch {branch}` "
             "removes what it left",
    )


_STEPS = ("target-module", "compat-module", "rewrite-imports", "retire-sources", "format")


def status(repo: git.Repo) -> list[RunStatus]:
    """Every unify apply in the repository's history, newest first; then the applies
    stopped before their first commit (a pending ref and no unify commit)."""
    runs = history.runs(repo)
    found = [describe(repo, run) for run in runs]
    seen = {run.branch for run in runs if on_branch(repo, run)}
    for branch, base in sorted(gitops.pending_branches(repo).items()):
        if branch not in seen:
            found.append(before_step_one(repo, branch, base))
    return found
