"""Import cycles a merge would create, found at plan time (issue 11.8).

Merging the sources into one module gives that module every source's module-level
imports. When one of them leads, through modules that import at module level, back
to any source (all of which are the target after apply), importing some module of
the project first fails with "cannot import name ... from partially initialized
module". A cycle that already ran through the same source before is not the merge's
doing and is left alone.

The graph is read from the files themselves (``ast``, module-level statements only:
not inside functions, not under ``if TYPE_CHECKING:``), since the focused scan skips
files that cannot matter to the models, and helpers are exactly such files. Importing
``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` too, so those are edges.

Each cycle says how apply breaks it, the way projects already do:

* ``function``      every use of the imported names is inside functions: the import
                    moves into each function that uses them;
* ``type_checking`` only annotations use them, and the source postpones annotations
                    (``from __future__ import annotations``): the import moves under
                    ``if TYPE_CHECKING:``;
* ``?``             a name is used while the module is imported (a class body, a
                    default, a decorator), or not at all: a person decides (``keep``
                    leaves the import where it is).
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass
from pathlib import Path

from unify.facts import is_type_checking

FIXES = ("function", "type_checking", "keep", "?")


@dataclass(frozen=True)
class Cycle:
    source: str  # the source whose module-level import closes the cycle
    line: int
    module: str  # the module it imports, absolute and dotted
    names: tuple[str, ...]  # the names that import binds in the source
    chain: tuple[str, ...]  # "path:line statement", from that import back to a source
    fix: str  # one of FIXES
    reason: str = ""


@dataclass(frozen=True)
class _Edge:
    line: int
    text: str  # the statement, on one line
    module: str  # absolute dotted module it names
    names: tuple[str, ...]  # names bound
    paths: tuple[str, ...]  # files it runs, parent packages first
    main: tuple[str, ...]  # the files it names (the module, submodules it imports)
    node: ast.stmt


class Graph:
    """Module-level imports of a project's files, read on demand."""

    def __init__(self, repo: str | Path) -> None:
        self.repo = Path(repo)
        self._edges: dict[str, list[_Edge]] = {}
        self._trees: dict[str, ast.Module | None] = {}

    def tree(self, path: str) -> ast.Module | None:
        if path not in self._trees:
            try:
                self._trees[path] = ast.parse((self.repo / path).read_bytes())
            except (OSError, SyntaxError, ValueError):
                self._trees[path] = None
        return self._trees[path]

    def _is_file(self, path: str) -> bool:
        return (self.repo / path).is_file()

    def dotted(self, path: str) -> str:
        """The module's name, from the folder above its top package (as Python finds it)."""
        parts = path[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        start = len(parts) - 1
        while start > 0 and self._is_file("/".join(parts[:start]) + "/__init__.py"):
            start -= 1
        return ".".join(parts[start:])

    def _find(self, root: str, dotted: str) -> str | None:
        base = posixpath.join(root, *dotted.split("."))
        for candidate in (base + ".py", base + "/__init__.py"):
            if self._is_file(candidate):
                return candidate
        return None

    def _root(self, importer: str, dotted: str) -> str | None:
        """The import root ``dotted`` is found under: the shallowest folder above the
        importer that has it (the repository first, the way the scan resolves)."""
        folders = importer.split("/")[:-1]
        for depth in range(len(folders) + 1):
            root = "/".join(folders[:depth])
            if self._find(root, dotted) is not None:
                return root
        return None

    def file_of(self, dotted: str, importer: str) -> str | None:
        root = self._root(importer, dotted)
        return None if root is None else self._find(root, dotted)

    def runs(self, dotted: str, importer: str) -> list[str]:
        """Files importing ``dotted`` runs: its parent packages, then itself."""
        root = self._root(importer, dotted)
        if root is None:
            return []
        parts = dotted.split(".")
        return [p for i in range(1, len(parts) + 1)
                if (p := self._find(root, ".".join(parts[:i]))) is not None]

    def edges(self, path: str) -> list[_Edge]:
        if path not in self._edges:
            tree = self.tree(path)
            self._edges[path] = [] if tree is None else [
                edge for node in _executed_imports(tree.body)
                if (edge := self._edge(path, node)) is not None]
        return self._edges[path]

    def _edge(self, path: str, node: ast.stmt) -> _Edge | None:
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
            names = tuple(a.asname or a.name.split(".")[0] for a in node.names)
            paths = [p for m in modules for p in self.runs(m, path)]
            main = [p for m in modules if (p := self.file_of(m, path))]
            module = modules[0]
        else:
            assert isinstance(node, ast.ImportFrom)
            module = self._absolute(path, node.module or "", node.level)
            if module is None or module == "__future__":
                return None
            names = tuple(a.asname or a.name for a in node.names)
            paths = self.runs(module, path)
            main = [p for p in [self.file_of(module, path)] if p]
            for alias in node.names:
                sub = self.file_of(f"{module}.{alias.name}", path)
                if sub is not None:
                    paths.append(sub)
                    main.append(sub)
        paths = [p for p in dict.fromkeys(paths) if p != path]
        if not paths:
            return None
        return _Edge(node.lineno, _statement(node), module, names, tuple(paths), tuple(main),
                     node)

    def _absolute(self, path: str, module: str, level: int) -> str | None:
        if not level:
            return module
        package = self.dotted(path).split(".")
        if not path.endswith("__init__.py"):
            package = package[:-1]
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        return ".".join(base + ([module] if module else []))


def _executed_imports(body: list[ast.stmt]):
    """Import statements that run when the module is imported."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not is_type_checking(node.test):
                yield from _executed_imports(node.body)
            yield from _executed_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse,
                          node.finalbody):
                yield from _executed_imports(block)
        elif isinstance(node, (ast.With, ast.ClassDef)):
            yield from _executed_imports(node.body)


def _statement(node: ast.stmt) -> str:
    def alias(a: ast.alias) -> str:
        return a.name + (f" as {a.asname}" if a.asname else "")

    if isinstance(node, ast.Import):
        return "import " + ", ".join(alias(a) for a in node.names)
    assert isinstance(node, ast.ImportFrom)
    return (f"from {'.' * node.level}{node.module or ''} import "
            + ", ".join(alias(a) for a in node.names))


# -- the cycles ------------------------------------------------------------------------


def created_cycles(repo: str | Path, sources: tuple[str, ...],
                   target: str) -> tuple[Cycle, ...]:
    """Every cycle merging ``sources`` into ``target`` creates, with how to break it."""
    graph = Graph(repo)
    merged = set(sources) | {target}
    found = []
    for source in sorted(set(sources)):
        already = _packages_of(source) | _packages_of(target)  # they run first anyway
        for edge in graph.edges(source):
            if any(p in merged for p in edge.main):
                continue  # an import of another source: the merge drops it
            outside = [p for p in edge.paths if p not in merged and p not in already]
            chain = next((c for p in outside if (c := _path_back(graph, p, merged))), None)
            if chain is None or any(_reaches(graph, p, source) for p in outside):
                continue  # no cycle, or one that was there before the merge
            fix, reason = classify(graph.tree(source), edge)
            found.append(Cycle(source, edge.line, edge.module, edge.names,
                               (f"{source}:{edge.line} {edge.text}", *chain), fix, reason))
    return tuple(found)


def _packages_of(path: str) -> set[str]:
    parts = path.split("/")[:-1]
    return {"/".join(parts[:i] + ["__init__.py"]) for i in range(1, len(parts) + 1)}


def _path_back(graph: Graph, start: str, merged: set[str]) -> tuple[str, ...] | None:
    """The import lines from ``start`` to a merged module (breadth first), or None."""
    seen = {start}
    queue: list[tuple[str, tuple[str, ...]]] = [(start, ())]
    while queue:
        path, lines = queue.pop(0)
        for edge in graph.edges(path):
            step = lines + (f"{path}:{edge.line} {edge.text}",)
            if any(p in merged for p in edge.paths):
                return step
            for nxt in edge.paths:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, step))
    return None


def _reaches(graph: Graph, start: str, goal: str) -> bool:
    """Before the merge: does importing ``start`` import ``goal``?"""
    seen, todo = {start}, [start]
    while todo:
        path = todo.pop()
        if path == goal:
            return True
        for edge in graph.edges(path):
            for nxt in edge.paths:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return False


# -- how to break one ------------------------------------------------------------------


def classify(tree: ast.Module | None, edge: _Edge) -> tuple[str, str]:
    """(fix, reason) for moving ``edge`` out of the module level of its source."""
    if tree is None:
        return "?", "the source could not be parsed"
    postponed = any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
                    and any(a.name == "annotations" for a in n.names) for n in tree.body)
    uses = {name: [] for name in edge.names}
    _collect(tree.body, uses, "module", postponed)
    exported = _dunder_all(tree)
    for name, kinds in uses.items():
        if name in exported:
            return "?", f"`{name}` is re-exported (__all__): the import cannot move"
        runtime = [line for kind, line in kinds if kind == "module"]
        if runtime:
            return "?", (f"`{name}` is used while the module is imported (line {runtime[0]}): "
                         "the import cannot move into a function; restructure by hand, or "
                         "`keep` it")
    if not any(kinds for kinds in uses.values()):
        return "?", ("no code uses the names: imported for a side effect or re-exported; "
                     "decide by hand, or `keep` it")
    if any(kind == "function" for kinds in uses.values() for kind, _ in kinds):
        return "function", "used only inside functions: the import moves into them"
    return "type_checking", "used only in annotations: the import moves under TYPE_CHECKING"


def _dunder_all(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                return {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return set()


def _collect(body, uses: dict[str, list], context: str, postponed: bool) -> None:
    for node in body:
        _visit(node, uses, context, postponed)


def _visit(node: ast.AST, uses: dict[str, list], context: str, postponed: bool) -> None:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for expr in [*node.decorator_list, *node.args.defaults,
                     *(d for d in node.args.kw_defaults if d is not None)]:
            _visit(expr, uses, context, postponed)
        # annotations are evaluated when the def runs, unless postponed
        annotation = ("function" if context == "function"
                      else "annotation" if postponed else "module")
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                    *(a for a in (args.vararg, args.kwarg) if a)]:
            if arg.annotation is not None:
                _visit(arg.annotation, uses, annotation, postponed)
        if node.returns is not None:
            _visit(node.returns, uses, annotation, postponed)
        # a @declared_attr body runs while the class is mapped: at import time
        runs_now = context != "function" and any(
            (_dotted_name(d) or "").rsplit(".", 1)[-1] == "declared_attr"
            for d in node.decorator_list)
        _collect(node.body, uses, "module" if runs_now else "function", postponed)
        return
    if isinstance(node, ast.Lambda):
        _visit(node.args, uses, context, postponed)
        _visit(node.body, uses, "function", postponed)
        return
    if isinstance(node, ast.Name) and node.id in uses:
        uses[node.id].append((context, node.lineno))
    for child in ast.iter_child_nodes(node):
        _visit(child, uses, context, postponed)


def _dotted_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


# -- what verification's nothing-lost check may accept -----------------------------------


def moved_by(cycles, source: str, name: str) -> Cycle | None:
    """The cycle whose fix moved ``name``, imported by ``source``, off its module level."""
    return next((c for c in cycles if c.fix in ("function", "type_checking")
                 and c.source == source and name in c.names), None)


def without_moved_imports(node: ast.AST, cycles) -> ast.AST:
    """A copy of ``node`` without the imports a cycle fix put into its functions."""
    modules = {c.module: set(c.names) for c in cycles if c.fix == "function"}

    class Strip(ast.NodeTransformer):
        def visit_ImportFrom(self, imp: ast.ImportFrom):
            moved = modules.get(imp.module or "")
            if imp.level == 0 and moved and {a.asname or a.name for a in imp.names} <= moved:
                return None
            return imp

        def visit_Import(self, imp: ast.Import):
            if all(a.name in modules for a in imp.names):
                return None
            return imp

    return Strip().visit(ast.parse(ast.unparse(node)).body[0])
