"""Stage 1: which files, and their per-file facts.

``git ls-files`` decides what belongs to the project (so .gitignore is
honoured); files are parsed with the stdlib ``ast`` (ten times faster than
libcst, and exact enough for a read-only inventory). Three things keep this
cheap on large repositories:

* a **cache** of per-file facts keyed by git blob id (:mod:`unify.cache`):
  a file is parsed once per content, ever;
* a **process pool** when there are more than :data:`PARALLEL_MIN` files to
  parse (results in input order, so output never depends on it);
* with ``focus=True``, a **text prefilter**: only files that can define a
  model or import one are read at all (see :func:`_focused`). Every other file
  is in the result as an empty :class:`ModuleFacts` (its path still counts for
  module resolution).

``focus=False`` (the default) parses every file: ``check`` and ``scan`` report
syntax errors and missing imports anywhere. ``focus=True`` gives the same
inventory (models, model and re-export modules, bases, tables, helpers,
dependents, string references, dynamic imports) except that parse errors and
unresolved imports are reported only for the files it read; that is all
``plan`` and ``apply`` need.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from unify.cache import FactsCache, open_cache
from unify.classify import Classifier
from unify.errors import InputError
from unify.extract import extract
from unify.facts import ModuleFacts
from unify.gitrepo import blob_id, common_dir, grep_files, keyed_python_files
from unify.gitrepo import locate  # noqa: F401  (here before it moved to gitrepo)
from unify.resolve import AttrRef, Binding, ClassRef, ExtRef, ModRef, ModuleIndex, Ref, ValueRef
from unify.roots import Layout, declared_roots, skip_environments

#: Parse in worker processes only when there are more files than this to parse.
PARALLEL_MIN = 200

#: A file that defines a declarative base, or a class that derives from one
#: without importing it from another project file, has one of these words
#: (``db.Model``, ``SQLModel``, ``DeclarativeBase[NoMeta]``, ``declarative_base()``,
#: ``SQLAlchemy()``, ``registry().generate_base()``: what the classifier looks for).
ROOT_MARKERS = ("Model", "SQLModel", "DeclarativeBase", "DeclarativeBaseNoMeta",
                "declarative_base", "SQLAlchemy", "generate_base")
#: Facts recorded for every file whatever it imports (string references,
#: ``Table(...)``, dynamic imports) need one of these call names, as a word.
FACT_MARKERS = ("relationship", "relation", "dynamic_loader", "ForeignKey", "backref", "Table",
                "import_module", "__import__")
_EXTERNAL_ROOTS = {"DeclarativeBase", "DeclarativeBaseNoMeta", "SQLModel", "SQLAlchemy",
                   "declarative_base"}
_RELATIVE = re.compile(rb"(?<![A-Za-z0-9_])from[\s\\]*\.")


@dataclass(frozen=True)
class ScanStats:
    files: int = 0  # Python files in scope
    parsed: int = 0  # parsed by this run
    cached: int = 0  # facts read from the cache
    skipped: int = 0  # never read: the prefilter showed they cannot matter (focus=True)
    searches: int = 0  # text searches over the tree (focus=True)
    jobs: int = 1  # processes that parsed


@dataclass(frozen=True)
class ScanResult:
    repo: Path
    scope: str  # repository-relative folder or file, "" for the whole repository
    modules: tuple[ModuleFacts, ...]
    stats: ScanStats = field(default_factory=ScanStats, compare=False)
    focused: bool = False  # files the prefilter skipped are empty ModuleFacts
    #: declared import roots (configuration, sys.path edits) and the environment
    #: trees not scanned (unify.roots)
    layout: Layout = field(default_factory=Layout)


def read_facts(repo: Path, path: str, source: bytes | None = None) -> ModuleFacts:
    if source is None:
        try:
            source = (repo / path).read_bytes()
        except OSError as exc:
            return ModuleFacts(
                path=path,
                error=(1, f"cannot read the file: {exc.strerror}", "check its permissions"),
            )
    return extract(path, source)


def scan(
    repo: Path, scope: str = "", *, focus: bool = False, watch: Iterable[str] = (),
    jobs: int | None = None,
) -> ScanResult:
    """Facts of the Python files under ``scope``, in path order.

    ``focus``: read only what the model inventory needs (module docstring).
    ``watch``: modules (dotted names or file paths) whose importers must be read
    too, e.g. the old model modules when checking that nothing imports them.
    """
    files, layout = _layout(repo, scope, keyed_python_files(repo, scope))
    store = open_cache(_git_dir(repo))
    reader = _Reader(repo, dict(files), store, worker_count(jobs))
    try:
        if focus:
            found = _Focus(reader, scope, watch, layout).run()
        else:
            found = reader.read([path for path, _ in files])
        modules = tuple(found.get(path) or ModuleFacts(path=path) for path, _ in files)
        stats = ScanStats(
            files=len(files), parsed=reader.parsed, cached=reader.cached,
            skipped=len(files) - len(found), searches=reader.searches, jobs=reader.used_jobs,
        )
        return ScanResult(repo=repo, scope=scope, modules=modules, stats=stats, focused=focus,
                          layout=layout)
    finally:
        reader.close()
        store.close()


def _layout(repo: Path, scope: str, files: list[tuple[str, str | None]]
            ) -> tuple[list[tuple[str, str | None]], Layout]:
    """The files outside environment trees, and the roots declared outside the facts:
    configuration files, and the ``sys.path`` edits of the files that mention it."""
    kept, skipped = skip_environments([p for p, _ in files], repo)
    if skipped:
        keep = set(kept)
        files = [f for f in files if f[0] in keep]
    hits = grep_files(repo, ["sys.path"], scope)
    if hits is None:
        hits = {p for p in kept if b"sys.path" in _read(repo, p)}
    return files, Layout(declared_roots(repo, kept, hits), skipped)


def _read(repo: Path, path: str) -> bytes:
    try:
        return (repo / path).read_bytes()
    except OSError:
        return b""


def read_files(repo: Path, paths: list[str]) -> dict[str, ModuleFacts]:
    """Facts of these files as they are on disk (through the cache, in parallel when it
    pays): what a scan would read for them, without the scan."""
    store = open_cache(_git_dir(repo))
    reader = _Reader(repo, dict.fromkeys(paths), store, worker_count())
    try:
        return reader.read(paths)
    finally:
        reader.close()
        store.close()


def _git_dir(repo: Path) -> Path | None:
    try:
        return common_dir(repo)
    except InputError:
        return None


def worker_count(jobs: int | None = None) -> int:
    """Processes to use: ``jobs``, else ``UNIFY_JOBS``, else the CPUs this process may use."""
    if jobs:
        return max(1, jobs)
    env = os.environ.get("UNIFY_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# -- reading: cache, then parse (in parallel when it pays) --------------------------


class _Reader:
    """Facts of files by path: from the cache when it knows the bytes, else parsed."""

    def __init__(self, repo: Path, keys: dict[str, str | None], store: FactsCache, jobs: int):
        self.repo = repo
        self.keys = keys  # path -> blob id of the work-tree bytes, None until hashed
        self.sources: dict[str, bytes] = {}  # bytes read while hashing, parsed from memory
        self.store = store
        self.jobs = jobs
        self.parsed = self.cached = self.searches = 0
        self.used_jobs = 1
        self.pool: ProcessPoolExecutor | None = None
        self.pruned = False

    def key(self, path: str) -> str | None:
        """The blob id of the file's bytes (hashing them if git could not tell)."""
        key = self.keys.get(path)
        if key is None and path not in self.sources:
            try:
                self.sources[path] = (self.repo / path).read_bytes()
            except OSError:
                return None
            key = self.keys[path] = blob_id(self.sources[path])
        return key

    def read(self, paths: list[str]) -> dict[str, ModuleFacts]:
        keyed = {p: k for p in paths if (k := self.key(p)) is not None}
        found = self.store.get_many(keyed)
        self.cached += len(found)
        missing = [p for p in paths if p not in found]
        if missing:
            fresh = self._parse(missing)
            self.parsed += len(fresh)
            if not self.pruned:
                self.store.prune(k for k in self.keys.values() if k)
                self.pruned = True
            self.store.put_many(
                (keyed[p], f) for p, f in fresh.items() if p in keyed and not _unreadable(f)
            )
            found.update(fresh)
        return found

    def _parse(self, paths: list[str]) -> dict[str, ModuleFacts]:
        work = [(str(self.repo), p, self.sources.pop(p, None)) for p in paths]
        if len(work) <= PARALLEL_MIN or self.jobs < 2:
            return {p: read_facts(self.repo, p, source) for _, p, source in work}
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.jobs)
            self.used_jobs = self.jobs
        chunk = max(8, len(work) // (self.jobs * 8))
        return {f.path: f for f in self.pool.map(_parse_one, work, chunksize=chunk)}

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


def _parse_one(item: tuple[str, str, bytes | None]) -> ModuleFacts:
    repo, path, source = item
    return read_facts(Path(repo), path, source)


def _unreadable(facts: ModuleFacts) -> bool:
    return facts.error is not None and facts.error[1].startswith("cannot read the file")


# -- the prefilter --------------------------------------------------------------------


class _Focus:
    """Read the files that can matter to the model inventory, and no other.

    A file can matter in four ways, and each leaves a trace in its bytes:

    1. it defines a declarative base or derives a class from one it does not
       import from another project file: it has a :data:`ROOT_MARKERS` word;
    2. it holds a string reference, a ``Table(...)`` or a dynamic import:
       a :data:`FACT_MARKERS` word;
    3. it imports from a module that binds something of the model world (a
       model, an abstract or declarative base, a module of those, or a
       re-binding of any of these; not Flask-SQLAlchemy's ``db``, which
       needs ``db.Model`` and so rule 1: see :func:`_model_world`): it names that module (its last dotted
       component as a word), or, for a package ``__init__``, it sits under the
       package and imports relatively;
    4. resolving a name of a file already read goes through it (a mixin's
       columns, a package a submodule is imported from, a star import).

    Starting from 1 and 2, every round reads what 3 and 4 add, until nothing
    is added. Rule 4 is found by replaying the inventory's own resolution on
    an index that records every unread file whose bindings it consults.
    """

    def __init__(self, reader: _Reader, scope: str, watch: Iterable[str],
                 layout: Layout | None = None) -> None:
        self.reader = reader
        self.scope = scope
        self.layout = layout
        self.watch = sorted({_import_name(w) if w.endswith(".py") else w.rpartition(".")[2]
                             for w in watch if w})
        self.paths = list(reader.keys)
        self.known = set(self.paths)
        self.searched: set[str] = set()
        self.relative: dict[str, bool] = {}  # path -> does it import relatively

    def run(self) -> dict[str, ModuleFacts]:
        memo = self._memo_key()
        wanted = self.reader.store.get_run(memo) if memo else None
        if isinstance(wanted, list) and set(wanted) <= self.known:
            return self.reader.read(wanted)
        facts: dict[str, ModuleFacts] = {}
        self.searched.update(self.watch)  # one search for the markers and watched names
        pending = self._search([*ROOT_MARKERS, *FACT_MARKERS, *self.watch], word=True)
        while pending:
            facts.update(self.reader.read(sorted(pending)))
            touched, names, packages = _closure(facts, self.paths, self.scope, self.layout)
            pending = touched | self._names(sorted(names)) | self._under(packages)
            pending -= facts.keys()
        if memo:
            self.reader.store.put_run(memo, sorted(facts))
        return facts

    def _memo_key(self) -> str | None:
        digest = hashlib.sha1(f"{self.scope}\0{self.watch}\0{self.layout}".encode())
        for path in self.paths:
            key = self.reader.key(path)
            if key is None:
                return None
            digest.update(f"{path}\0{key}\n".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def _names(self, names: list[str]) -> set[str]:
        fresh = [n for n in names if n not in self.searched]
        self.searched.update(fresh)
        return self._search(fresh, word=True) if fresh else set()

    def _under(self, packages: set[str]) -> set[str]:
        """Files inside these package folders that import relatively."""
        inside = [p for p in self.paths if "" in packages or _in_folders(p, packages)]
        for path in inside:
            if path not in self.relative:
                self.relative[path] = _RELATIVE.search(self._bytes(path)) is not None
        return {p for p in inside if self.relative[p]}

    def _search(self, patterns: list[str], word: bool) -> set[str]:
        self.reader.searches += 1
        hits = grep_files(self.reader.repo, patterns, self.scope, word=word)
        if hits is None:  # no usable git grep: the same search in Python
            hits = {p for p in self.paths if _contains(self._bytes(p), patterns, word)}
        return hits & self.known

    def _bytes(self, path: str) -> bytes:
        try:
            return (self.reader.repo / path).read_bytes()
        except OSError:
            return b""


def _in_folders(path: str, folders: set[str]) -> bool:
    """Is ``path`` under one of ``folders``? (its ancestors probed, not the folders walked)"""
    folder = posixpath.dirname(path)
    while folder:
        if folder in folders:
            return True
        folder = posixpath.dirname(folder)
    return False


def _contains(data: bytes, patterns: list[str], word: bool) -> bool:
    if not word:
        return any(p.encode() in data for p in patterns)
    alternatives = b"|".join(re.escape(p.encode()) for p in patterns)
    pattern = rb"(?<![A-Za-z0-9_])(?:" + alternatives + rb")(?![A-Za-z0-9_])"
    return re.search(pattern, data) is not None


class _TracingIndex(ModuleIndex):
    """A module index that notes every unread file whose bindings were consulted."""

    def __init__(self, modules: list[ModuleFacts], unread: set[str],
                 layout: Layout | None = None) -> None:
        super().__init__(modules, layout)
        self.unread = unread
        self.touched: set[str] = set()
        self.tracing = True

    def module_bindings(self, path: str) -> dict[str, list[Binding]]:
        if self.tracing and path in self.unread:
            self.touched.add(path)
        return super().module_bindings(path)

    def star_sources(self, path: str) -> list[str | None]:
        if self.tracing and path in self.unread:
            self.touched.add(path)
        return super().star_sources(path)


def _closure(
    facts: dict[str, ModuleFacts], paths: list[str], scope: str, layout: Layout | None = None
) -> tuple[set[str], set[str], set[str]]:
    """(unread files to read, module names to search for, package folders whose
    relative importers to read), given the facts read so far."""
    from unify import inventory  # inventory imports this module

    read = {p: f for p, f in facts.items() if f.error is None}
    unread = set(paths) - facts.keys()
    modules = [read.get(p) or ModuleFacts(path=p) for p in paths if p in read or p in unread]
    index = _TracingIndex(modules, unread, layout)
    classifier = Classifier(index)
    # rule 4: the inventory's own resolution, on what has been read
    models = inventory._models(index, classifier, scope)
    model_modules = inventory.model_module_paths(models, read.values())
    reexports = _reexports(index, classifier, read, model_modules)
    targets = model_modules | reexports
    inventory._helpers(index, classifier, models)
    for module in read.values():
        inventory._sites(index, module, targets, tuple(sorted(reexports)))
        inventory._unresolved(index, module, targets)
        for dynamic in module.dynamic_imports:
            inventory._dynamic_target(index, module.path, dynamic.literal, targets)
    index.tracing = False
    index.touched |= index.roots.evidence & unread  # what makes a folder a script root
    # rule 3: the modules through which model-world names can be imported
    world = _world(index, classifier, read, targets)
    names = {_import_name(p) for p in world} - {""}
    packages = {posixpath.dirname(p) for p in world if p.endswith("__init__.py")}
    # an unread module that shares a target's name could shadow it, or be shadowed
    target_names = {_import_name(p) for p in targets}
    shadows = {p for p in unread if _import_name(p) in target_names}
    return index.touched | shadows, names, packages


def _reexports(
    index: ModuleIndex, classifier: Classifier, read: dict[str, ModuleFacts],
    model_modules: set[str],
) -> set[str]:
    """The inventory's re-export modules, among the files read."""
    from unify import inventory

    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for path, facts in read.items():
            if path in model_modules or path in found:
                continue
            if inventory._reexports(index, classifier, facts, model_modules | found):
                found.add(path)
                changed = True
    return found


def _world(index: ModuleIndex, classifier: Classifier, read: dict[str, ModuleFacts],
           targets: set[str]) -> set[str]:
    """Files read that bind (or star-import) something of the model world."""
    world = set(targets)
    links: dict[str, set[str]] = {}  # module -> modules whose membership makes it a member
    for path in read:
        if path in world:
            continue
        links[path] = set()
        for name, bindings in index.module_bindings(path).items():
            if all(b.kind in ("function", "other") for b in bindings):
                continue
            ref = index.resolve_name(path, name)
            if isinstance(ref, ModRef):
                links[path].add(ref.path)
            elif _model_world(classifier, ref):
                world.add(path)
                break
        else:
            links[path].update(s for s in index.star_sources(path) if s)
    changed = True
    while changed:
        changed = False
        for path, sources in links.items():
            if path not in world and sources & world:
                world.add(path)
                changed = True
    return world


def _model_world(classifier: Classifier, ref: Ref | None) -> bool:
    """Can a file use what ``ref`` names as a base, by name alone (no marker word)?

    Flask-SQLAlchemy's ``db`` (and the ``SQLAlchemy`` class it is made from)
    is not: a model reaches it as ``db.Model``, and ``Model`` is a
    :data:`ROOT_MARKERS` word, so its importers are read if and only if they
    must be (the most common Flask file, ``from app import db``, is not)."""
    if isinstance(ref, ClassRef):
        return classifier.kind(ref) != "plain"
    if isinstance(ref, ValueRef):
        return classifier.value_flavour(ref) not in (None, "flask_sqlalchemy")
    if isinstance(ref, AttrRef):
        return classifier.ref_kind(ref).category == "BASE"
    if isinstance(ref, ExtRef):
        return (ref.qualname.rsplit(".", 1)[-1] in _EXTERNAL_ROOTS - {"SQLAlchemy"}
                or ref.qualname.endswith("db.Model"))
    return False


def _import_name(path: str) -> str:
    """The name a module is imported by: ``app/models.py`` and ``app/models/__init__.py``
    are both ``models``."""
    stem = posixpath.basename(path)[:-3]
    if stem == "__init__":
        return posixpath.basename(posixpath.dirname(path))
    return stem
