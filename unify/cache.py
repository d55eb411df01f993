"""Per-file facts kept between runs, keyed by git blob id, under ``.git/unify/``.

A file's :class:`~unify.facts.ModuleFacts` depend only on its bytes (the path
is put back on load), so the blob id ``git ls-files -s`` gives for free is a
complete key; files whose work-tree bytes differ from the index are keyed by
the hash of their bytes instead (:func:`unify.gitrepo.blob_id`, the same id
git would give them). Entries also carry the *namespace*: unify's version,
the Python version and a hash of unify's own source, so a changed extractor
never reads facts an older one wrote. A cache never changes results; when it
cannot be opened or written (read-only ``.git``, a locked or corrupt file) the
run goes on without it. ``UNIFY_CACHE=0`` turns it off; deleting
``.git/unify/`` clears it.

The same store keeps one more thing per repository state: which files the
prefilter of :func:`unify.scan.scan` ended up reading (see ``runs``), so a
second scan of an unchanged tree needs no text search either.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from unify import __version__

if TYPE_CHECKING:  # unpickling imports it: a plan memo hit never needs it
    from unify.facts import ModuleFacts

FILENAME = "facts.sqlite3"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, namespace TEXT, data BLOB)",
    "CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, namespace TEXT, data BLOB)",
)
_CHUNK = 500  # keys per SELECT (SQLite's parameter limit is 999 on old builds)
RUNS_KEPT = 64  # prefilter outcomes kept (one per repository state scanned)


def namespace() -> str:
    """What cached facts were computed with: unify, Python, unify's source bytes."""
    digest = hashlib.sha1(f"{__version__}|{sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


class FactsCache:
    """A SQLite file of pickled facts; every method fails soft (no cache, same results)."""

    def __init__(self, path: Path | None) -> None:
        self.namespace = namespace()
        self.db: sqlite3.Connection | None = None
        if path is not None:
            self.db = self._open(path)

    def _open(self, path: Path) -> sqlite3.Connection | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                db.execute(statement)
            return db
        except (OSError, sqlite3.Error):
            return None

    @property
    def enabled(self) -> bool:
        return self.db is not None

    # -- facts ------------------------------------------------------------------------
    def get_many(self, keyed: dict[str, str]) -> dict[str, ModuleFacts]:
        """path -> facts for the (path -> key) pairs the cache holds."""
        if self.db is None or not keyed:
            return {}
        by_key: dict[str, list[str]] = {}
        for path, key in keyed.items():
            by_key.setdefault(key, []).append(path)
        found: dict[str, ModuleFacts] = {}
        keys = list(by_key)
        try:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                rows = self.db.execute(
                    f"SELECT key, data FROM facts WHERE namespace = ? AND key IN "
                    f"({','.join('?' * len(chunk))})",
                    (self.namespace, *chunk),
                ).fetchall()
                for key, data in rows:
                    facts = pickle.loads(data)
                    for path in by_key[key]:
                        found[path] = replace(facts, path=path)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            return {}
        return found

    def put_many(self, items: Iterable[tuple[str, ModuleFacts]]) -> None:
        """Store (key, facts) pairs; facts are stored without their path."""
        if self.db is None:
            return
        rows = [
            (key, self.namespace, pickle.dumps(replace(f, path=""), pickle.HIGHEST_PROTOCOL))
            for key, f in items
        ]
        if not rows:
            return
        try:
            with self._transaction():
                self.db.executemany(
                    "INSERT OR REPLACE INTO facts (key, namespace, data) VALUES (?, ?, ?)", rows
                )
        except sqlite3.Error:
            pass

    # -- prefilter outcomes -------------------------------------------------------------
    def get_run(self, key: str) -> object | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT data FROM runs WHERE key = ? AND namespace = ?", (key, self.namespace)
            ).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError):
            return None

    def put_run(self, key: str, value: object) -> None:
        if self.db is None:
            return
        try:
            with self._transaction():
                self.db.execute(
                    "INSERT OR REPLACE INTO runs (key, namespace, data) VALUES (?, ?, ?)",
                    (key, self.namespace, pickle.dumps(value, pickle.HIGHEST_PROTOCOL)),
                )
        except sqlite3.Error:
            pass

    # -- housekeeping ---------------------------------------------------------------------
    def prune(self, keep: Iterable[str]) -> None:
        """Forget what another unify (or source tree) wrote, all but the latest
        :data:`RUNS_KEPT` prefilter outcomes, and, once the table holds far more
        than the repository, every blob not in ``keep``."""
        if self.db is None:
            return
        keep = list(keep)
        try:
            with self._transaction():
                for table in ("facts", "runs"):
                    self.db.execute(f"DELETE FROM {table} WHERE namespace != ?", (self.namespace,))
                self.db.execute(
                    "DELETE FROM runs WHERE rowid NOT IN "
                    "(SELECT rowid FROM runs ORDER BY rowid DESC LIMIT ?)", (RUNS_KEPT,)
                )
                (count,) = self.db.execute("SELECT COUNT(*) FROM facts").fetchone()
                if count > 4 * len(keep) + 10_000:
                    self.db.execute("CREATE TEMP TABLE keep (key TEXT PRIMARY KEY)")
                    self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)",
                                        ((k,) for k in keep))
                    self.db.execute("DELETE FROM facts WHERE key NOT IN (SELECT key FROM keep)")
                    self.db.execute("DROP TABLE keep")
        except sqlite3.Error:
            pass

    def _transaction(self):
        assert self.db is not None
        return _Transaction(self.db)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, traceback) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def disabled() -> bool:
    return os.environ.get("UNIFY_CACHE", "1").strip().lower() in ("0", "no", "off", "false")


def open_cache(git_dir: Path | None) -> FactsCache:
    """The cache under ``<git common dir>/unify/``; a no-op cache if turned off."""
    if git_dir is None or disabled():
        return FactsCache(None)
    return FactsCache(git_dir / "unify" / FILENAME)
