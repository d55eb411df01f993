"""`unify status`: where each unify branch stands, from history alone."""

from __future__ import annotations

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
    verified: str  # passed | failed (...) | skipped | "" (not finished)
    branch_exists: bool
    merged_into: tuple[str, ...]
    rolled_back: bool
    backups: tuple[str, ...]
    stale_worktrees: tuple[str, ...]
    next: str


def stale_worktrees(repo: git.Repo, branch: str) -> list[str]:
    """Temporary apply work trees still registered for ``branch`` (a killed apply)."""
    found, path = [], None
    for line in repo.git.worktree("list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            path = line.split(" ", 1)[1]
        elif line == f"branch refs/heads/{branch}" and path and "unify-apply-" in path:
            found.append(path)
    return found


def backups_of(repo: git.Repo, branch: str) -> list[str]:
    prefix = f"refs/unify/backup/{branch.replace('/', '-')}-"
    out = repo.git.for_each_ref("--format=%(refname)", "refs/unify/backup/")
    return sorted(ref for ref in out.splitlines() if ref.startswith(prefix))


def describe(repo: git.Repo, run: history.Run) -> RunStatus:
    exists = gitops.branch_exists(repo, run.branch)
    last = run.steps[-1].sha
    merged = tuple(b for b in history.branches_containing(repo, last) if b != run.branch)
    rolled = run.plan in history.rollbacks(repo, "HEAD")
    backups = tuple(backups_of(repo, run.branch))
    stale = tuple(stale_worktrees(repo, run.branch)) if exists else ()
    status = RunStatus(
        plan=run.plan, branch=run.branch, base=run.base,
        steps=tuple((s.number, s.name, s.sha) for s in run.steps), total=run.total,
        complete=run.complete, verified=run.verified, branch_exists=exists,
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
    elif s.verified.startswith("failed"):
        advice = (f"verification {s.verified}: inspect `git log -p {s.base[:10]}..{s.branch}`, "
                  f"then `unify rollback --branch {s.branch}`")
    else:
        advice = (f"ready for review: git push -u origin {s.branch} and open a PR; "
                  f"`unify rollback --branch {s.branch}` deletes it")
    return replace(s, next=advice)


def status(repo: git.Repo) -> list[RunStatus]:
    """Every unify apply in the repository's history, newest first."""
    return [describe(repo, run) for run in history.runs(repo)]
