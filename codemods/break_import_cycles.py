"""Break import cycles: move module-level imports into the functions that use them.

unify runs it on the merged module for the plan's cycles with ``fix = "function"``
or ``"type_checking"`` (unify/cycles_fix.py): the names leave the module-level
import of their module; each function (or method) whose body uses some of them gets
its own ``from MODULE import ...`` as its first statement, and names used in
annotations go under ``if TYPE_CHECKING:`` (with ``from typing import TYPE_CHECKING``
when the module lacks it). A name still used at module level (a class body, a
default, a decorator, an annotation that is evaluated) stays where it was, with a
warning: moving it would break the import.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand


class BreakImportCyclesCommand(VisitorBasedCodemodCommand):
    """Move module-level imports of ``moves`` (module -> names) out of the module level.

    ``python -m libcst.tool codemod break_import_cycles.BreakImportCyclesCommand
    --move pkg.utils.helpers=slugify,utcnow FILES``. A file with nothing to move comes
    back as the very tree it was given. A name still used at module level stays, with a
    warning (``context.warnings``)."""

    DESCRIPTION = "Move imports that close an import cycle into functions / TYPE_CHECKING."

    def __init__(self, context: CodemodContext, moves: Mapping[str, Sequence[str]]) -> None:
        super().__init__(context)
        items = moves.items() if isinstance(moves, Mapping) else moves  # CLI: (module, names)
        self.moves = {module: set(names) for module, names in items}

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--move", dest="moves", action="append", default=[],
                                type=_move_arg, help="module=name,name: imports to move")

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        return _break(tree, self.moves, self.warn) if self.moves else tree


def _move_arg(text: str) -> tuple[str, list[str]]:
    module, _, names = text.partition("=")
    return module, [n for n in names.split(",") if n]


def _break(module: cst.Module, wanted: dict[str, set[str]], warn) -> cst.Module:
    moved = _movable(module, wanted, warn)
    if not moved:
        return module
    body: list[cst.BaseStatement] = []
    guarded: list[tuple[str, str]] = []
    last = _last_import(module)
    for stmt in module.body:
        kept, taken = _without(stmt, moved)
        if kept is not None:
            body.append(kept)
        guarded += [(m, n) for m, n in taken if _annotation_use(module, n)]
        if guarded and (stmt is last or last is None):
            body += _type_checking_block(module, guarded)
            guarded = []
    if guarded:  # moved from below the import block: right after the module's imports
        body += _type_checking_block(module, guarded)
    module = module.with_changes(body=body)
    functions = {name: mod for (mod, name) in moved}
    return module.visit(_AddLocalImports(functions))


# -- which names move --------------------------------------------------------------


def _imports_of(stmt: cst.BaseStatement):
    """(module, alias, bound name) of a module-level `from M import a as b` / `import M as b`."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module \
                and not isinstance(small.names, cst.ImportStar):
            module = _code(small.module)
            for alias in small.names:
                bound = _code(alias.asname.name) if alias.asname else _code(alias.name)
                yield module, alias, bound
        elif isinstance(small, cst.Import):
            for alias in small.names:
                module = _code(alias.name)
                bound = _code(alias.asname.name) if alias.asname else module.split(".")[0]
                yield module, alias, bound


def _movable(module: cst.Module, wanted: dict[str, set[str]], warn) -> set[tuple[str, str]]:
    """(module, bound name) pairs the pass moves: named by a cycle, unused at module level."""
    at_module = _ModuleUses(_postponed(module))
    for stmt in module.body:
        stmt.visit(at_module)
    moved = set()
    for stmt in module.body:
        for mod, _, bound in _imports_of(stmt):
            if bound not in wanted.get(mod, ()):
                continue
            if bound in at_module.names:
                warn(f"import cycle through {mod} left in place: `{bound}` is used "
                     "while the module is imported")
                continue
            moved.add((mod, bound))
    return moved


def _without(stmt: cst.BaseStatement, moved: set[tuple[str, str]]):
    """(the statement minus the moved names or None, the (module, name) pairs taken)."""
    pairs = [(m, b) for m, _, b in _imports_of(stmt) if (m, b) in moved]
    if not pairs:
        return stmt, []
    assert isinstance(stmt, cst.SimpleStatementLine)
    small_kept = []
    for small in stmt.body:
        if isinstance(small, (cst.ImportFrom, cst.Import)):
            names = [a for a in small.names  # type: ignore[union-attr]
                     if (_module_of(small, a), _bound(small, a)) not in moved]
            if not names:
                continue
            names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            small = small.with_changes(names=names)
            if isinstance(small, cst.ImportFrom) and small.lpar and len(names) == 1:
                small = small.with_changes(lpar=None, rpar=None)
        small_kept.append(small)
    if not small_kept:
        return None, pairs
    return stmt.with_changes(body=small_kept), pairs


def _module_of(small, alias: cst.ImportAlias) -> str:
    return _code(small.module) if isinstance(small, cst.ImportFrom) else _code(alias.name)


def _bound(small, alias: cst.ImportAlias) -> str:
    if alias.asname:
        return _code(alias.asname.name)
    name = _code(alias.name)
    return name if isinstance(small, cst.ImportFrom) else name.split(".")[0]


def _last_import(module: cst.Module):
    last = None
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            last = stmt
        elif not (isinstance(stmt, cst.SimpleStatementLine) and _is_docstring(stmt)):
            break
    return last


def _is_docstring(stmt: cst.SimpleStatementLine) -> bool:
    return len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr) and isinstance(
        stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


# -- annotations: under TYPE_CHECKING ---------------------------------------------------


def _annotation_use(module: cst.Module, name: str) -> bool:
    finder = _Annotations(name)
    module.visit(finder)
    return finder.found


class _Annotations(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name, self.found = name, False

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        uses = _Uses()
        node.annotation.visit(uses)
        self.found = self.found or self.name in uses.names
        return False


def _type_checking_block(module: cst.Module, pairs: list[tuple[str, str]]) -> list:
    out: list[cst.BaseStatement] = []
    if not _binds_type_checking(module):
        out.append(cst.parse_statement("from typing import TYPE_CHECKING\n"))
    lines = "".join(f"    {_import_line(mod, names)}\n"
                    for mod, names in _grouped(pairs).items())
    block = cst.parse_statement(f"if TYPE_CHECKING:\n{lines}")
    out.append(block.with_changes(leading_lines=[cst.EmptyLine()]))
    return out


def _binds_type_checking(module: cst.Module) -> bool:
    return any(bound == "TYPE_CHECKING" for stmt in module.body
               for _, _, bound in _imports_of(stmt))


def _grouped(pairs) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for mod, name in pairs:
        if name not in grouped.setdefault(mod, []):
            grouped[mod].append(name)
    return grouped


def _import_line(module: str, names: list[str]) -> str:
    if names == [module.split(".")[0]]:
        return f"import {module}"
    return f"from {module} import {', '.join(sorted(names))}"


# -- function bodies: a local import ----------------------------------------------------


class _Uses(cst.CSTVisitor):
    """Names loaded in a subtree; attribute names, keywords and imports are not uses."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        for part in (node.annotation, node.default):
            if part is not None:
                part.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # a def met at module level: its body runs later; its decorators and defaults now
        for decorator in node.decorators:
            decorator.visit(self)
        for param in (*node.params.params, *node.params.kwonly_params,
                      *node.params.posonly_params):
            if param.default is not None:
                param.default.visit(self)
        return False

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        return False  # annotations are handled on their own (TYPE_CHECKING)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


class _ModuleUses(_Uses):
    """Names used while the module is imported: also class-level annotations (SQLAlchemy
    reads ``Mapped[...]``) and, unless postponed, the annotations of every def."""

    def __init__(self, postponed: bool) -> None:
        super().__init__()
        self.postponed = postponed

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        node.annotation.annotation.visit(self)  # defs are not entered: module or class level
        for part in (node.target, node.value):
            if part is not None:
                part.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        super().visit_FunctionDef(node)
        if not self.postponed:
            for param in (*node.params.params, *node.params.kwonly_params,
                          *node.params.posonly_params):
                if param.annotation is not None:
                    param.annotation.annotation.visit(self)
            if node.returns is not None:
                node.returns.annotation.visit(self)
        return False


def _postponed(module: cst.Module) -> bool:
    return any(mod == "__future__" and bound == "annotations"
               for stmt in module.body for mod, _, bound in _imports_of(stmt))


class _BodyUses(_Uses):
    """Names a function body uses, nested defs included (they run when it runs)."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return True

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return True


class _AddLocalImports(cst.CSTTransformer):
    """Give each outermost function that uses a moved name its own import of it."""

    def __init__(self, moved: dict[str, str]) -> None:
        self.moved = moved  # bound name -> module
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return False  # outermost functions only: the import covers the nested ones

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef):
        self.depth -= 1
        uses = _BodyUses()
        updated.body.visit(uses)
        names = sorted(n for n in uses.names if n in self.moved)
        if not names or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        by_module: dict[str, list[str]] = {}
        for name in names:
            by_module.setdefault(self.moved[name], []).append(name)
        imports = [cst.parse_statement(_import_line(m, ns) + "\n")
                   for m, ns in sorted(by_module.items())]
        body = list(updated.body.body)
        at = 1 if body and isinstance(body[0], cst.SimpleStatementLine) and \
            _is_docstring(body[0]) else 0
        body[at:at] = imports
        return updated.with_changes(body=updated.body.with_changes(body=body))


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
