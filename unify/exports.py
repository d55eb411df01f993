"""Every public name a source bound stays importable from the source's module path.

A source's public names are what it bound at module level: classes, functions,
assignments, tables, names imported under any alias (``from unified_models import
Competency as SECompetency``) and its ``__all__`` entries. After apply each one is
importable from the same path: from the target itself when the target has that path
(:func:`target_additions`), else from the source's shim (:func:`shim_names`).
Importers outside the scan scope (tests, plugins, other services) keep working.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from unify.facts import ModuleFacts
from unify.resolve import ModuleIndex


@dataclass(frozen=True)
class Exported:
    name: str
    module: str | None = None  # imported: the module as written (dots included)
    level: int = 0
    original: str | None = None  # imported: the name in that module (None: `import x`)


def public_names(facts: ModuleFacts) -> dict[str, Exported]:
    """Name -> how the module bound it, for every public module-level name."""
    found: dict[str, Exported] = {}
    for imp in facts.imports:
        if imp.scope != "module" or imp.star or imp.in_except:
            continue
        for name, asname in imp.names:
            if imp.kind == "import":
                bound = asname or name.split(".")[0]
                found.setdefault(bound, Exported(bound, name, 0, None))
            else:
                bound = asname or name
                found.setdefault(bound, Exported(bound, imp.module, imp.level, name))
    defined = [c.name for c in facts.classes] + [n for n, _ in facts.functions]
    defined += [a.name for a in facts.assigns if not a.in_except]
    defined += [t.variable for t in facts.tables] + list(facts.stored_names)
    for name in [*defined, *(facts.dunder_all or ())]:
        found[name] = found.get(name) if name not in defined and name in found else Exported(name)
    return {n: e for n, e in found.items() if not n.startswith("_")}


def bound_names(text: str) -> set[str]:
    """Names a module binds at its top level (imports, definitions, assignments)."""
    names: set[str] = set()
    for stmt in ast.parse(text).body:
        names |= _bound(stmt)
    return names


def _bound(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return {stmt.name}
    if isinstance(stmt, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in stmt.names}
    if isinstance(stmt, ast.ImportFrom):
        return {a.asname or a.name for a in stmt.names if a.name != "*"}
    if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    found: set[str] = set()
    for child in ast.iter_child_nodes(stmt):  # if / try blocks at module level
        if isinstance(child, ast.stmt):
            found |= _bound(child)
    return found


def _star_names(text: str, bound: set[str]) -> set[str]:
    tree = ast.parse(text)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in stmt.targets):
            try:
                return set(ast.literal_eval(stmt.value))
            except ValueError:
                return set()
    return {n for n in bound if not n.startswith("_")}


def _lines(source: str, names: dict[str, Exported], bound: set[str], renames: dict[str, str],
           index: ModuleIndex, modules: set[str], notes: list[str], where: str) -> list[str]:
    """Statements binding each of ``names`` that ``bound`` lacks."""
    lines = []
    for name, how in sorted(names.items()):
        if name in bound:
            continue
        new = renames.get(name, renames.get(how.original or "", how.original or ""))
        if how.module is None or (how.original is not None and _local(
                index, source, how, modules)):
            if new in bound and new != name:
                lines.append(f"{name} = {new}")
            else:
                notes.append(f"{source}: {name} is not importable from {where} any more "
                             "(the merge dropped it)")
            continue
        if how.original is None:
            if index.resolve_module(source, how.module) not in modules:
                plain = how.module.split(".")[0] == name
                lines.append(f"import {how.module}" + ("" if plain else f" as {name}"))
            continue
        alias = f" as {name}" if how.original != name else ""
        lines.append(f"from {how.module} import {how.original}{alias}")
    return lines


def _local(index: ModuleIndex, source: str, how: Exported, modules: set[str]) -> bool:
    """Was the name imported from a source (or the target)? Then the target has it."""
    resolved = index.resolve_module(source, how.module.lstrip("."), how.level)
    if resolved in modules:
        return True
    sub = index.submodule(resolved, how.original) if resolved and how.original else None
    return sub in modules


def target_additions(text: str, source: str | None, facts: dict[str, ModuleFacts],
                     sources: tuple[str, ...], renames: dict[str, str], index: ModuleIndex,
                     modules: set[str], notes: list[str]) -> str:
    """The merged target, plus the names its own path's source exported that it lacks,
    and one ``__all__`` covering every source's when any source had one."""
    bound = bound_names(text)
    lines = _lines(source, public_names(facts[source]), bound, renames, index, modules,
                   notes, "the target") if source in facts else []
    star: set[str] | None = None
    if any(facts[s].dunder_all is not None for s in sources if s in facts):
        star = set()
        for path in sources:
            names = public_names(facts[path]) if path in facts else {}
            declared = facts[path].dunder_all if path in facts else None
            star |= set(declared) if declared is not None else set(names)
    if not lines and star is None:
        return text
    module = cst.parse_module(text)
    if star is not None:
        module = module.with_changes(body=[s for s in module.body if not _is_all(s)])
    block = ["", "", "# " + "=" * 77, "# Names the old modules exported, kept importable (unify)",
             "# " + "=" * 77, *lines]
    if star is not None:
        final = bound | {line.split()[0] for line in lines if " = " in line} | {
            line.split()[-1] for line in lines if line.startswith(("from ", "import "))}
        block.append(f"__all__ = {sorted(star & final)!r}")
    return module.code.rstrip("\n") + "\n" + "\n".join(block) + "\n"


def _is_all(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
            [small.target] if isinstance(small, (cst.AugAssign, cst.AnnAssign)) else []
        if any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets):
            return True
    return False


def shim_names(target_text: str, source: str, facts: ModuleFacts, renames: dict[str, str],
               index: ModuleIndex, modules: set[str], notes: list[str]
               ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names the shim imports from the target by name, other lines it needs).
    ``renames``: the names the shim already binds as ``old = new``."""
    bound = bound_names(target_text)
    star = _star_names(target_text, bound)
    names = {n: e for n, e in public_names(facts).items() if n not in renames}
    lines = _lines(source, names, bound, renames, index, modules, notes, "its shim")
    needed = {n for n in names if n in bound} | {
        line.split(" = ")[1] for line in lines if " = " in line}
    return tuple(sorted(n for n in needed if n not in star)), tuple(lines)
