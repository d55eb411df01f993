"""Columns built by the project's own helpers, e.g. ``author_id = reference_col("users")``.

A class attribute assigned from a call that is not ``Column`` / ``mapped_column`` /
``relationship`` is followed to the function it names: when that is a project
function whose return expression is such a call (:class:`unify.facts.HelperFact`),
the call's arguments are substituted for the parameters and the result is read
like a column written in place. Anything else cannot be evaluated: the caller
marks the model's column set *unknown* (no destructive guess is made from it).
"""

from __future__ import annotations

import ast
import copy

from unify.facts import (
    RELATIONSHIP_CALLS,
    CallFact,
    ColumnFact,
    HelperFact,
    RelationshipFact,
    call_name,
    column_from_call,
    relationship_from_call,
)
from unify.resolve import ModuleIndex, ValueRef


def evaluate(index: ModuleIndex, path: str, call: CallFact) -> ColumnFact | RelationshipFact | None:
    """The column or relationship the call builds, or None if unify cannot tell."""
    helper = _helper(index, path, call.func) if call.func else None
    if helper is None:
        return None
    try:
        node = ast.parse(call.source, mode="eval").body
        template = ast.parse(helper.returns, mode="eval").body
        annotation = ast.parse(call.annotation, mode="eval").body if call.annotation else None
    except SyntaxError:
        return None
    bound = _bind(helper, node) if isinstance(node, ast.Call) else None
    if bound is None or not isinstance(template, ast.Call):
        return None
    built = ast.fix_missing_locations(_Substitute(bound).visit(template))
    if call_name(built) in ("Column", "mapped_column"):
        return column_from_call(call.name, call.line, built, annotation)
    if call_name(built) in RELATIONSHIP_CALLS:
        return relationship_from_call(call.name, call.line, built, annotation)
    return None


def _helper(index: ModuleIndex, path: str, func: str) -> HelperFact | None:
    ref = index.resolve_expr(path, func)
    if not isinstance(ref, ValueRef) or ref.value != "<function>":
        return None
    facts = index.by_path.get(ref.path)
    return next((h for h in facts.helpers if h.name == ref.name), None) if facts else None


def _bind(helper: HelperFact, call: ast.Call) -> dict[str, ast.AST] | None:
    """Parameter -> argument expression (or its default); None if it cannot be bound."""
    if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > len(helper.params):
        return None
    bound: dict[str, ast.AST] = {}
    for name, text in helper.defaults:
        bound[name] = ast.parse(text, mode="eval").body
    bound.update(zip(helper.params, call.args))
    for kw in call.keywords:
        if kw.arg is None:  # **kwargs: which parameters it fills is unknown
            return None
        if kw.arg in helper.params:
            bound[kw.arg] = kw.value
    return bound


class _Substitute(ast.NodeTransformer):
    """Parameters replaced by their arguments; f-strings of constants folded."""

    def __init__(self, bound: dict[str, ast.AST]) -> None:
        self.bound = bound

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if isinstance(node.ctx, ast.Load) and node.id in self.bound:
            return copy.deepcopy(self.bound[node.id])
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.generic_visit(node)
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.conversion != -1 or value.format_spec is not None:
                    return node
                value = value.value
            if not isinstance(value, ast.Constant) or not isinstance(value.value, (str, int)):
                return node
            parts.append(str(value.value))
        return ast.copy_location(ast.Constant("".join(parts)), node)


def unknown_reason(path: str, call: CallFact) -> str:
    """How a model note names the call unify could not evaluate."""
    source = call.source if len(call.source) <= 60 else call.source[:57] + "..."
    return f"{call.name} = {source} ({path}:{call.line})"
