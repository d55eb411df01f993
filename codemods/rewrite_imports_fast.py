"""The rewrite of :mod:`codemods.rewrite_imports`, for the common import forms, without libcst.

``RewriteImportsCommand`` builds libcst's scope, parent and position metadata for
every file it rewrites: about 0.1 s of CPU a file. Most dependents only need a
module name swapped inside an import statement, so ``rewrite_fast`` does that
on the bytes, guided by the positions of the stdlib ``ast`` (under 2 ms a file):

* ``from m import A, B`` (parenthesised, commented, aliased, relative, starred,
  lazy, under ``if TYPE_CHECKING`` or ``try``) -> ``from new import A, B``;
* ``import m as mm`` -> ``import new as mm``;
* ``import m`` / ``import app.m`` -> ``import new`` with every ``m.A`` use
  following, or ``import new as m`` when the new name is taken;
* ``from app import m [as x]`` -> ``from <new's package> import <new's name> ...``,
  with the same choice for the uses.

Every other byte stays as it was. The output is the codemod's own, byte for
byte (``tests/codemods/test_rewrite_imports_fast.py`` holds the two side by
side over the codemod's test cases, the corpus and generated code bases).

Whenever the codemod could do something this cannot tell from the ``ast`` alone
-- a class rename in play, a ``try``/``except ImportError`` fallback that may
collapse, an import that becomes a duplicate, a name whose scope is unclear, a
dynamic import to report, a file that is not UTF-8 -- ``rewrite_fast`` returns
None and the caller runs the codemod. It never warns: every case the codemod
warns about is one of those.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

from codemods.rewrite_imports import _relative_spelling, _resolve_relative

_ImportStmt = Union[ast.Import, ast.ImportFrom]
_Key = tuple

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
_FROM = re.compile(rb"from[ \t]+(\.*)([A-Za-z_0-9.]*)")
_CANONICAL_FROM = re.compile(
    rb"from (\.*)([A-Za-z_][A-Za-z_0-9.]*)? import ([A-Za-z_]\w*)(?: as ([A-Za-z_]\w*))?"
)
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_BLOCK_FIELDS = ("body", "orelse", "finalbody")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_TYPE_PARAMS = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple"})


class _NotSimple(Exception):
    """This file needs the codemod."""


def rewrite_fast(
    source: bytes,
    *,
    old_modules: Iterable[str],
    new_module: str,
    renames: Mapping[str, str],
    module_name: str | None,
    package: str | None,
) -> bytes | None:
    """The bytes ``RewriteImportsCommand`` would produce, or None when it must run itself.

    Returns ``source`` itself when the file imports no old module.
    """
    old = frozenset(old_modules)
    if not any(m.rpartition(".")[2].encode() in source for m in old):
        return source
    try:
        return _Rewrite(source, old, new_module, renames, module_name, package).run()
    except _NotSimple:
        return None


def _check_bytes(source: bytes) -> None:
    """UTF-8 without BOM and with ``\\n`` or ``\\r\\n`` line ends: ast offsets are byte offsets."""
    if source.startswith(b"\xef\xbb\xbf") or source.count(b"\r") != source.count(b"\r\n"):
        raise _NotSimple
    head = b"\n".join(source.split(b"\n", 2)[:2])
    cookie = _COOKIE.search(head)
    if cookie and cookie.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise _NotSimple


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(name)}(?!\w)")


@dataclass
class _Names:
    """Where each name of the file is bound and used, as far as the ast tells."""

    loads: dict[str, list[ast.Name]] = field(default_factory=lambda: defaultdict(list))
    bound: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # not by imports
    imported: dict[str, list[ast.alias]] = field(default_factory=lambda: defaultdict(list))
    unclear: set[str] = field(default_factory=set)  # del, global, nonlocal, bare annotations
    strings: list[str] = field(default_factory=list)  # str constants other than docstrings
    in_fstrings: set[str] = field(default_factory=set)
    literals: list[str] = field(default_factory=list)  # first str argument of each call
    parent_attr: dict[int, ast.Attribute] = field(default_factory=dict)  # id(value) -> attr

    @classmethod
    def of(cls, tree: ast.Module) -> _Names:
        names = cls()
        docstrings: set[int] = set()  # ast.walk meets an Expr before its value
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                docstrings.add(id(node.value))
            names._see(node, docstrings)
        return names

    def _see(self, node: ast.AST, docstrings: set[int]) -> None:
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self.loads[node.id].append(node)
            elif isinstance(node.ctx, ast.Store):
                self.bound[node.id] += 1
            else:
                self.unclear.add(node.id)
        elif isinstance(node, ast.Attribute):
            self.parent_attr[id(node.value)] = node
        elif isinstance(node, ast.alias):
            bound = node.asname or node.name.partition(".")[0]
            self.imported[bound].append(node)
        elif isinstance(node, ast.arg):
            self.bound[node.arg] += 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bound[node.name] += 1
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            if node.name:
                self.bound[node.name] += 1
        elif isinstance(node, ast.MatchMapping) and node.rest:
            self.bound[node.rest] += 1
        elif type(node).__name__ in _TYPE_PARAMS:  # def f[T]() (Python 3.12)
            self.bound[node.name] += 1  # type: ignore[attr-defined]
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            self.unclear.update(node.names)
        elif isinstance(node, ast.AnnAssign) and node.value is None:
            if isinstance(node.target, ast.Name):
                self.unclear.add(node.target.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                self.strings.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            self.in_fstrings.update(
                n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            )
        elif isinstance(node, ast.Call):
            args = [*node.args, *(k.value for k in node.keywords)]
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                self.literals.append(args[0].value)

    def mentioned_in_strings(self, name: str) -> bool:
        pattern = _word(name)
        return name in self.in_fstrings or any(pattern.search(s) for s in self.strings)


@dataclass
class _Site:
    """One import statement and where it sits."""

    node: _ImportStmt
    block: int  # id of the statement list holding it
    module_scope: bool  # bound at module level (not in a def, class or lambda)
    try_node: ast.Try | None  # the try whose body or handler holds it directly


class _Rewrite:
    """One file: classify every import statement, check the block, splice the edits."""

    def __init__(
        self,
        source: bytes,
        old: frozenset[str],
        new: str,
        renames: Mapping[str, str],
        module_name: str | None,
        package: str | None,
    ) -> None:
        self.source = source
        self.old = old
        self.new = new
        self.renames = renames
        self.module_name = module_name
        self.package = package
        self.edits: list[tuple[int, int, bytes]] = []
        self.new_keys: dict[int, list[_Key]] = {}  # id(statement) -> its bindings, rewritten

    def run(self) -> bytes:
        if self.module_name == self.new:
            raise _NotSimple  # imports inside the target itself: names become local
        _check_bytes(self.source)
        try:
            text = self.source.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotSimple from None
        if any(_word(old).search(text) for old in self.renames):
            raise _NotSimple
        try:
            tree = ast.parse(self.source)
        except (SyntaxError, ValueError):
            raise _NotSimple from None
        self.line_starts = [0, *(m.end() for m in re.finditer(rb"\n", self.source))]
        self.names = _Names.of(tree)
        self._check_dynamic_imports()
        blocks: dict[int, list[ast.stmt]] = {}
        sites = list(self._sites(tree.body, blocks, True, None))
        for site in sites:
            self._plan(site)
        if not self.new_keys:
            return self.source
        self._check_blocks(blocks, sites)
        return self._spliced()

    # -- where the imports are -------------------------------------------------

    def _sites(
        self,
        body: list[ast.stmt],
        blocks: dict[int, list[ast.stmt]],
        module_scope: bool,
        try_node: ast.Try | None,
    ) -> Iterator[_Site]:
        blocks[id(body)] = body
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                yield _Site(stmt, id(body), module_scope, try_node)
                continue
            inner_scope = module_scope and not isinstance(stmt, _SCOPES)
            for name in _BLOCK_FIELDS:
                inner = getattr(stmt, name, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    direct = stmt if isinstance(stmt, ast.Try) and name == "body" else None
                    yield from self._sites(inner, blocks, inner_scope, direct)
            for handler in getattr(stmt, "handlers", ()):
                yield from self._sites(handler.body, blocks, inner_scope, stmt)
            for case in getattr(stmt, "cases", ()):
                yield from self._sites(case.body, blocks, inner_scope, None)

    def _check_dynamic_imports(self) -> None:
        """``import_module("m")`` of an old module: the codemod reports it."""
        for literal in self.names.literals:
            name = literal.lstrip(".")
            module = literal
            if name != literal and self.package is not None:
                level = len(literal) - len(name)
                module = _resolve_relative(self.package, level, name) or literal
            if module in self.old:
                raise _NotSimple

    # -- one statement -------------------------------------------------------------

    def _resolve(self, node: ast.ImportFrom) -> str | None:
        if not node.level:
            return node.module
        if self.package is None:
            return None
        return _resolve_relative(self.package, node.level, node.module)

    def _spell(self, node: ast.ImportFrom, module: str) -> str:
        """How ``from ... import`` names ``module``: relative if ``node`` was."""
        if node.level and self.package:
            spelling = _relative_spelling(self.package, module)
            if spelling is not None:
                return "." * spelling[0] + spelling[1]
        return module

    def _keys(self, node: _ImportStmt) -> list[_Key]:
        if isinstance(node, ast.Import):
            return [("import", a.name, a.asname) for a in node.names]
        module = self._resolve(node) or "." * node.level + (node.module or "")
        if node.names[0].name == "*":
            return [("from", module, "*", None)]
        return [("from", module, a.name, a.asname) for a in node.names]

    def _plan(self, site: _Site) -> None:
        node = site.node
        if isinstance(node, ast.Import):
            self._plan_import(site, node)
            return
        module = self._resolve(node)
        if module is None:
            words = {a.name for a in node.names} | set((node.module or "").split("."))
            if words & {m.rpartition(".")[2] for m in self.old}:
                raise _NotSimple  # the codemod reports an unresolvable relative import
            return
        if node.names[0].name == "*":
            if module in self.old:
                self._respell_module(node, self.new)
                self._touch(site, [("from", self.new, "*", None)])
            return
        submodules = [a for a in node.names if f"{module}.{a.name}" in self.old]
        if module in self.old:
            if submodules:
                raise _NotSimple
            self._respell_module(node, self.new)
            self._touch(site, [("from", self.new, a.name, a.asname) for a in node.names])
        elif submodules:
            if len(node.names) != 1:
                raise _NotSimple
            self._plan_submodule(site, node)

    def _plan_import(self, site: _Site, node: ast.Import) -> None:
        keys = []
        for alias in node.names:
            if alias.name not in self.old:
                keys.append(("import", alias.name, alias.asname))
                continue
            start, end = self._span(alias)
            if self.source[start : start + len(alias.name)] != alias.name.encode():
                raise _NotSimple
            if alias.asname is not None:
                if alias.asname == self.new:
                    self._edit(start, end, self.new)
                    keys.append(("import", self.new, None))
                else:
                    self._edit(start, start + len(alias.name), self.new)
                    keys.append(("import", self.new, alias.asname))
            elif "." in alias.name:
                self._rebind_dotted(site, alias, start)
                keys.append(("import", self.new, None))
            else:
                rebind = self._can_rebind(site, alias, alias.name, self.new.partition(".")[0])
                if rebind:
                    self._edit(start, end, self.new)
                    self._rebind(alias.name, self.new)
                    keys.append(("import", self.new, None))
                else:
                    self._edit(start, end, f"{self.new} as {alias.name}")
                    keys.append(("import", self.new, alias.name))
        if any(alias.name in self.old for alias in node.names):
            self._touch(site, keys)

    def _plan_submodule(self, site: _Site, node: ast.ImportFrom) -> None:
        """``from app import m [as x]`` -> ``from <new's package> import <new's name> ...``."""
        alias = node.names[0]
        start, end = self._span(node)
        match = _CANONICAL_FROM.fullmatch(self.source[start:end])
        if match is None or match.group(3).decode() != alias.name:
            raise _NotSimple
        package, _, name = self.new.rpartition(".")
        local = alias.asname or alias.name
        if alias.asname is None:
            if name == local:
                raise _NotSimple
            if self._can_rebind(site, alias, local, name):
                self._rebind(local, name)
                local = name
        asname = None if local == name else local
        tail = f"{name} as {asname}" if asname else name
        if not package:
            self._edit(start, end, f"import {tail}")
            self._touch(site, [("import", name, asname)])
            return
        self._edit(start, end, f"from {self._spell(node, package)} import {tail}")
        self._touch(site, [("from", package, name, asname)])

    # -- module bindings and their uses ---------------------------------------------

    def _can_rebind(self, site: _Site, alias: ast.alias, local: str, name: str) -> bool:
        """The codemod's choice for ``import m`` / ``from p import m``: True if the uses
        of ``local`` can become ``name`` (the new module's top or last name)."""
        names = self.names
        only_here = (
            site.module_scope
            and names.imported[local] == [alias]
            and not names.bound[local]
            and local not in names.unclear
            and not names.mentioned_in_strings(local)
            and name != local
        )
        if not only_here:
            raise _NotSimple
        if name in names.unclear or names.imported[name] or names.mentioned_in_strings(name):
            raise _NotSimple
        return not names.bound[name] and not names.loads[name]

    def _rebind(self, local: str, expression: str) -> None:
        for use in self.names.loads[local]:
            start, end = self._span(use)
            self._check_use(start, end, local)
            self._edit(start, end, expression)

    def _rebind_dotted(self, site: _Site, alias: ast.alias, start: int) -> None:
        """``import app.m`` -> ``import app`` + new, its ``app.m.A`` uses -> ``new.A``."""
        parts = alias.name.split(".")
        top = parts[0]
        prefixes = (".".join(parts[:end]) for end in range(1, len(parts)))
        names = self.names
        if (
            not site.module_scope
            or top != self.new.partition(".")[0]
            or not all(f"{self.new}.".startswith(f"{p}.") for p in prefixes)
            or names.imported[top] != [alias]
            or names.bound[top]
            or top in names.unclear
            or names.mentioned_in_strings(top)
        ):
            raise _NotSimple
        self._edit(start, start + len(alias.name), self.new)
        for use in names.loads[top]:
            node: ast.expr = use
            for part in parts[1:]:
                parent = names.parent_attr.get(id(node))
                if parent is None or parent.attr != part:
                    raise _NotSimple
                node = parent
            use_start = self._offset(use.lineno, use.col_offset)
            use_end = self._offset(node.end_lineno, node.end_col_offset)
            self._check_use(use_start, use_end, alias.name)
            self._edit(use_start, use_end, self.new)

    def _check_use(self, start: int, end: int, text: str) -> None:
        """A use spelled exactly ``text``, not wrapped in parentheses of its own."""
        if self.source[start:end] != text.encode():
            raise _NotSimple
        before = self.source[:start].rstrip()[-1:]
        after = self.source[end:].lstrip()[:1]
        if before == b"(" and after == b")":
            raise _NotSimple

    # -- edits -------------------------------------------------------------------

    def _offset(self, line: int | None, column: int | None) -> int:
        assert line is not None and column is not None
        return self.line_starts[line - 1] + column

    def _span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self._offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self._offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )

    def _edit(self, start: int, end: int, text: str) -> None:
        self.edits.append((start, end, text.encode()))

    def _respell_module(self, node: ast.ImportFrom, module: str) -> None:
        """Swap the ``..pkg.mod`` after ``from`` for ``module``'s spelling."""
        start, _ = self._span(node)
        match = _FROM.match(self.source, start)
        if (
            match is None
            or len(match.group(1)) != node.level
            or match.group(2).decode() != (node.module or "")
        ):
            raise _NotSimple
        self.edits.append((match.start(1), match.end(2), self._spell(node, module).encode()))

    def _touch(self, site: _Site, keys: list[_Key]) -> None:
        self.new_keys[id(site.node)] = keys

    # -- what the codemod's tidier would do ---------------------------------------------

    def _check_blocks(self, blocks: dict[int, list[ast.stmt]], sites: list[_Site]) -> None:
        """Give up where the codemod would collapse a try, drop a duplicate, or split lines."""
        for site in sites:
            if id(site.node) in self.new_keys and site.try_node is not None:
                if _may_collapse(site.try_node):
                    raise _NotSimple
        for body in blocks.values():
            self._check_block(body)

    def _check_block(self, body: Sequence[ast.stmt]) -> None:
        seen: set[_Key] = set()
        for line in _lines(body):
            touched = [s for s in line if id(s) in self.new_keys]
            if touched and len(line) > 1:
                raise _NotSimple
            if not all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in line):
                seen.clear()
                continue
            for stmt in line:
                keys = self.new_keys.get(id(stmt))
                if keys is None:
                    seen.update(self._keys(stmt))  # type: ignore[arg-type]
                    continue
                for key in keys:
                    if key in seen:
                        raise _NotSimple
                    seen.add(key)

    def _spliced(self) -> bytes:
        edits = sorted(self.edits)
        out, last = [], 0
        for start, end, text in edits:
            if start < last:
                raise _NotSimple
            out += [self.source[last:start], text]
            last = end
        out.append(self.source[last:])
        return b"".join(out)


def _lines(body: Sequence[ast.stmt]) -> Iterator[list[ast.stmt]]:
    """Statements grouped by the line they share (``import a; import b``)."""
    line: list[ast.stmt] = []
    for stmt in body:
        if line and stmt.lineno != line[-1].end_lineno:
            yield line
            line = []
        line.append(stmt)
    if line:
        yield line


def _may_collapse(node: ast.Try) -> bool:
    """True for a try the codemod may fold: imports only, fallbacks for ImportError."""
    if node.orelse or node.finalbody or not _imports_only(node.body):
        return False
    return all(
        _catches_import_error(h) and _imports_only(h.body) for h in node.handlers
    )


def _imports_only(body: Sequence[ast.stmt]) -> bool:
    return all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return all(isinstance(t, ast.Name) and t.id in _IMPORT_ERRORS for t in types)
