"""The few read-only git questions scan needs (plain ``git``: fast, no state)."""

from __future__ import annotations

import hashlib
import os
import re
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


def locate(path: str | None, repo: str | None) -> tuple[Path, str]:
    """(repository root, scope relative to it) from the CLI's PATH and --repo."""
    target = Path(path).expanduser() if path else None
    if target is not None and not target.exists():
        raise InputError(f"{path}: no such file or directory", "check the PATH argument")
    if repo is not None:
        root_arg = Path(repo).expanduser()
        if not root_arg.is_dir():
            raise InputError(f"{repo}: no such directory", "check --repo")
        root = find_repo(root_arg)
        if target is not None and not target.is_absolute():
            target = root_arg / target if (root_arg / target).exists() else target
    else:
        root = find_repo((target or Path.cwd()).resolve())
    if target is None:
        return root, ""
    resolved = target.resolve()
    try:
        scope = resolved.relative_to(root).as_posix()
    except ValueError:
        raise InputError(
            f"{path} is outside the repository {root}", "pass a PATH inside the repository"
        ) from None
    return root, "" if scope == "." else scope


def keyed_python_files(repo: Path, scope: str) -> list[tuple[str, str | None]]:
    """Every .py file git knows under scope (tracked, and untracked files .gitignore
    does not exclude), each with its blob id only when that is the id of the bytes
    in the work tree: files modified since they were staged, conflicted entries,
    symlinks and untracked files get None (hash them)."""
    spec = [scope] if scope else []
    files: dict[str, str | None] = {}
    staged = _git(repo, "ls-files", "-s", "-z", "--", *spec)
    for record in staged.split(b"\0"):
        if not record:
            continue
        meta, _, raw = record.partition(b"\t")
        mode, blob, stage = meta.split(b" ")
        if mode == b"160000":  # submodule
            continue
        path = raw.decode("utf-8", "surrogateescape")
        exact = mode in (b"100644", b"100755") and stage == b"0" and path not in files
        files[path] = blob.decode() if exact else None
    modified = _git(repo, "ls-files", "-m", "-z", "--", *spec)
    for raw in modified.split(b"\0"):
        if raw:
            files[raw.decode("utf-8", "surrogateescape")] = None
    others = _git(repo, "ls-files", "-z", "--others", "--exclude-standard", "--", *spec)
    for raw in others.split(b"\0"):
        if raw:
            files.setdefault(raw.decode("utf-8", "surrogateescape"), None)
    root = str(repo)
    return sorted(
        (p, b) for p, b in files.items()
        if p.endswith(".py") and os.path.isfile(os.path.join(root, p))
    )


def blob_id(data: bytes) -> str:
    """git's blob id of these bytes (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def common_dir(repo: Path) -> Path:
    """The repository's shared git folder (the same for every linked work tree)."""
    out = _git(repo, "rev-parse", "--git-common-dir").decode().strip()
    return (repo / out).resolve()


_ERE_SPECIAL = re.compile(r"([.\[\]()*+?{}|^$\\])")
_ALTERNATIVES = 1000  # names per regular expression: larger ones make git grep slow


def grep_files(
    repo: Path, patterns: list[str], scope: str, *, word: bool = False
) -> set[str] | None:
    """Python files under scope whose bytes contain any of ``patterns`` (fixed
    strings; with ``word``, as whole words: not next to a letter, digit or _).
    Tracked and untracked files are searched in the work tree, .gitignore
    honoured. None: git grep could not run."""
    import tempfile  # only here: every command imports this module

    if not patterns:
        return set()
    if scope.endswith(".py") or any(c in scope for c in "*?[]:"):
        spec = [scope]
    else:
        spec = [f"{scope}/*.py" if scope else "*.py"]
    if word:  # one alternation per chunk: git grep tries each -e pattern on every line
        lines = ["|".join(_ERE_SPECIAL.sub(r"\\\1", p) for p in patterns[i : i + _ALTERNATIVES])
                 for i in range(0, len(patterns), _ALTERNATIVES)]
        mode = ["-E", "-w"]
    else:
        lines, mode = list(patterns), ["-F"]
    with tempfile.NamedTemporaryFile("wb", suffix=".patterns") as listing:
        listing.write("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
        listing.flush()
        args = ["grep", "-l", "-z", *mode, "--untracked", "--full-name", "--no-color",
                "-f", listing.name, "--", *spec]
        try:
            result = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=repo,
                                    capture_output=True, check=False)
        except OSError:
            return None
    if result.returncode not in (0, 1):
        return None
    return {p.decode("utf-8", "surrogateescape") for p in result.stdout.split(b"\0") if p}


def head_commit(repo: Path) -> str:
    """The commit HEAD points at; a repository without commits is refused."""
    try:
        return _git(repo, "rev-parse", "--verify", "HEAD").decode().strip()
    except InputError:
        raise InputError(
            f"{repo} has no commits yet", "commit your work first: unify plans against a commit"
        ) from None
