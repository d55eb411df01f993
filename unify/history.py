"""What unify did, read back from commit trailers alone.

Every commit unify makes carries ``Unify-Plan``, ``Unify-Step``, ``Unify-Base``
and ``Unify-Branch`` trailers (the last apply step also ``Unify-Verified``), so
a teammate who only fetched the branch sees the same history as its author.
"""

from __future__ import annotations

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
        head = self.step.split(" ", 1)[0]
        return int(head.split("/")[0]) if "/" in head else 0

    @property
    def total(self) -> int:
        head = self.step.split(" ", 1)[0]
        return int(head.split("/")[1]) if "/" in head else 0

    @property
    def name(self) -> str:
        return self.step.split(" ", 1)[-1]


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
    out = repo.git.branch("--contains", sha, "--format=%(refname:short)")
    return sorted(line.strip() for line in out.splitlines() if line.strip())


def rollbacks(repo: git.Repo, rev: str = "HEAD") -> dict[str, UnifyCommit]:
    """plan id -> the revert commit that rolled it back on ``rev``."""
    return {c.plan: c for c in unify_commits(repo, rev) if c.step == "rollback"}
