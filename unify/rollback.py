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
from pathlib import Path

import git

from unify import gitops, history
from unify.errors import InputError, Refused
from unify.status import checked_out_elsewhere, on_branch, stale_worktrees


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


def choose_run(repo: git.Repo, branch: str | None) -> history.Run | str:
    """The run to undo, or the name of a branch whose apply stopped before step 1."""
    undone = history.rollbacks(repo, "HEAD")
    live: list[history.Run | str] = []
    for run in history.runs(repo):
        if branch is not None and run.branch != branch:
            continue
        here = history.contains(repo, run.steps[0].sha, "HEAD")
        if on_branch(repo, run) or (here and run.plan not in undone):
            live.append(run)
    named = {r.branch for r in live if isinstance(r, history.Run)}
    live += [b for b in sorted(gitops.pending_branches(repo))
             if b not in named and (branch is None or b == branch)]
    if not live:
        where = f"branch {branch}" if branch else "unify branch"
        raise Refused(f"nothing to roll back: no {where} in this repository",
                      "`unify status` lists what unify did")
    names = sorted({r.branch if isinstance(r, history.Run) else r for r in live})
    if len(names) > 1:
        raise Refused(f"several unify branches: {', '.join(names)}", "pass --branch NAME")
    return live[0]


def _refuse_busy(repo: git.Repo) -> None:
    """Another git command is running (or died holding the lock): touch nothing."""
    git_dir = Path(repo.git_dir)
    for name in ("index.lock", "HEAD.lock"):
        if (git_dir / name).exists():
            raise Refused(f"{git_dir / name} exists: another git command is running or "
                          "was killed", "wait for it, or delete the lock file if none runs")


def rollback(repo: git.Repo, branch: str | None = None, to_step: int | None = None,
             keep_branch: bool = False) -> RollbackResult:
    _refuse_busy(repo)
    dirty = gitops.dirty_files(repo)
    if dirty:
        raise Refused(f"the work tree has uncommitted changes: {', '.join(dirty[:5])}",
                      "commit or stash them; rollback touches nothing until then")
    run = choose_run(repo, branch)
    if isinstance(run, str):
        _refuse_elsewhere(repo, run)
        return _before_step_one(repo, run, gitops.current_branch(repo))
    if to_step is not None and not 0 <= to_step <= run.total:
        raise InputError(f"--to-step {to_step}: the apply has steps 1 to {run.total}",
                         "use 0 for the base commit")
    current = gitops.current_branch(repo)
    merged = [s for s in run.steps if history.contains(repo, s.sha, "HEAD")]
    if merged and current != run.branch:
        return _revert(repo, run, merged, to_step or 0, current)
    _refuse_elsewhere(repo, run.branch)
    return _unmerged(repo, run, to_step, keep_branch, current)


def _refuse_elsewhere(repo, branch: str) -> None:
    elsewhere = checked_out_elsewhere(repo, branch)
    if elsewhere:
        raise Refused(f"branch {branch} is checked out in another work tree: {elsewhere}",
                      "switch that work tree to another branch, then roll back")


def _revert(repo, run: history.Run, merged, to_step: int, current) -> RollbackResult:
    """The revert commit is built in a temporary work tree; the user's branch, index
    and files move (a fast-forward) only once it exists."""
    head = repo.head.commit.hexsha
    undo_steps = [s for s in reversed(merged) if s.number > to_step]
    if not undo_steps:
        raise Refused(f"nothing to revert after step {to_step}")
    numbers = ", ".join(str(s.number) for s in undo_steps)
    message = (f"unify: roll back steps {numbers} of plan {run.plan}\n\n"
               f"Reverts {', '.join(s.sha[:10] for s in undo_steps)} (merged from "
               f"{run.branch}).\n\nUnify-Plan: {run.plan}\nUnify-Step: rollback\n"
               f"Unify-Base: {run.base}\nUnify-Branch: {current or 'HEAD'}\n"
               f"Unify-Rollback: {numbers}\n")
    with gitops.Worktree(repo, None, start=head) as tree:
        assert tree.tree is not None
        try:
            tree.tree.git.revert("--no-commit", *[s.sha for s in undo_steps])
        except git.GitCommandError:
            raise Refused("the revert conflicts with later changes to the same lines",
                          "revert by hand: git revert "
                          + " ".join(s.sha[:10] for s in undo_steps)) from None
        sha = tree.commit(message, [])
    backup = backup_ref(repo, current or "HEAD", head)
    try:
        repo.git.merge("--ff-only", "--quiet", sha)
    except git.GitCommandError as exc:
        raise Refused(f"cannot move {current or 'HEAD'} to the revert commit {sha[:10]}: "
                      f"{gitops.one_line(exc)}", f"git merge --ff-only {sha}") from None
    return RollbackResult(current or "HEAD", "revert", backup,
                          (f"kept {backup} -> the previous {current or 'HEAD'}",
                           f"committed {sha[:10]} reverting steps {numbers}"),
                          f"git reset --hard {backup}  (drops the revert commit)")


def _unmerged(repo, run: history.Run, to_step, keep_branch, current) -> RollbackResult:
    if not gitops.branch_exists(repo, run.branch):
        raise Refused(f"branch {run.branch} does not exist any more", "`unify status`")
    tip = gitops.commit_sha(repo, gitops.head_ref(run.branch))
    assert tip is not None
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
            actions.append(f"checked out {_leave(repo, run.branch, run.base)}")
        _delete(repo, run.branch, tip)
        actions.append(f"deleted {run.branch}")
        mode = "delete"
    gitops.clear_pending(repo, run.branch)
    return RollbackResult(run.branch, mode, backup, tuple(actions),
                          f"git branch -f {run.branch} {backup}")


def _before_step_one(repo, branch: str, current) -> RollbackResult:
    """An apply that stopped before its first commit: its branch (if it got one) is
    the base commit plus nothing; keep it in a backup ref, delete it, drop the pending ref."""
    base = gitops.pending_branches(repo)[branch]
    actions = []
    tip = gitops.commit_sha(repo, gitops.head_ref(branch))
    backup = backup_ref(repo, branch, tip or base)
    actions.append(f"kept {backup} -> {(tip or base)[:10]} (the branch as it was)")
    for path in stale_worktrees(repo, branch):
        repo.git.worktree("remove", "--force", path)
        actions.append(f"removed the work tree of an interrupted apply: {path}")
    repo.git.worktree("prune")
    if tip is not None:
        if current == branch:
            actions.append(f"checked out {_leave(repo, branch, base)}")
        _delete(repo, branch, tip)
        actions.append(f"deleted {branch}")
    gitops.clear_pending(repo, branch)
    actions.append("cleared the record of the interrupted apply")
    return RollbackResult(branch, "delete", backup, tuple(actions),
                          f"git branch -f {branch} {backup}")


def _delete(repo, branch: str, tip: str) -> None:
    """Delete the branch by its full name, only if it still points at ``tip``."""
    repo.git.update_ref("-d", gitops.head_ref(branch), tip)


def _move(repo, branch: str, sha: str, current) -> None:
    if current == branch:
        repo.git.reset("--hard", "--quiet", sha)
    else:
        repo.git.update_ref(gitops.head_ref(branch), sha)


def _leave(repo, branch: str, base: str) -> str:
    """Check out the branch the apply started from (or its base commit, detached)."""
    for head in repo.heads:
        if head.name != branch and head.commit.hexsha == base:
            repo.git.checkout("--quiet", head.name, "--")
            return head.name
    for name in ("main", "master"):
        if gitops.branch_exists(repo, name) and history.contains(repo, base, name):
            repo.git.checkout("--quiet", name, "--")
            return name
    repo.git.checkout("--quiet", "--detach", base)
    return f"{base[:10]} (detached)"
