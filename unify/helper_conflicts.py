"""Plan: module-level helpers two sources define under one name (kind ``helper``).

Once the sources are one module, a name can be bound only once. For every
top-level function, non-model class, assignment or import that two or more
sources bind under the same name:

* the same code (or an import of the same object) is one definition: the
  merge keeps it once, nothing to decide;
* different code is a conflict. Policy: the definition of the first source in
  the plan's order (the target's own file first) keeps the name; each other
  one is renamed after the module it came from (``boards_next_free_name``),
  and the code moved from that module calls it by the new name (the shim keeps
  the old name). ``resolution = "keep"`` keeps one definition for everybody;
  ``?`` when the new name is already taken.

Scaffolding (``db = None`` before ``from models import db``, see
:mod:`unify.scaffold`) and imports of the sources themselves are not helpers.
"""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path

from unify import scaffold
from unify.plan import Candidate, Conflict

POLICY = ("different code under one name: the first source's definition (the target's "
          "own file first) keeps the name, the others are renamed after their module "
          "and the code moved from it calls them by the new name")


def helper_conflicts(repo: str, sources: tuple[str, ...], target: str,
                     model_names: set[str], source_imports) -> list[Conflict]:
    """``source_imports``: {(path, line)} of the import statements that import a source."""
    order = sorted(sources, key=lambda p: (p != target, sources.index(p)))
    parsed = {}
    for path in order:
        try:
            parsed[path] = ast.parse((Path(repo) / path).read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
    defined = {p: scaffold.defined_names(m) for p, m in parsed.items()}
    taken = {n for m in parsed.values() for n in _bound_names(m)} | model_names
    by_name: dict[str, list[tuple[str, int, str]]] = {}
    for path, module in parsed.items():
        elsewhere = set().union(*(d for p, d in defined.items() if p != path))
        dead = scaffold.find(module, lambda n, p=path: (p, n.lineno) in source_imports,
                             elsewhere, model_names)
        for index, stmt in enumerate(module.body):
            if index in dead or (path, getattr(stmt, "lineno", 0)) in source_imports:
                continue
            for name, code in _definitions(stmt, path):
                if name in model_names or (name.startswith("__") and name.endswith("__")):
                    continue
                by_name.setdefault(name, []).append((path, stmt.lineno, code))
    return [c for name, defs in sorted(by_name.items())
            if (c := _conflict(name, defs, taken)) is not None]


def _bound_names(module: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return names


def _definitions(stmt: ast.stmt, path: str):
    """(name, code that says what it is) for each name a top-level statement binds."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield stmt.name, ast.dump(stmt)
    elif isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                yield target.id, ast.dump(stmt.value)
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
        yield stmt.target.id, ast.dump(stmt.value)
    elif isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                yield alias.asname, f"module {alias.name}"
            else:
                yield alias.name.split(".")[0], f"module {alias.name.split('.')[0]}"
    elif isinstance(stmt, ast.ImportFrom) and stmt.module != "__future__":
        module = _absolute(stmt.module or "", stmt.level, path)
        for alias in stmt.names:
            if alias.name != "*":
                yield alias.asname or alias.name, f"{module}.{alias.name}"


def _absolute(module: str, level: int, path: str) -> str:
    if not level:
        return module
    parts = posixpath.dirname(path).split("/") if posixpath.dirname(path) else []
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*parts, module] if module else parts)


def _conflict(name: str, defs: list[tuple[str, int, str]], taken: set[str]) -> Conflict | None:
    codes = list(dict.fromkeys(code for _, _, code in defs))
    if len(codes) < 2:
        return None
    first: dict[str, tuple[str, int]] = {}
    for path, line, _ in defs:
        first.setdefault(path, (path, line))
    candidates = tuple(Candidate(f"{p}:{name}", line, None, 0, 0, 0) for p, line in
                       first.values())
    winner = candidates[0]
    winner_code = next(code for path, _, code in defs if f"{path}:{name}" == winner.ref)
    paths = list(first)
    renames = []
    for cand in candidates[1:]:
        path = cand.ref.split(":", 1)[0]
        if all(code == winner_code for p, _, code in defs if p == path):
            continue  # the same code as the winner's: nothing to rename
        renames.append((cand.ref, renamed(name, path, [p for p in paths if p != path])))
    if not renames:
        return None
    clash = [new for _, new in renames if new in taken]
    where = ", ".join(f"{c.ref} (line {c.line})" for c in candidates)
    if clash:
        return Conflict(name, "helper", candidates, "?", None,
                        f"{name} is defined differently in {where}; the policy's new name "
                        f"{clash[0]} is already taken: set rename names of your own, or "
                        "keep one", renames=tuple(renames))
    return Conflict(name, "helper", candidates, "rename", winner.ref,
                    f"{name} is defined differently in {where}. Policy ({POLICY}): "
                    f"{winner.ref} keeps the name. Alternative: resolution = \"keep\" "
                    "and keep = the definition everybody should use", renames=tuple(renames))


def renamed(name: str, path: str, others: list[str]) -> str:
    """``name`` prefixed with the first folder (or the file stem) that tells ``path``
    apart: ``boards_next_free_name``, ``LegacyLeadSource``, ``BOARDS_PAGE_SIZE``."""
    mine = path.split("/")
    part = posixpath.splitext(mine[-1])[0]
    for i, folder in enumerate(mine[:-1]):
        if all(len(o.split("/")) <= i or o.split("/")[i] != folder for o in others):
            part = folder
            break
    if part == "__init__":
        part = mine[-2] if len(mine) > 1 else "package"
    words = [w for w in re.split(r"[^A-Za-z0-9]+", part) if w]
    core = name.lstrip("_")
    under = name[: len(name) - len(core)]
    if core.isupper():
        return under + "_".join(w.upper() for w in words) + "_" + core
    if core[:1].isupper():
        return under + "".join(w[:1].upper() + w[1:] for w in words) + core
    return under + "_".join(w.lower() for w in words) + "_" + core
