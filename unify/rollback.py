"""`unify rollback`: undo an apply without losing anything.

Before anything is deleted or reset, the current position is kept under
``refs/unify/backup/<branch>-<timestamp>``, so even a rollback can be undone.
Before the PR merged, the unify branch is deleted (or reset to step N). After
it merged, revert commits are made on the current branch: history is never
rewritten once it may be shared.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import git

from unify import gitops, history
from unify.errors import InputError, Refused
from unify.status import stale_worktrees


@dataclass(frozen=True)
class RollbackResult:
    branch: str
    mode: str  # delete | reset | revert
    backup: str
    actions: tuple[str, ...]
    undo: str


def backup_ref(repo: git.Repo, name: str, sha: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = f"refs/unify/backup/{name.replace('/', '-')}-{stamp}"
    ref, n = base, 1
    existing = set(repo.git.for_each_ref("--format=%(refname)", "refs/unify/").splitlines())
    while ref in existing:
        n += 1
        ref = f"{base}-{n}"
    repo.git.update_ref(ref, sha)
    return ref


def choose_run(repo: git.Repo, branch: str | None) -> history.Run:
    undone = history.rollbacks(repo, "HEAD")
    live = []
    for run in history.runs(repo):
        if branch is not None and run.branch != branch:
            continue
        here = history.contains(repo, run.steps[0].sha, "HEAD")
        if gitops.branch_exists(repo, run.branch) or (here and run.plan not in undone):
            live.append(run)
    if not live:
        where = f"branch {branch}" if branch else "unify branch"
        raise Refused(f"nothing to roll back: no {where} in this repository",
                      "`unify status` lists what unify did")
    if len({r.branch for r in live}) > 1:
        names = ", ".join(sorted({r.branch for r in live}))
        raise Refused(f"several unify branches: {names}", "pass --branch NAME")
    return live[0]


def rollback(repo: git.Repo, branch: str | None = None, to_step: int | None = None,
             keep_branch: bool = False) -> RollbackResult:
    dirty = gitops.dirty_files(repo)
    if dirty:
        raise Refused(f"the work tree has uncommitted changes: {', '.join(dirty[:5])}",
                      "commit or stash them; rollback touches nothing until then")
    run = choose_run(repo, branch)
    if to_step is not None and not 0 <= to_step <= run.total:
        raise InputError(f"--to-step {to_step}: the apply has steps 1 to {run.total}",
                         "use 0 for the base commit")
    current = gitops.current_branch(repo)
    merged = [s for s in run.steps if history.contains(repo, s.sha, "HEAD")]
    if merged and current != run.branch:
        return _revert(repo, run, merged, to_step or 0, current)
    return _unmerged(repo, run, to_step, keep_branch, current)


def _revert(repo, run: history.Run, merged, to_step: int, current) -> RollbackResult:
    backup = backup_ref(repo, current or "HEAD", repo.head.commit.hexsha)
    undo_steps = [s for s in reversed(merged) if s.number > to_step]
    if not undo_steps:
        raise Refused(f"nothing to revert after step {to_step}")
    try:
        repo.git.revert("--no-commit", *[s.sha for s in undo_steps])
    except git.GitCommandError:
        repo.git.revert("--abort")
        raise Refused("the revert conflicts with later changes to the same lines",
                      f"revert by hand: git revert {' '.join(s.sha[:10] for s in undo_steps)}"
                      ) from None
    numbers = ", ".join(str(s.number) for s in undo_steps)
    message = (f"unify: roll back steps {numbers} of plan {run.plan}\n\n"
               f"Reverts {', '.join(s.sha[:10] for s in undo_steps)} (merged from "
               f"{run.branch}).\n\nUnify-Plan: {run.plan}\nUnify-Step: rollback\n"
               f"Unify-Base: {run.base}\nUnify-Branch: {current or 'HEAD'}\n"
               f"Unify-Rollback: {numbers}\n")
    with repo.git.custom_environment(**gitops.identity_env(repo)):
        repo.git.commit("--quiet", "--no-verify", "-m", message)
    sha = repo.head.commit.hexsha
    return RollbackResult(current or "HEAD", "revert", backup,
                          (f"kept {backup} -> the previous {current or 'HEAD'}",
                           f"committed {sha[:10]} reverting steps {numbers}"),
                          f"git reset --hard {backup}  (drops the revert commit)")


def _unmerged(repo, run: history.Run, to_step, keep_branch, current) -> RollbackResult:
    if not gitops.branch_exists(repo, run.branch):
        raise Refused(f"branch {run.branch} does not exist any more", "`unify status`")
    tip = repo.git.rev_parse(run.branch)
    backup = backup_ref(repo, run.branch, tip)
    actions = [f"kept {backup} -> {tip[:10]} (the branch as it was)"]
    for path in stale_worktrees(repo, run.branch):
        repo.git.worktree("remove", "--force", path)
        actions.append(f"removed the work tree of an interrupted apply: {path}")
    repo.git.worktree("prune")
    if to_step:
        target = run.step(to_step)
        if target is None:
            raise Refused(f"step {to_step} was never committed on {run.branch}")
        _move(repo, run.branch, target.sha, current)
        actions.append(f"reset {run.branch} to step {to_step} ({target.sha[:10]})")
        mode = "reset"
    elif keep_branch:
        _move(repo, run.branch, run.base, current)
        actions.append(f"reset {run.branch} to its base {run.base[:10]}")
        mode = "reset"
    else:
        if current == run.branch:
            actions.append(f"checked out {_leave(repo, run)}")
        repo.git.branch("-D", run.branch)
        actions.append(f"deleted {run.branch}")
        mode = "delete"
    return RollbackResult(run.branch, mode, backup, tuple(actions),
                          f"git branch -f {run.branch} {backup}")


def _move(repo, branch: str, sha: str, current) -> None:
    if current == branch:
        repo.git.reset("--hard", "--quiet", sha)
    else:
        repo.git.branch("-f", branch, sha)


def _leave(repo, run: history.Run) -> str:
    """Check out the branch the apply started from (or its base commit, detached)."""
    for head in repo.heads:
        if head.name != run.branch and head.commit.hexsha == run.base:
            repo.git.checkout("--quiet", head.name)
            return head.name
    for name in ("main", "master"):
        if gitops.branch_exists(repo, name) and history.contains(repo, run.base, name):
            repo.git.checkout("--quiet", name)
            return name
    repo.git.checkout("--quiet", "--detach", run.base)
    return f"{run.base[:10]} (detached)"
