"""Git for apply: a separate work tree on a new branch, one commit per step.

apply never checks anything out in the user's work tree: it adds a temporary
``git worktree`` for the new branch, commits there and removes it. The user's
branch, index and files are never touched.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
import tempfile
from pathlib import Path

import git

from unify.errors import InputError, Refused

FALLBACK_NAME = "unify"
FALLBACK_EMAIL = "unify@localhost"


def open_repo(root: Path) -> git.Repo:
    try:
        return git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"{root} is not a git repository") from None


def dirty_files(repo: git.Repo) -> list[str]:
    """Tracked files with uncommitted changes (staged or not)."""
    out = repo.git.status("--porcelain", "--untracked-files=no")
    return sorted(line[3:] for line in out.splitlines() if line.strip())


def untracked(repo: git.Repo, paths: list[str]) -> list[str]:
    tracked = set(repo.git.ls_files("--", *paths).splitlines()) if paths else set()
    return sorted(set(paths) - tracked)


def branch_exists(repo: git.Repo, branch: str) -> bool:
    return any(head.name == branch for head in repo.heads)


def valid_branch_name(repo: git.Repo, branch: str) -> bool:
    try:
        repo.git.check_ref_format("--branch", branch)
        return True
    except git.GitCommandError:
        return False


def current_branch(repo: git.Repo) -> str | None:
    try:
        return repo.active_branch.name
    except TypeError:  # detached HEAD
        return None


def identity_env(repo: git.Repo) -> dict[str, str]:
    """The user's identity if configured, else a clearly labelled fallback."""
    env = {}
    reader = repo.config_reader()
    if not reader.get_value("user", "name", default="") and not os.environ.get("GIT_AUTHOR_NAME"):
        env.update(GIT_AUTHOR_NAME=FALLBACK_NAME, GIT_COMMITTER_NAME=FALLBACK_NAME)
    if not reader.get_value("user", "email", default="") and not os.environ.get("GIT_AUTHOR_EMAIL"):
        env.update(GIT_AUTHOR_EMAIL=FALLBACK_EMAIL, GIT_COMMITTER_EMAIL=FALLBACK_EMAIL)
    return env


class Worktree:
    """A temporary work tree at HEAD, on a new branch (or detached for a dry run)."""

    def __init__(self, repo: git.Repo, branch: str | None) -> None:
        self.repo = repo
        self.branch = branch
        self.path = Path(tempfile.mkdtemp(prefix="unify-apply-"))
        self.tree: git.Repo | None = None
        self.env = identity_env(repo)

    def __enter__(self) -> "Worktree":
        args = ["add", "--quiet"]
        args += ["-b", self.branch] if self.branch else ["--detach"]
        try:
            # parallel checkout (git >= 2.32; ignored before): 10,000 files in 1.5 s, not 7.5
            self.repo.git(c="checkout.workers=0").worktree(*args, str(self.path), "HEAD")
        except git.GitCommandError as exc:
            shutil.rmtree(self.path, ignore_errors=True)
            raise Refused(f"cannot create the work tree: {exc.stderr.strip()}") from None
        self.tree = git.Repo(self.path)
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.repo.git.worktree("remove", "--force", str(self.path))
        except git.GitCommandError:
            shutil.rmtree(self.path, ignore_errors=True)
            self.repo.git.worktree("prune")

    def head(self) -> str:
        assert self.tree is not None
        return self.tree.head.commit.hexsha

    def commit(self, message: str, paths: list[str]) -> str:
        """Stage ``paths`` (added, changed or removed) and commit, even if nothing changed."""
        assert self.tree is not None
        if paths:
            self.tree.git.add("-A", "--", *paths)
        with self.tree.git.custom_environment(**self.env):
            self.tree.git.commit("--quiet", "--no-verify", "--allow-empty", "-m", message)
        return self.head()

    def add_trailer(self, step, key: str, value: str):
        """Amend the last commit (brand new, unpublished) with one more trailer."""
        assert self.tree is not None
        message = self.tree.head.commit.message.rstrip("\n") + f"\n{key}: {value}\n"
        with self.tree.git.custom_environment(**self.env):
            self.tree.git.commit("--quiet", "--no-verify", "--allow-empty", "--amend",
                                 "-m", message)
        return replace(step, commit=self.head())

    def diff(self, old: str, new: str) -> str:
        assert self.tree is not None
        return self.tree.git.diff(old, new)


def commits_of_plan(repo: git.Repo, rev: str, plan_id: str) -> list[tuple[str, str]]:
    """(sha, Unify-Step value) of the commits reachable from ``rev`` made by this plan."""
    try:
        out = repo.git.log(rev, "--format=%H%x00%(trailers:key=Unify-Step,valueonly)%x00",
                           f"--grep=^Unify-Plan: {plan_id}$", "--extended-regexp")
    except git.GitCommandError:
        return []
    found = []
    for record in out.split("\x00\n"):
        sha, _, step = record.strip("\n").partition("\x00")
        if sha.strip():
            found.append((sha.strip(), step.strip().strip("\x00").strip()))
    return found
