"""The few read-only git questions scan needs (plain ``git``: fast, no state)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from unify.errors import InputError


def _git(cwd: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise InputError("git is not installed", "install git and try again") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {args[0]} failed in {cwd}: {message[-1] if message else '?'}")
    return result.stdout


def find_repo(start: Path) -> Path:
    """The top of the git work tree containing ``start``."""
    start = start if start.is_dir() else start.parent
    if not start.exists():
        raise InputError(f"{start}: no such directory")
    try:
        out = _git(start, "rev-parse", "--show-toplevel")
    except InputError:
        raise InputError(
            f"{start} is not inside a git work tree",
            "run unify inside your project's repository, or pass --repo PATH",
        ) from None
    return Path(out.decode().strip()).resolve()


def list_python_files(repo: Path, scope: str) -> list[tuple[str, str | None]]:
    """(path, blob id or None if untracked) for every .py file git knows under scope.

    Tracked files come from the index (their blob ids are free); untracked files
    that .gitignore does not exclude are included too, without a blob id.
    """
    spec = [scope] if scope else []
    files: dict[str, str | None] = {}
    staged = _git(repo, "ls-files", "-s", "-z", "--", *spec)
    for record in staged.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, blob, _stage = meta.split(b" ")
        if mode == b"160000":  # submodule
            continue
        files[path.decode("utf-8", "surrogateescape")] = blob.decode()
    others = _git(repo, "ls-files", "-z", "--others", "--exclude-standard", "--", *spec)
    for path in others.split(b"\0"):
        if path:
            files.setdefault(path.decode("utf-8", "surrogateescape"), None)
    return sorted(
        (p, b) for p, b in files.items() if p.endswith(".py") and (repo / p).is_file()
    )


def head_commit(repo: Path) -> str:
    """The commit HEAD points at; a repository without commits is refused."""
    try:
        return _git(repo, "rev-parse", "--verify", "HEAD").decode().strip()
    except InputError:
        raise InputError(
            f"{repo} has no commits yet", "commit your work first: unify plans against a commit"
        ) from None
