"""Where does a name come from? Modules, imports and bindings across files.

An absolute import is resolved only against the import roots of the importing
file (:mod:`unify.roots`: the repository root, ``src/``, configured and
``sys.path`` folders, package bases and script folders), in the order Python
would try them; a name no root provides is third-party. Every lookup is a set
or dict probe: nothing here is proportional to the repository per import.
"""

from __future__ import annotations

import ast
import posixpath
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Union

from unify.facts import ImportFact, ModuleFacts
from unify.roots import Layout, RootSet


@dataclass(frozen=True)
class ModRef:
    path: str  # a file, or "dir/" for a namespace package


@dataclass(frozen=True)
class ClassRef:
    path: str
    name: str


@dataclass(frozen=True)
class ValueRef:
    path: str
    name: str
    value: str  # source text of the assigned expression


@dataclass(frozen=True)
class ExtRef:
    qualname: str  # something outside the project, e.g. "flask_sqlalchemy.SQLAlchemy"


@dataclass(frozen=True)
class AttrRef:
    base: "Ref"
    attr: str


Ref = Union[ModRef, ClassRef, ValueRef, ExtRef, AttrRef]


@dataclass(frozen=True)
class Binding:
    kind: str  # class | assign | import | from | function | other
    line: int
    in_except: bool
    payload: object  # ClassFact name, AssignFact value, ImportFact, ...


class ModuleIndex:
    """All modules in scope, their dotted names and their module-level bindings."""

    def __init__(self, modules: Iterable[ModuleFacts], layout: Layout | None = None) -> None:
        self.by_path: dict[str, ModuleFacts] = {m.path: m for m in modules}
        #: the import roots, and the roots each folder runs with; read only
        self.roots = RootSet(self.by_path, self.by_path, layout)
        self.dirs = self.roots.dirs  # every folder holding a module, at any depth
        self._not_imported: tuple[tuple[str, str], ...] | None = None
        self.bindings: dict[str, dict[str, list[Binding]]] = {}
        self._absolute_cache: dict[tuple[str, str], str | None] = {}
        self._resolving: set[tuple[str, str]] = set()

    # -- modules ------------------------------------------------------------
    def local_top_level(self, name: str, importer: str | None = None) -> bool:
        """Does a root of ``importer`` (of any file, when None) provide ``name``?"""
        if importer is not None:
            return self.resolve_module(importer, name) is not None
        return any(self.roots._under(r.path, name) for r in self.roots.roots)

    def resolve_module(self, importer: str, module: str, level: int = 0) -> str | None:
        """File path (or "dir/" for a namespace package) of an imported module."""
        if level:
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            rest = module.lstrip(".")
            target = posixpath.join(base, *rest.split(".")) if rest else base
            keys = (target + ".py", target + "/__init__.py") if rest else (target + "/__init__.py",)
            for key in keys:
                if key in self.by_path:
                    return key
            return target + "/" if rest == "" or target in self.dirs else None
        key = (posixpath.dirname(importer), module)
        if key not in self._absolute_cache:
            self._absolute_cache[key] = self._absolute(*key)
        return self._absolute_cache[key]

    def _absolute(self, importer_dir: str, module: str) -> str | None:
        return self.roots.resolve(importer_dir, module)

    def not_imported(self) -> tuple[tuple[str, str], ...]:
        """(folder, why) of folders named like archives that no root declares and no
        file outside them imports: scanned, but never sources or rewritten."""
        if self._not_imported is None:
            candidates = [f for f in self.roots.archive_folders() if not self.roots.declares(f)]
            imported: set[str] = set()
            if candidates:
                for path in self.by_path:
                    for _, _, target in self.imports_of(path):
                        folder = _inside(target, candidates) if target else None
                        if folder is not None and not path.startswith(folder + "/"):
                            imported.add(folder)
            self._not_imported = tuple(
                (f + "/", "named like an archive; no root declares it and no file outside it "
                          "imports it") for f in candidates if f not in imported)
        return self._not_imported

    def is_not_imported(self, path: str) -> bool:
        return any(path.startswith(f) for f, _ in self.not_imported())

    def submodule(self, package: str, name: str) -> str | None:
        """``pkg/name.py`` (or its package) for ``from pkg import name``."""
        folder = package[:-1] if package.endswith("/") else posixpath.dirname(package)
        if not package.endswith("/") and not package.endswith("/__init__.py"):
            return None
        target = posixpath.join(folder, name) if folder else name
        for key in (target + ".py", target + "/__init__.py"):
            if key in self.by_path:
                return key
        if target in self.dirs:
            return target + "/"
        return None

    def imports_of(self, path: str) -> Iterator[tuple[ImportFact, str, str | None]]:
        """(import, module as written, its file or None) for each module an import names."""
        for imp in self.by_path[path].imports:
            modules = [n for n, _ in imp.names] if imp.kind == "import" else [imp.module]
            for module in modules:
                yield imp, module, self.resolve_module(path, module, imp.level)

    # -- bindings -------------------------------------------------------------
    def module_bindings(self, path: str) -> dict[str, list[Binding]]:
        cached = self.bindings.get(path)
        if cached is not None:
            return cached
        facts = self.by_path[path]
        table: dict[str, list[Binding]] = defaultdict(list)
        for cls in facts.classes:
            table[cls.name].append(Binding("class", cls.line, cls.in_except, cls.name))
        for assign in facts.assigns:
            table[assign.name].append(Binding("assign", assign.line, assign.in_except, assign.value))
        for name, line in facts.functions:
            table[name].append(Binding("function", line, False, name))
        for imp in facts.imports:
            if imp.scope != "module" or imp.type_checking or imp.star:
                continue
            for name, asname in imp.names:
                bound = asname or (name.split(".")[0] if imp.kind == "import" else name)
                table[bound].append(Binding(imp.kind, imp.line, imp.in_except, (imp, name, asname)))
        for name in facts.stored_names:
            if name not in table:
                table[name].append(Binding("other", 0, False, None))
        self.bindings[path] = table
        return table

    def star_sources(self, path: str) -> list[str | None]:
        """Modules this module star-imports at module level (None: not resolvable)."""
        facts = self.by_path[path]
        return [
            self.resolve_module(path, imp.module, imp.level)
            for imp in facts.imports
            if imp.star and imp.scope == "module" and not imp.type_checking
        ]

    def defines(self, path: str, name: str) -> bool | None:
        """Does ``from <path> import name`` work? None when unknowable (opaque star import)."""
        if path.endswith("/"):
            return self.submodule(path, name) is not None or None
        if name in self.module_bindings(path) or self.submodule(path, name):
            return True
        for source in self.star_sources(path):
            if source is None or source.endswith("/"):
                return None
            if self.defines(source, name) in (True, None):
                return True
        if "__getattr__" in self.module_bindings(path):
            return None
        return False

    def resolve_name(self, path: str, name: str) -> Ref | None:
        if path.endswith("/"):
            sub = self.submodule(path, name)
            return ModRef(sub) if sub else None
        key = (path, name)
        if key in self._resolving:
            return None
        self._resolving.add(key)
        try:
            return self._resolve_name(path, name)
        finally:
            self._resolving.discard(key)

    def _resolve_name(self, path: str, name: str) -> Ref | None:
        candidates = self.module_bindings(path).get(name)
        if not candidates:
            for source in self.star_sources(path):
                if source is not None and (ref := self.resolve_name(source, name)):
                    return ref
            sub = self.submodule(path, name)
            return ModRef(sub) if sub else None
        binding = _pick(candidates)
        if binding.kind == "class":
            return ClassRef(path, name)
        if binding.kind == "function":
            return ValueRef(path, name, "<function>")
        if binding.kind == "assign":
            return self._resolve_value(path, name, str(binding.payload))
        if binding.kind in ("import", "from"):
            imp, imported, asname = binding.payload  # type: ignore[misc]
            return self._resolve_import(path, imp, imported, asname)
        return None

    def _resolve_value(self, path: str, name: str, value: str) -> Ref | None:
        try:
            node = ast.parse(value, mode="eval").body
        except SyntaxError:
            return ValueRef(path, name, value)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.resolve_expr(path, value)
        return ValueRef(path, name, value)

    def _resolve_import(self, path: str, imp: ImportFact, imported: str, asname: str | None) -> Ref | None:
        if imp.kind == "import":
            target_name = imported if asname else imported.split(".")[0]
            target = self.resolve_module(path, target_name)
            return ModRef(target) if target else ExtRef(target_name)
        module = self.resolve_module(path, imp.module, imp.level)
        if module is None:
            if imp.level or self.local_top_level(imp.module.split(".")[0], path):
                return None
            return ExtRef(f"{imp.module}.{imported}")
        return self.resolve_name(module, imported)

    def resolve_expr(self, path: str, text: str) -> Ref | None:
        """What a dotted expression such as ``db.Model`` refers to in ``path``."""
        parts = text.split(".")
        if not all(p.isidentifier() for p in parts):
            return None
        ref = self.resolve_name(path, parts[0])
        for attr in parts[1:]:
            if ref is None:
                return None
            ref = self.attribute(ref, attr)
        return ref

    def attribute(self, ref: Ref, attr: str) -> Ref | None:
        if isinstance(ref, ModRef):
            return self.resolve_name(ref.path, attr)
        if isinstance(ref, ExtRef):
            return ExtRef(f"{ref.qualname}.{attr}")
        return AttrRef(ref, attr)


def _inside(path: str, folders: list[str]) -> str | None:
    for folder in folders:
        if path.startswith(folder + "/"):
            return folder
    return None


def _pick(candidates: list[Binding]) -> Binding:
    """The binding that wins: not a fallback in `except`, not `= None`, else the last."""
    pool = [b for b in candidates if not b.in_except] or candidates
    meaningful = [b for b in pool if not (b.kind == "assign" and b.payload == "None")]
    return (meaningful or pool)[-1]
