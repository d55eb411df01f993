"""The ``nothing-lost`` check: what every source module offered before apply, it offers after.

For each source (and an existing target that was not a source), every public
top-level name it bound before apply (classes, functions, assignments, names
imported under any alias, ``__all__`` entries) must resolve after apply, from
the same module path (the target itself when it has that path, else the shim;
the compat module when the file was archived or deleted), to an object of the
same kind whose code is the original's modulo the plan's renames. A changed
body is fine only when a plan entry explains it (a conflict, a fix, an alias).
Module-level registrations (``Table(...)``/``Index(...)`` assignments,
``event.listen(...)`` and other calls, ``@event.listens_for`` functions) must
still be made, by the same code, from the target or the file at that path.

Everything is read statically with the stdlib ``ast`` from git: the plan's
base commit before, the branch's tip after. Comments and formatting do not
count (black reformats the target); code does.
"""

from __future__ import annotations

import ast
import posixpath
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from unify.cycles import moved_by, without_moved_imports
from unify.facts import is_type_checking
from unify.plan import Plan


@dataclass(frozen=True)
class Found:
    """What a module-level name is bound to, followed through imports and aliases."""

    kind: str  # class | function | value | module | external | missing
    node: ast.AST | None  # the definition (class, function, assigned value)
    at: str  # "path:line" of the definition
    path: str  # the file that defines it
    detail: str = ""  # module path (module), dotted name (external, missing)


@dataclass(frozen=True)
class Lost:
    at: str  # where the name was bound before ("path:line")
    name: str
    problem: str

    def line(self) -> str:
        return f"{self.at}: {self.name}: {self.problem}"


class Tree:
    """The Python files of one commit, read on demand with ``git show``."""

    def __init__(self, work: Path, rev: str) -> None:
        self.work, self.rev = work, rev
        out = _git(work, "ls-tree", "-r", "--name-only", rev)
        self.files = {line for line in out.splitlines() if line.endswith(".py")}
        self._parsed: dict[str, ast.Module | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self.files:
            return None
        data = subprocess.run(["git", "show", f"{self.rev}:{path}"], cwd=self.work,
                              capture_output=True).stdout
        return data.decode("utf-8-sig", errors="replace")

    def parse(self, path: str) -> ast.Module | None:
        if path not in self._parsed:
            text = self.text(path)
            try:
                self._parsed[path] = None if text is None else ast.parse(text)
            except (SyntaxError, ValueError):
                self._parsed[path] = None
        return self._parsed[path]


def _git(work: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=work, capture_output=True, text=True).stdout


# -- module-level bindings ------------------------------------------------------------


def runtime_statements(body: list[ast.stmt], fallback: bool = False):
    """(statement, is_fallback) for the top-level statements that run when the module
    loads: ``if``/``with``/``try`` bodies included, ``TYPE_CHECKING`` blocks not, and
    ``except`` handlers as fallbacks (they run only when the ``try`` failed)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            if not is_type_checking(stmt.test):
                yield from runtime_statements(stmt.body, fallback)
                yield from runtime_statements(stmt.orelse, fallback)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from runtime_statements(stmt.body, fallback)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            yield from runtime_statements(stmt.body, fallback)
            yield from runtime_statements(stmt.orelse, fallback)
            for handler in stmt.handlers:
                yield from runtime_statements(handler.body, True)
            yield from runtime_statements(stmt.finalbody, fallback)
        else:
            yield stmt, fallback


def _target_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [n for el in node.elts for n in _target_names(el)]
    if isinstance(node, ast.Starred):
        return _target_names(node.value)
    return []


def bindings(module: ast.Module) -> tuple[dict[str, list[tuple[ast.stmt, bool]]], list]:
    """name -> [(binding statement, is_fallback)] in order; and the star imports."""
    found: dict[str, list[tuple[ast.stmt, bool]]] = {}
    stars = []
    for stmt, fallback in runtime_statements(module.body):
        names: list[str] = []
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [stmt.name]
        elif isinstance(stmt, ast.Assign):
            names = [n for t in stmt.targets for n in _target_names(t)]
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            names = _target_names(stmt.target)
        elif isinstance(stmt, ast.Import):
            names = [a.asname or a.name.split(".")[0] for a in stmt.names]
        elif isinstance(stmt, ast.ImportFrom) and stmt.module != "__future__":
            if any(a.name == "*" for a in stmt.names):
                stars.append(stmt)
            names = [a.asname or a.name for a in stmt.names if a.name != "*"]
        for name in names:
            found.setdefault(name, []).append((stmt, fallback))
    return found, stars


def _effective(candidates: list[tuple[ast.stmt, bool]]) -> ast.stmt:
    """The binding the name has once the module has loaded: the last one that runs
    (an ``except ImportError`` fallback only when nothing else binds it)."""
    normal = [s for s, fallback in candidates if not fallback]
    return (normal or [s for s, _ in candidates])[-1]


def all_names(module: ast.Module) -> list[str]:
    """The literal entries of ``__all__`` (``=``, ``+=``, ``.extend``/``.append``)."""
    names: list[str] = []
    for stmt, _ in runtime_statements(module.body):
        value = None
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = stmt.value
        elif (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
              and isinstance(stmt.value.func, ast.Attribute)
              and isinstance(stmt.value.func.value, ast.Name)
              and stmt.value.func.value.id == "__all__" and stmt.value.args):
            value = stmt.value.args[0]
        if isinstance(value, (ast.List, ast.Tuple)):
            names += [e.value for e in value.elts
                      if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        elif isinstance(value, ast.Constant) and isinstance(value.value, str):
            names.append(value.value)
    return names


# -- resolution -------------------------------------------------------------------------


class Resolver:
    def __init__(self, tree: Tree, roots: list[str]) -> None:
        self.tree, self.roots = tree, roots
        self._bindings: dict[str, tuple[dict, list]] = {}

    def module_file(self, importer: str, module: str, level: int = 0) -> str | None:
        if level:
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            roots = [base]
        else:
            roots = [*self.roots, posixpath.dirname(importer)]
        for root in roots:
            stem = posixpath.join(root, *module.split(".")) if module else root
            for key in (stem + ".py", posixpath.join(stem, "__init__.py")):
                if key.lstrip("/") in self.tree.files:
                    return key.lstrip("/")
        return None

    def bindings_of(self, path: str) -> tuple[dict, list]:
        if path not in self._bindings:
            module = self.tree.parse(path)
            self._bindings[path] = bindings(module) if module else ({}, [])
        return self._bindings[path]

    def resolve(self, path: str, name: str, depth: int = 0) -> Found | None:
        """What ``from <path's module> import name`` gives, or None if it fails."""
        if depth > 12:
            return None
        found, stars = self.bindings_of(path)
        if name in found:
            return self._follow(path, name, _effective(found[name]), depth)
        if name.startswith("_"):
            return None
        for star in reversed(stars):
            source = self.module_file(path, star.module or "", star.level)
            if source is None:
                continue
            module = self.tree.parse(source)
            public = all_names(module) if module else []
            if public and name not in public:
                continue
            hit = self.resolve(source, name, depth + 1)
            if hit is not None and hit.kind != "missing":
                return hit
        return None

    def _follow(self, path: str, name: str, stmt: ast.stmt, depth: int) -> Found | None:
        at = f"{path}:{stmt.lineno}"
        if isinstance(stmt, ast.ClassDef):
            return Found("class", stmt, at, path)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return Found("function", stmt, at, path)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            value = stmt.value
            if isinstance(value, ast.Name) and value.id != name:
                hit = self.resolve(path, value.id, depth + 1)
                if hit is not None:
                    return hit
            return Found("value", value, at, path)
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if (alias.asname or alias.name.split(".")[0]) == name:
                    dotted = alias.name if alias.asname else alias.name.split(".")[0]
                    return self._module(path, dotted, 0, at)
        if isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if (alias.asname or alias.name) == name:
                    return self._from(path, stmt, alias.name, at, depth)
        return None

    def _module(self, path: str, dotted: str, level: int, at: str) -> Found:
        file = self.module_file(path, dotted, level)
        if file is not None:
            return Found("module", None, at, path, file)
        return Found("external", None, at, path, "." * level + dotted)

    def _from(self, path: str, stmt: ast.ImportFrom, imported: str, at: str, depth: int):
        module = stmt.module or ""
        source = self.module_file(path, module, stmt.level)
        if source is None:
            return Found("external", None, at, path, f"{'.' * stmt.level}{module}.{imported}")
        hit = self.resolve(source, imported, depth + 1)
        if hit is not None:
            return hit
        if source.endswith("__init__.py"):
            sub = self.module_file(source, imported, 1)
            if sub is not None:
                return Found("module", None, at, path, sub)
        return Found("missing", None, at, path, f"{module}.{imported}")


# -- comparing ---------------------------------------------------------------------------


class _Normalise(ast.NodeTransformer):
    """The before-code as the plan means it to be after: renamed classes and helpers,
    ``src_module.Name`` read as ``Name``, class names in strings renamed."""

    def __init__(self, renames: dict[str, str], source_aliases: set[str],
                 names: bool = True) -> None:
        self.renames, self.aliases, self.names = renames, source_aliases, names
        self.pattern = re.compile(
            r"(?<![\w.])(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True)))
            + r")(?![\w])") if renames else None

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if not self.names:
            return node
        return ast.Name(id=self.renames.get(node.id, node.id), ctx=node.ctx)

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id in self.aliases:
            return ast.Name(id=self.renames.get(node.attr, node.attr), ctx=node.ctx)
        self.generic_visit(node)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.generic_visit(node)
        if self.names:
            node.name = self.renames.get(node.name, node.name)
        return node

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        if self.names:
            node.name = self.renames.get(node.name, node.name)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str) and self.pattern is not None:
            return ast.Constant(value=self.pattern.sub(lambda m: self.renames[m.group(1)],
                                                       node.value))
        return node


def code_of(found: Found, renames: dict[str, str] | None = None,
            aliases: set[str] | None = None, names: bool = True) -> str:
    """The definition's code, independent of formatting and comments, normalised.
    ``names=False`` renames inside strings only (the after side: whether the merge
    renamed a class name in a docstring or only in ``relationship("...")`` is no
    loss either way; a name left unrenamed in code is)."""
    if found.node is None:
        return found.detail
    fresh = ast.parse(ast.unparse(found.node)).body[0]
    if not isinstance(found.node, ast.stmt):
        fresh = fresh.value  # type: ignore[attr-defined]
    fresh = _Normalise(renames or {}, aliases or set(), names).visit(fresh)
    return ast.dump(fresh)


_REGISTERING = ("Table", "Index", "UniqueConstraint", "CheckConstraint",
                "ForeignKeyConstraint", "PrimaryKeyConstraint")


def _callee(node: ast.expr) -> str:
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def is_registration(stmt: ast.stmt) -> bool:
    """Module-level code whose effect is a registration, whatever name (if any) it binds:
    a call statement (``event.listen(...)``, ``Index(...)``), a function or class under a
    decorator call (``@event.listens_for(...)``), a ``Table``/``Index``/constraint."""
    if isinstance(stmt, ast.Expr):
        return isinstance(stmt.value, ast.Call)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return any(isinstance(d, ast.Call) for d in stmt.decorator_list)
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call):
        return _callee(stmt.value) in _REGISTERING
    return False


@dataclass(frozen=True)
class Result:
    lost: tuple[Lost, ...]
    explained: tuple[str, ...]  # "name: why" for each change a plan entry names
    names: int  # public names compared
    registrations: int
    modules: int


def check(plan: Plan, work: Path, base: str, sys_root: str, after_rev: str = "HEAD") -> Result:
    from unify.merge import renames_for  # libcst: only when apply runs

    before, after = Tree(work, base), Tree(work, after_rev)
    roots = [sys_root] if sys_root else [""]
    was_r, now_r = Resolver(before, roots), Resolver(after, roots)
    modules = list(plan.sources)
    if plan.target in before.files and plan.target not in modules:
        modules.append(plan.target)  # an existing target must keep what it had
    homes = set(plan.sources) | {plan.target}
    lost: list[Lost] = []
    explained: list[str] = []
    names = registrations = 0
    defined = {n for p in modules for n, found in was_r.bindings_of(p)[0].items()
               if isinstance(_effective(found), ast.ClassDef)}
    for path in modules:
        module = before.parse(path)
        if module is None:
            continue
        where = path if path in after.files else plan.compat if plan.compat in after.files else None
        found, _ = was_r.bindings_of(path)
        public = [n for n in found if not n.startswith("_")] + all_names(module)
        for name in dict.fromkeys(public):
            was = was_r.resolve(path, name)
            if was is None or was.kind == "missing" or (was.kind == "module" and was.detail in homes):
                continue
            names += 1
            at = f"{path}:{_effective(found[name]).lineno}" if name in found else f"{path}:1"
            lookup = name
            if where == plan.target == path:  # a class the plan renames in the target
                lookup = renames_for(plan, path).get(name, name)
                if lookup != name:
                    explained.append(f"{name} ({at}) is {lookup} in {path}: renamed by the "
                                     "plan")
            now = now_r.resolve(where, lookup) if where else None
            _compare(plan, path, name, at, was, now, lost, explained, homes,
                     lambda p: renames_for(plan, p) if p in homes else {},
                     lambda p: _source_aliases(was_r, p, homes), defined)
        registrations += _registrations(plan, path, module, after, [plan.target, where],
                                        renames_for(plan, path),
                                        _source_aliases(was_r, path, homes), lost)
    return Result(tuple(lost), tuple(explained), names, registrations, len(modules))


def _source_aliases(resolver: Resolver, path: str, homes: set[str]) -> set[str]:
    """Names ``path`` binds to a source module (``import mvp_models``): gone in the target."""
    found, _ = resolver.bindings_of(path)
    out = set()
    for name, candidates in found.items():
        if isinstance(_effective(candidates), (ast.Import, ast.ImportFrom)):
            hit = resolver.resolve(path, name)
            if hit is not None and hit.kind == "module" and hit.detail in homes:
                out.add(name)
    return out


def _compare(plan, path, name, at, was: Found, now: Found | None, lost, explained, homes,
             renames, aliases, defined: set[str]) -> None:
    module = path[:-3].replace("/", ".").removesuffix(".__init__")
    if now is None or now.kind == "missing":
        cycle = moved_by(plan.cycles, path, name)
        if cycle is not None:  # the import that closed a cycle left the module level
            explained.append(f"{name} ({at}): [[cycles]] {cycle.source}:{cycle.line} "
                             f"(fix = {cycle.fix!r})")
            return
        if path not in [*plan.sources] or path == plan.target or plan.retire == "shim":
            lost.append(Lost(at, name, f"no longer importable from {module} (no plan entry "
                             f"drops names: {path} must still bind it)"))
        else:
            lost.append(Lost(at, name, f"not in {plan.compat} either, after retire = "
                             f"{plan.retire!r} (no plan entry drops names: {plan.compat} "
                             "must bind it)"))
        return
    if was.kind != now.kind:
        lost.append(Lost(at, name, f"was a {was.kind} ({was.at}), is now a {now.kind} "
                         f"({now.at}) ({_hint(name)})"))
        return
    if was.kind in ("module", "external"):
        if was.detail != now.detail:
            lost.append(Lost(at, name, f"was {was.kind} {was.detail}, is now {now.detail}"))
        return
    wanted = renames(was.path)
    if code_of(was, wanted, aliases(was.path)) == code_of(now, wanted, names=False):
        return
    why = explain(plan, name, was, now, defined)
    if not why and isinstance(now.node, ast.stmt) and plan.cycles:  # imports a cycle fix moved
        stripped = replace(now, node=without_moved_imports(now.node, plan.cycles))
        if code_of(was, wanted, aliases(was.path)) == code_of(stripped, wanted, names=False):
            why = "[[cycles]] imports moved into its functions"
    if why:
        explained.append(f"{name} ({was.at} -> {now.at}): {why}")
    else:
        lost.append(Lost(at, name, f"the {was.kind} at {now.at} is not the code of {was.at} "
                         f"({_hint(name)})"))


def _hint(name: str) -> str:
    return f"no plan entry explains it; a [[conflicts]] entry for {name!r} would"


def _class_names(found: Found) -> set[str]:
    node = found.node
    return {node.name} if isinstance(node, (ast.ClassDef, ast.FunctionDef)) else set()


def explain(plan: Plan, name: str, was: Found, now: Found,
            defined: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    """The plan entry that says this definition changes, if any. A rename alone
    explains nothing (the code is compared modulo renames): only entries that change
    code do (keep/merge of duplicates, fixes, added columns, an alias that merges a
    class into another class the sources ``defined``)."""
    names = {name} | _class_names(was) | _class_names(now)
    for conflict in plan.conflicts:
        if conflict.resolution not in ("keep", "merge"):
            continue
        classes = {c.ref.split(":", 1)[-1] for c in conflict.candidates} | {conflict.name}
        if names & classes:
            return f"[[conflicts]] {conflict.name} (resolution = {conflict.resolution!r})"
    code = ast.unparse(was.node) if was.node is not None else ""
    for fix in (f for f in plan.fixes if f.enabled):
        if fix.model in names or (fix.kind == "foreign_key" and fix.old and fix.old in code):
            return f"[[fixes]] {fix.kind} {fix.model}.{fix.attr}"
    for column in (c for c in plan.columns if c.enabled):
        if column.model in names:
            return f"[[columns]] {column.model}.{column.attr}"
    for alias in (a for a in plan.aliases if a.enabled):
        if (alias.old in names or alias.new in names) and {alias.old, alias.new} <= defined:
            return f"[aliases] {alias.old} = {alias.new!r} (merges two classes)"
    return None


def _registrations(plan, path, module, after: Tree, homes, renames, aliases, lost) -> int:
    made: set[str] = set()
    for home in dict.fromkeys(h for h in homes if h):
        parsed = after.parse(home)
        if parsed is not None:
            made |= {code_of(Found("value", s, "", home), renames, names=False)
                     for s, _ in runtime_statements(parsed.body)}
    count = 0
    for stmt, fallback in runtime_statements(module.body):
        if fallback or not is_registration(stmt):
            continue
        count += 1
        if code_of(Found("value", stmt, "", path), renames, aliases) in made:
            continue
        code = ast.unparse(stmt)
        why = next((f"[[fixes]] {f.kind} {f.model}.{f.attr}" for f in plan.fixes
                    if f.enabled and f.kind == "foreign_key" and f.old and f.old in code), None)
        if why is None:
            first = code.splitlines()[0][:60]
            lost.append(Lost(f"{path}:{stmt.lineno}", first, "this registration is no "
                             f"longer made by {plan.target} (no plan entry explains it)"))
    return count
