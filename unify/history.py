"""What unify did, read back from commit trailers alone.

Every commit unify makes carries ``Unify-Plan``, ``Unify-Step``, ``Unify-Base``
and ``Unify-Branch`` trailers (the last apply step also ``Unify-Verified``), so
a teammate who only fetched the branch sees the same history as its author.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import git

_FIELDS = ("Unify-Plan", "Unify-Step", "Unify-Base", "Unify-Branch", "Unify-Verified",
           "Unify-Rollback")


@dataclass(frozen=True)
class UnifyCommit:
    sha: str
    plan: str
    step: str  # "3/5 rewrite-imports", "finalize", "rollback"
    base: str
    branch: str
    verified: str
    rollback: str

    @property
    def number(self) -> int:
        return _fraction(self.step)[0]

    @property
    def total(self) -> int:
        return _fraction(self.step)[1]

    @property
    def name(self) -> str:
        return self.step.split(" ", 1)[-1]


_STEP = re.compile(r"([1-9][0-9]{0,2})/([1-9][0-9]{0,2})")


def _fraction(step: str) -> tuple[int, int]:
    """(N, M) of "N/M name"; (0, 0) for any other value (finalize, rollback, malformed)."""
    match = _STEP.fullmatch(step.split(" ", 1)[0])
    if not match or int(match[1]) > int(match[2]):
        return 0, 0
    return int(match[1]), int(match[2])


def malformed(commit: "UnifyCommit") -> bool:
    """A Unify-Step trailer unify cannot have written (``a/b``, ``7/5``, empty)."""
    return commit.step not in ("finalize", "rollback") and commit.number == 0


@dataclass(frozen=True)
class Run:
    """One apply of one plan: its step commits, oldest first."""

    plan: str
    base: str
    branch: str
    steps: tuple[UnifyCommit, ...]

    @property
    def total(self) -> int:
        return max((s.total for s in self.steps), default=0)

    @property
    def complete(self) -> bool:
        return bool(self.steps) and self.steps[-1].number == self.total

    @property
    def verified(self) -> str:
        return self.steps[-1].verified if self.complete else ""

    def step(self, number: int) -> UnifyCommit | None:
        return next((s for s in self.steps if s.number == number), None)


def unify_commits(repo: git.Repo, *revs: str) -> list[UnifyCommit]:
    """Commits carrying unify trailers reachable from ``revs`` (default: every ref), newest first."""
    fmt = "%H%x1f" + "%x1f".join(f"%(trailers:key={k},valueonly,separator=%x2c)"
                                 for k in _FIELDS) + "%x1e"
    try:
        out = repo.git.log(*(revs or ("--all",)), f"--format={fmt}",
                           "--grep=^Unify-Plan: ", "--extended-regexp")
    except git.GitCommandError:
        return []
    commits = []
    for record in out.split("\x1e"):
        # not .strip(): Python counts the \x1f separators as white space
        parts = [p.strip(" \n") for p in record.strip("\n").split("\x1f")]
        if len(parts) == len(_FIELDS) + 1 and parts[0]:
            commits.append(UnifyCommit(*parts))
    return commits


def runs(repo: git.Repo, *revs: str) -> list[Run]:
    """Applies found in history, grouped by plan and branch, newest first."""
    grouped: dict[tuple[str, str], list[UnifyCommit]] = {}
    for commit in unify_commits(repo, *revs):
        if commit.number:
            grouped.setdefault((commit.plan, commit.branch), []).append(commit)
        elif malformed(commit):
            print(f"unify: warning: commit {commit.sha[:10]} has a malformed Unify-Step "
                  f"trailer {commit.step!r}; ignored", file=sys.stderr)
    found = []
    for (plan, branch), commits in grouped.items():
        steps = tuple(sorted({c.number: c for c in commits}.values(), key=lambda c: c.number))
        found.append(Run(plan, steps[0].base, branch, steps))
    return found


def contains(repo: git.Repo, ancestor: str, rev: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", ancestor, rev)
        return True
    except git.GitCommandError:
        return False


def branches_containing(repo: git.Repo, sha: str) -> list[str]:
    out = repo.git.branch("--contains", sha, "--format=%(refname)")
    return sorted(line.strip()[len("refs/heads/"):] for line in out.splitlines()
                  if line.strip().startswith("refs/heads/"))


def rollbacks(repo: git.Repo, rev: str = "HEAD") -> dict[str, UnifyCommit]:
    """plan id -> the revert commit that rolled it back on ``rev``."""
    return {c.plan: c for c in unify_commits(repo, rev) if c.step == "rollback"}
