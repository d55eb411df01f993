"""The plan memo: ``unify plan`` on an unchanged repository gives back its last plan.

A plan is a function of the Python files the scan sees (their paths and
bytes), of HEAD (the plan's base commit), of the options and of unify itself.
The memo keeps finished plans (the text, and the :class:`~unify.plan.Plan` the
summary and ``--json`` are made from) under a key over all of these, one file
per key in ``<git common dir>/unify/plan-memo/``. A run whose key is there
skips scanning, analysing and rendering; writing the plan file (or refusing
to overwrite one), the summary and the exit code happen as on every run.

The key sees the files the way :func:`unify.scan.scan` does, through git:

* every index entry under the scope (``git ls-files -s``: mode, blob id,
  stage, path), hashed whole;
* the bytes of each ``.py`` file whose blob id the scan cannot take from the
  index: modified or deleted since staged (``git ls-files -m``), untracked and
  not ignored (``git ls-files --others --exclude-standard``), symlinks and
  conflicted entries;
* HEAD; the options, with paths resolved as :func:`unify.api.make_plan`
  resolves them (so the current folder is in the key when it matters);
* unify's version, Python's, and the (size, mtime) of every source file of
  ``unify``, ``codemods`` and ``tomlkit`` (which writes the plan's bytes).

One input git does not vouch for: the fingerprints hash each file's bytes as
they are in the work tree, and an end-of-line conversion or a clean filter can
change bytes that git still calls unchanged. So the stat (size, mtime, ctime,
inode, device) of every fingerprinted file is kept with the plan and compared
on a hit; a file whose stat differs is hashed again, and the memo misses if
its blob id changed. A file modified less than :data:`RACY_NS` before it was
read keeps no stat (one write in the same timestamp tick could hide behind
it): it is hashed on every hit.

Never used with ``--database`` (a live schema is not an input it can see).
Off with ``UNIFY_CACHE=0``, like the facts cache; deleting ``.git/unify/``
clears both. Like the facts cache it fails soft: no memo, same result.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from unify import __version__
from unify.cache import disabled
from unify.gitrepo import blob_id

if TYPE_CHECKING:
    from unify.plan import Plan

FOLDER = "plan-memo"
KEPT = 8  # plans kept, the most recently used (one per repository state and options)
RACY_NS = 2_000_000_000  # a file changed this recently may change again unseen by stat
#: The packages whose code makes the plan: (size, mtime) of their source files.
CODE = ("unify", "codemods", "tomlkit")

Stat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


@dataclass(frozen=True)
class Slot:
    """Where the plan for one key is kept."""

    key: str
    path: Path


@dataclass(frozen=True)
class Entry:
    """A kept plan: its text, and the stat of each fingerprinted file (None: hash it)."""

    key: str
    plan: Plan
    text: str
    stats: tuple[tuple[str, Stat | None], ...]


def slot(root: Path, scope: str, options: tuple | None) -> Slot | None:
    """The memo slot of this run; None when there is none: memo turned off, options
    make_plan will refuse, no commit yet, or git failed."""
    if options is None or disabled():
        return None
    spec = ["--"]  # the whole repository: importers outside the scope are rewritten too
    outputs = _git_all(root, [
        ["rev-parse", "--git-common-dir", "--verify", "HEAD"],
        ["ls-files", "-s", "-z", *spec],
        ["ls-files", "-z", "--modified", "--others", "--exclude-standard", *spec],
    ])
    if outputs is None:
        return None
    revs, staged, loose = outputs
    lines = revs.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) != 2:
        return None
    common, head = lines
    digest = hashlib.sha256()

    def part(label: bytes, data: bytes) -> None:  # length-prefixed: no two inputs collide
        digest.update(b"%s %d\0" % (label, len(data)) + data)

    part(b"code", _code_state())
    part(b"options", repr((str(root), scope, options)).encode("utf-8", "surrogateescape"))
    part(b"head", head.encode())
    part(b"index", staged)
    top = os.fsencode(root)
    for path in sorted(_unvouched(staged, loose)):
        part(b"path", path)
        part(b"bytes", _content(os.path.join(top, path)))
    key = digest.hexdigest()
    return Slot(key, (root / common).resolve() / "unify" / FOLDER / f"{key}.pickle")


def recall(root: Path, where: Slot) -> tuple[Plan, str] | None:
    """The kept plan and its text, if this slot has one and its files are unchanged."""
    try:
        with open(where.path, "rb") as handle:
            entry = pickle.load(handle)
    except Exception:  # missing, or anything a damaged file can raise: no memo
        return None
    if not isinstance(entry, Entry) or entry.key != where.key:
        return None
    stats = _verify(root, entry)
    if stats is None:
        return None
    if stats != entry.stats:  # rehashed and unchanged: keep the new stats
        remember(where, entry.plan, entry.text, stats)
    else:
        try:
            os.utime(where.path)  # recently used: kept longest
        except OSError:
            pass
    return entry.plan, entry.text


def remember(where: Slot, plan: Plan, text: str,
             stats: tuple[tuple[str, Stat | None], ...]) -> None:
    """Keep the plan in its slot (atomically), and forget all but the :data:`KEPT`
    most recently used."""
    data = pickle.dumps(Entry(where.key, plan, text, stats), pickle.HIGHEST_PROTOCOL)
    folder = where.path.parent
    temporary = folder / f"{where.path.name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, where.path)
        kept = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only or full .git: no memo
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass


def fingerprints(root: Path, paths: Iterable[str]
                 ) -> tuple[dict[str, str], tuple[tuple[str, Stat | None], ...]]:
    """The blob id of each file's bytes, and the stat that can vouch for them later.
    A file that cannot be read raises, as reading it always has."""
    blobs: dict[str, str] = {}
    stats: list[tuple[str, Stat | None]] = []
    for path in paths:
        full = os.path.join(root, path)
        before = _stat(full)
        with open(full, "rb") as handle:
            blobs[path] = blob_id(handle.read())
        stats.append((path, _settled(before, _stat(full))))
    return blobs, tuple(stats)


# -- the key ------------------------------------------------------------------------


def _git_all(root: Path, commands: list[list[str]]) -> list[bytes] | None:
    """Run git commands side by side; their outputs, None if any failed."""
    procs: list[subprocess.Popen] = []
    try:
        for args in commands:
            procs.append(subprocess.Popen(["git", *args], cwd=root, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL))
        outputs = [proc.communicate()[0] for proc in procs]
    except OSError:
        for proc in procs:
            proc.kill()
            proc.wait()
        return None
    if any(proc.returncode != 0 for proc in procs):
        return None
    return outputs


#: In ``git ls-files -s`` output, what a symlink or a conflicted entry has (or a
#: path that happens to contain it: then the records are only looked at closer).
_MAYBE_INEXACT = (b"120000 ", b" 1\t", b" 2\t", b" 3\t")


def _unvouched(staged: bytes, loose: bytes) -> set[bytes]:
    """The .py paths whose bytes the index does not give: exactly those
    :func:`unify.gitrepo.keyed_python_files` keys None. ``loose``: the modified
    (or deleted) and the untracked files, in one list (both are keyed by bytes)."""
    paths = {p for p in loose.split(b"\0") if p.endswith(b".py")}
    if any(mark in staged for mark in _MAYBE_INEXACT):  # rare: look closer
        seen: set[bytes] = set()
        for record in staged.split(b"\0"):
            meta, _, path = record.partition(b"\t")
            fields = meta.split(b" ")
            if len(fields) != 3 or fields[0] == b"160000" or not path.endswith(b".py"):
                continue
            mode, _, stage = fields
            if mode not in (b"100644", b"100755") or stage != b"0" or path in seen:
                paths.add(path)
            seen.add(path)
    return paths


def _content(path: bytes) -> bytes:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha1(handle.read()).digest()
    except OSError:
        return b"unreadable" if os.path.isfile(path) else b"missing"


def _code_state() -> bytes:
    """unify's and Python's versions, and (size, mtime) of the code that makes a plan."""
    parts = [__version__, sys.version]
    for name in CODE:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for top, dirs, files in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for file in sorted(files):
                    if file.endswith(".py"):
                        info = os.stat(os.path.join(top, file))
                        parts.append(f"{top}/{file} {info.st_size} {info.st_mtime_ns}")
    return "\n".join(parts).encode("utf-8", "surrogateescape")


# -- the fingerprinted files' stats ----------------------------------------------------


def _stat(path: str) -> Stat | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def _settled(before: Stat | None, after: Stat | None) -> Stat | None:
    """The stat, when it vouches for the bytes just read: unchanged across the read,
    and not so recent that a write in the same timestamp tick could follow unseen."""
    if before is None or before != after:
        return None
    if max(before[1], before[2]) > time.time_ns() - RACY_NS:
        return None
    return before


def _verify(root: Path, entry: Entry) -> tuple[tuple[str, Stat | None], ...] | None:
    """The fingerprinted files' stats now; None if one's bytes changed (or are gone)."""
    kept = dict(entry.stats)
    stats: list[tuple[str, Stat | None]] = []
    for path, blob in entry.plan.fingerprints:
        full = os.path.join(root, path)
        now = _stat(full)
        if now is None:
            return None
        if now == kept.get(path):
            stats.append((path, now))
            continue
        try:
            with open(full, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if blob_id(data) != blob:
            return None
        stats.append((path, _settled(now, _stat(full))))
    return tuple(stats)
