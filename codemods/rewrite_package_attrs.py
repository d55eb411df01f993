"""Rewrite uses of an old module reached through its package: ``pkg.old.Name``.

After ``from app.modules import accounts`` a file may use ``accounts.models.Token``
without ever importing ``app.modules.accounts.models``: the attribute exists only
because something else imported that submodule (often an ``init_app()`` doing
``from . import models``). Once the old module is retired nothing imports it any
more and the attribute disappears. ``RewritePackageAttrsCommand`` replaces each such
use with the name in the target and imports that name right after the statement
that binds the package, in the same block (so a lazy import stays lazy)::

    python -m libcst.tool codemod rewrite_package_attrs.RewritePackageAttrsCommand \\
        --use accounts.models.Token=app.models:Token  FILES

A use whose new name is already bound to something else in the file is left as it
is, with a warning (verification then reports it as a stale use).
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Mapping

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _parse_use(text: str) -> tuple[str, tuple[str, str]]:
    chain, sep, target = text.partition("=")
    module, colon, name = target.partition(":")
    parts = chain.split(".")
    if not (sep and colon and len(parts) >= 3 and all(p.isidentifier() for p in parts)
            and name.isidentifier() and all(p.isidentifier() for p in module.split("."))):
        raise ValueError(f"use {text!r}: expected pkg.old.Name=new.module:NewName")
    return chain, (module, name)


def _bound_names(code: str) -> dict[str, set[str]]:
    """Every name the file binds -> where from: the module of a ``from M import name``,
    "" for anything else (assignment, def, argument, other import, a star-imported load)."""
    names: dict[str, set[str]] = {}
    tree = ast.parse(code)
    star = False
    loads = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads.add(node.id)
            else:
                names.setdefault(node.id, set()).add("")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.setdefault(node.name, set()).add("")
        elif isinstance(node, ast.arg):
            names.setdefault(node.arg, set()).add("")
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                star = star or alias.name == "*"
                plain = alias.asname is None or alias.asname == alias.name
                names.setdefault(alias.asname or alias.name, set()).add(module if plain else "")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names.setdefault(alias.asname or alias.name.split(".")[0], set()).add("")
    if star:  # a name only loaded may come from the star import
        for name in loads - names.keys():
            names[name] = {""}
    return names


def _binds(statement: cst.BaseStatement, root: str) -> bool:
    """Does this statement import something bound as ``root``?"""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                small.names, cst.ImportStar):
            for alias in small.names:
                bound = alias.evaluated_alias or alias.evaluated_name
                if (bound if alias.asname else bound.split(".")[0]) == root:
                    return True
    return False


class RewritePackageAttrsCommand(VisitorBasedCodemodCommand):
    """``pkg.old.Name`` -> ``Name`` imported from the target, after the package's import."""

    DESCRIPTION = "Rewrite pkg.old.Name uses of retired modules to names of the target."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--use", dest="uses", action="append", required=True,
            help="pkg.old.Name=new.module:NewName (repeat for each use)")

    def __init__(self, context: CodemodContext,
                 uses: Mapping[str, tuple[str, str]] | list[str]) -> None:
        super().__init__(context)
        if isinstance(uses, list):
            uses = dict(_parse_use(u) for u in uses)
        for chain, (module, name) in uses.items():
            if len(chain.split(".")) < 3 or not name.isidentifier() or not module:
                raise ValueError(f"use {chain!r}: expected pkg.old.Name -> (module, name)")
        self.uses = dict(uses)
        self.active: dict[str, tuple[str, str]] = {}
        self.done: dict[str, set[tuple[str, str]]] = {}  # root -> imports to add

    def visit_Module(self, node: cst.Module) -> bool:
        bound = _bound_names(node.code)
        self.active = {}
        for chain, (module, name) in self.uses.items():
            owners = bound.get(name, set())
            if owners and owners != {module}:
                self.warn(f"{chain}: left as it is, {name} already names something else here")
                continue
            self.active[chain] = (module, name)
        return bool(self.active)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        chain = _dotted(original)
        if chain not in self.active:
            return updated
        module, name = self.active[chain]
        self.done.setdefault(chain.split(".")[0], set()).add((module, name))
        return cst.Name(name)

    def _with_imports(self, body):
        new = []
        for statement in body:
            new.append(statement)
            for root, imports in self.done.items():
                if _binds(statement, root):
                    for module, name in sorted(imports):
                        line = cst.parse_statement(f"from {module} import {name}\n")
                        if not any(line.deep_equals(s) for s in body):
                            new.append(line)
        return new

    def leave_IndentedBlock(self, original: cst.IndentedBlock,
                            updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated.with_changes(body=self._with_imports(updated.body)) if self.done else updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._with_imports(updated.body)) if self.done else updated


__all__ = ["RewritePackageAttrsCommand"]
