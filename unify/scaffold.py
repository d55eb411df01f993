"""Circular-import scaffolding in a source, recognised by what it does.

Sources that import each other grow code whose only job is to dodge the cycle:

* a module-level rebinding of a name another source defines (``db = None``
  before ``from models import db``);
* a private function whose only job is to import from another source (``def
  _get_db(): global db; from models import db as models_db; db = models_db``;
  a public one stays importable: only its imports of sources go);
* a ``try`` whose body only imports from other sources (its ``except`` holds
  the fallbacks, placeholder classes included);
* a placeholder class (not a model) with the name of a model the merge defines.

Once the sources are one module, all of it is dead or harmful (``db = None``
after ``db = SQLAlchemy()``): :func:`find` says which top-level statements to
drop, and why. Read with the stdlib ``ast``; ``is_source_import`` tells an
import statement of another source (or the target) from any other import.
"""

from __future__ import annotations

import ast
from typing import Callable

IsSourceImport = Callable[[ast.stmt], bool]


def find(module: ast.Module, is_source_import: IsSourceImport, defined_elsewhere: set[str],
         models: set[str]) -> dict[int, str]:
    """Index of each top-level scaffolding statement -> why it is scaffolding.

    ``defined_elsewhere``: names the other sources define (classes, functions,
    assignments of something else than a literal); ``models``: the model class
    names of the merged module."""
    imported = _names_imported_from_sources(module, is_source_import)
    found: dict[int, str] = {}
    for index, stmt in enumerate(module.body):
        why = _why(stmt, is_source_import, defined_elsewhere | imported, models)
        if why:
            found[index] = why
    return found


def _why(stmt: ast.stmt, is_source_import, others: set[str], models: set[str]) -> str:
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Constant):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if names and len(names) == len(targets) and all(n in others for n in names):
            return (f"`{ast.unparse(stmt)}` rebinds {', '.join(names)}, which the merged "
                    "module defines")
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name.startswith(
            "_") and _only_imports(stmt.body, is_source_import):  # public: kept, imports go
        return f"function {stmt.name}() only imports from another source"
    if isinstance(stmt, ast.Try) and _only_imports(stmt.body, is_source_import, plain=True):
        return "`try` block that only imports from another source (and its fallbacks)"
    if isinstance(stmt, ast.ClassDef) and stmt.name in models and not stmt.bases:
        return f"placeholder class {stmt.name}, shadowed by the model {stmt.name}"
    return ""


def _only_imports(body: list[ast.stmt], is_source_import, plain: bool = False) -> bool:
    """Only imports from sources, plus (in a function) the glue that hands the names on:
    ``global``, ``x = imported``, ``return x``, ``pass``, a docstring, nested ``try``."""
    found = False
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if not is_source_import(stmt):
                return False
            found = True
        elif isinstance(stmt, ast.Pass) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        elif plain:
            return False
        elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
            continue
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, (ast.Name, ast.Constant)):
            continue
        elif isinstance(stmt, ast.Return) and (
                stmt.value is None or isinstance(stmt.value, (ast.Name, ast.Constant))):
            continue
        elif isinstance(stmt, ast.Try) and _only_imports(stmt.body, is_source_import):
            found = True
        elif isinstance(stmt, ast.If) and _only_imports(stmt.body + stmt.orelse,
                                                        is_source_import):
            found = True
        else:
            return False
    return found


def _names_imported_from_sources(module: ast.Module, is_source_import) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and is_source_import(node):
            for alias in node.names:
                names.add(alias.name.split(".")[0] if isinstance(node, ast.Import)
                          else alias.name)
                if alias.asname:
                    names.add(alias.asname)
    return names


def defined_names(module: ast.Module) -> set[str]:
    """Top-level names a module defines by code of its own (not by a literal or import)."""
    names: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign) and not isinstance(stmt.value, ast.Constant):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and not isinstance(
                stmt.value, ast.Constant) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
    return names
