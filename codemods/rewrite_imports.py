"""Redirect every import of the old model modules to the unified target module.

``RewriteImportsCommand`` is the codemod behind step 3 of ``unify apply``
("rewrite every dependent import"). It also runs on its own::

    python -m libcst.tool codemod rewrite_imports.RewriteImportsCommand \\
        --old-module models --old-module unified_models \\
        --new-module app.db_models --rename MVPUser=User  FILES

Each file goes through three stages:

1. ``_Planner`` reads the original tree and libcst's scope metadata and decides
   what every import of an old module becomes and which uses follow it. The
   result is ``_Edits``, keyed by nodes of the original tree.
2. The command's ``leave_*`` methods swap those nodes in a single walk.
3. ``_BlockTidier`` tidies each block it leaves: ``try``/``except ImportError``
   fallbacks that became identical collapse to one import, and imports that
   became duplicates are dropped, their comments kept.

Dynamic imports (``importlib.import_module("models")``, ``__import__``) are
never rewritten; they are reported with ``warn``.
"""

from __future__ import annotations

import argparse
import keyword
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    Access,
    BaseAssignment,
    ImportAssignment,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)

_ImportNode = Union[cst.Import, cst.ImportFrom]
#: One imported binding, e.g. ``("from", "app.db_models", "User", None)``.
_Key = tuple

_DYNAMIC_IMPORTERS = frozenset({"importlib.import_module", "builtins.__import__"})
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


# -- arguments -----------------------------------------------------------------


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _is_dotted_name(name: str) -> bool:
    """True for ``a`` and ``a.b.c``: identifiers joined by dots."""
    return all(_is_identifier(part) for part in name.split("."))


def _check_modules(old_modules: Sequence[str], new_module: str) -> frozenset[str]:
    """Validate ``old_modules`` and ``new_module``; raise ValueError naming the bad one."""
    if isinstance(old_modules, str) or not old_modules:
        raise ValueError("old_modules: give at least one module name (a list of str)")
    for name in old_modules:
        if not _is_dotted_name(name):
            raise ValueError(f"old_modules: {name!r} is not a dotted module name")
    if not _is_dotted_name(new_module):
        raise ValueError(f"new_module: {new_module!r} is not a dotted module name")
    if new_module in old_modules:
        raise ValueError(f"new_module: {new_module!r} is also one of old_modules")
    return frozenset(old_modules)


def _split_rename(text: str) -> tuple[str, str]:
    """``"MVPUser=User"`` -> ``("MVPUser", "User")``."""
    old, sep, new = text.partition("=")
    if not sep:
        raise ValueError(f"renames: {text!r} is not of the form OLD=NEW")
    return old.strip(), new.strip()


def _parse_renames(renames: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    """Validate ``OLD=NEW`` strings (or a mapping); follow chains to their end."""
    if isinstance(renames, str):
        raise ValueError("renames: give a list of OLD=NEW strings or a mapping")
    if isinstance(renames, Mapping):
        pairs: Iterable[tuple[str, str]] = renames.items()
    else:
        pairs = map(_split_rename, renames)
    result: dict[str, str] = {}
    for old, new in pairs:
        for name in (old, new):
            if not _is_identifier(name):
                raise ValueError(f"renames: {name!r} is not a class name")
        if result.setdefault(old, new) != new:
            raise ValueError(
                f"renames: {old!r} is renamed to {result[old]!r} and {new!r}"
            )
    return _follow_chains(result)


def _follow_chains(renames: dict[str, str]) -> dict[str, str]:
    """``A=B, B=C`` means A ends up as C; a cycle (``A=B, B=A`` or ``A=A``) is an error."""
    final = {}
    for start, name in renames.items():
        path = [start]
        while name in renames:
            if name in path:
                raise ValueError(f"renames: cycle {' -> '.join([*path, name])}")
            path.append(name)
            name = renames[name]
        final[start] = name
    return final


# -- module names --------------------------------------------------------------


def _resolve_relative(package: str, level: int, module: str | None) -> str | None:
    """Absolute name of ``from <level dots><module> import ...`` inside ``package``."""
    parts = package.split(".") if package else []
    if level > len(parts):
        return None
    base = parts[: len(parts) - level + 1]
    return ".".join([*base, module] if module else base) or None


def _relative_spelling(package: str, target: str) -> tuple[int, str] | None:
    """``(level, rest)`` spelling ``target`` relative to ``package``, if they share a top."""
    pkg, tgt = package.split("."), target.split(".")
    common = 0
    while common < min(len(pkg), len(tgt)) and pkg[common] == tgt[common]:
        common += 1
    if common == 0:
        return None
    return len(pkg) - common + 1, ".".join(tgt[common:])


def _dotted_expr(name: str) -> cst.Name | cst.Attribute:
    """``"a.b"`` -> ``Attribute(Name("a"), Name("b"))``."""
    expr = cst.parse_expression(name)
    assert isinstance(expr, (cst.Name, cst.Attribute))
    return expr


# -- import nodes --------------------------------------------------------------


def _dotted(alias: cst.ImportAlias) -> str:
    """The imported name of an alias: ``a.b`` in ``import a.b as c``."""
    name = get_full_name_for_node(alias.name)
    assert name is not None
    return name


def _local_name(alias: cst.ImportAlias) -> str:
    """The name an alias binds, as libcst's scopes record it (``a.b`` for ``import a.b``)."""
    return alias.evaluated_alias or _dotted(alias)


def _aliases(node: _ImportNode) -> Sequence[cst.ImportAlias]:
    return () if isinstance(node.names, cst.ImportStar) else node.names


def _alias_binding(node: _ImportNode, local: str) -> cst.ImportAlias | None:
    """The alias of ``node`` that binds ``local`` (``import a.b`` binds ``a`` and ``a.b``)."""
    for alias in _aliases(node):
        bound = _local_name(alias)
        if bound == local:
            return alias
        dotted_prefix = not alias.asname and bound.startswith(local + ".")
        if isinstance(node, cst.Import) and dotted_prefix:
            return alias
    return None


def _with_names(node: _ImportNode, names: Sequence[cst.ImportAlias]) -> _ImportNode:
    """``node`` importing only ``names``, without a dangling comma outside parentheses."""
    names = list(names)
    if not getattr(node, "lpar", None):
        names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(names=names)


def _has_comment(node: cst.CSTNode) -> bool:
    return any(isinstance(child, cst.Comment) for child in _walk(node))


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _is_import_line(statement: cst.BaseStatement) -> bool:
    """True for a line of imports only (or a line this codemod emptied)."""
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _end_cleanly(
    body: list[cst.BaseSmallStatement], before: Sequence[cst.BaseSmallStatement]
) -> list[cst.BaseSmallStatement]:
    """``body`` without a dangling ``;`` when its last statement was removed."""
    if body and before and body[-1] is not before[-1]:
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return body


def _import_lines(suite: cst.BaseSuite) -> list[cst.SimpleStatementLine] | None:
    """A suite's statements as lines, or None if it holds anything but imports."""
    if isinstance(suite, cst.SimpleStatementSuite):
        trailing = suite.trailing_whitespace
        lines = [cst.SimpleStatementLine(body=suite.body, trailing_whitespace=trailing)]
    else:
        lines = list(suite.body)
    return lines if all(_is_import_line(line) for line in lines) else None


def _dropped_comments(
    node: cst.Try, kept: Sequence[cst.SimpleStatementLine]
) -> list[cst.Comment]:
    """The comments of a collapsed ``try`` outside its leading lines and ``kept`` lines."""
    skip = {id(n) for part in [*node.leading_lines, *kept] for n in _walk(part)}
    return [n for n in _walk(node) if isinstance(n, cst.Comment) and id(n) not in skip]


def _small_statements(suite: cst.BaseSuite) -> list[cst.BaseSmallStatement]:
    """The simple statements written directly in a suite (not in nested blocks)."""
    if isinstance(suite, cst.SimpleStatementSuite):
        return list(suite.body)
    lines = [line for line in suite.body if isinstance(line, cst.SimpleStatementLine)]
    return [small for line in lines for small in line.body]


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    """``except:``, ``except ImportError:`` or a tuple of import errors."""
    if handler.type is None:
        return True
    if isinstance(handler.type, cst.Tuple):
        types = [element.value for element in handler.type.elements]
    else:
        types = [handler.type]
    return all(isinstance(t, cst.Name) and t.value in _IMPORT_ERRORS for t in types)


def _comment_lines(line: cst.SimpleStatementLine) -> list[cst.EmptyLine]:
    """What a dropped line leaves behind: its leading comments and its trailing one."""
    leading = line.leading_lines
    kept = list(leading) if any(empty.comment for empty in leading) else []
    trailing = line.trailing_whitespace.comment
    return [*kept, cst.EmptyLine(comment=trailing)] if trailing else kept


def _dunder_all(module: cst.Module) -> frozenset[str]:
    """Names listed in the module-level ``__all__ = [...]`` or ``__all__ += [...]``."""
    names: set[str] = set()
    for line in module.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for small in line.body:
            value = _dunder_all_value(small)
            if isinstance(value, (cst.List, cst.Tuple)):
                names.update(_string_elements(value))
    return frozenset(names)


def _dunder_all_value(small: cst.BaseSmallStatement) -> cst.BaseExpression | None:
    if isinstance(small, cst.Assign):
        targets = [target.target for target in small.targets]
    elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
        targets = [small.target]
    else:
        return None
    is_all = any(isinstance(t, cst.Name) and t.value == "__all__" for t in targets)
    return small.value if is_all else None


def _string_elements(value: cst.List | cst.Tuple) -> Iterator[str]:
    for element in value.elements:
        if isinstance(element.value, cst.SimpleString):
            yield str(element.value.evaluated_value)


def _edit_text(value: str, edits: Iterable[tuple[str, str]]) -> str:
    """Replace whole dotted words: ``MVPUser`` but not ``MVPUsers`` or ``x.MVPUser``."""
    for old, new in edits:
        pattern = rf"(?<![\w.]){re.escape(old)}(?!\w)"
        value = re.sub(pattern, lambda _, new=new: new, value)
    return value


class _Collector(cst.CSTVisitor):
    """Gathers, in source order, import statements and calls that may import."""

    def __init__(self) -> None:
        self.nodes: list[cst.Import | cst.ImportFrom | cst.Call] = []

    def visit_Import(self, node: cst.Import) -> bool:
        self.nodes.append(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.nodes.append(node)
        return False

    def visit_Call(self, node: cst.Call) -> None:
        """Keep ``f("literal", ...)``: ``import_module`` may hide behind any name."""
        if node.args and isinstance(node.args[0].value, cst.SimpleString):
            self.nodes.append(node)


# -- the setting: what moves where, and where this file is -----------------------


@dataclass(frozen=True)
class _Setting:
    """The command's arguments plus the module name of the file being rewritten."""

    old_modules: frozenset[str]
    new_module: str
    renames: Mapping[str, str]
    module_name: str | None
    package: str | None

    @classmethod
    def of(cls, command: RewriteImportsCommand) -> _Setting:
        context = command.context
        package = context.full_package_name
        if package is None and context.full_module_name is not None:
            package = context.full_module_name.rpartition(".")[0]
        return cls(
            command.old_modules,
            command.new_module,
            command.renames,
            context.full_module_name,
            package,
        )

    @property
    def in_target(self) -> bool:
        """True inside the new module itself, where the merged names are local."""
        return self.module_name == self.new_module

    def resolve_from(self, node: cst.ImportFrom) -> str | None:
        """Absolute module a ``from ... import`` reads, or None when it cannot be told."""
        module = get_full_name_for_node(node.module) if node.module else None
        if not node.relative:
            return module
        if self.package is None:
            return None
        return _resolve_relative(self.package, len(node.relative), module)

    def spell_from(self, node: cst.ImportFrom, module: str) -> cst.ImportFrom:
        """``node`` reading ``module``: relative if ``node`` was and they share a package."""
        spelling = None
        if node.relative and self.package:
            spelling = _relative_spelling(self.package, module)
        if spelling is None:
            return node.with_changes(relative=[], module=_dotted_expr(module))
        level, rest = spelling
        return node.with_changes(
            relative=[cst.Dot()] * level, module=_dotted_expr(rest) if rest else None
        )

    def binding_keys(self, node: _ImportNode) -> list[_Key]:
        """One key per binding of an import; equal keys mean the very same import."""
        if isinstance(node, cst.Import):
            return [("import", _dotted(a), a.evaluated_alias) for a in node.names]
        module = self.resolve_from(node) or self._spelled_module(node)
        if isinstance(node.names, cst.ImportStar):
            return [("from", module, "*", None)]
        return [("from", module, _dotted(a), a.evaluated_alias) for a in node.names]

    @staticmethod
    def _spelled_module(node: cst.ImportFrom) -> str:
        module = get_full_name_for_node(node.module) if node.module else None
        return "." * len(node.relative) + (module or "")


@dataclass
class _Edits:
    """What the transform changes, keyed by nodes of the original tree."""

    #: import statement -> the statements replacing it ([] removes it)
    statements: dict[cst.CSTNode, list[cst.BaseSmallStatement]] = field(
        default_factory=dict
    )
    #: use of a name (Name or Attribute) -> its new expression
    expressions: dict[cst.CSTNode, cst.BaseExpression] = field(default_factory=dict)
    #: ``m.MVPUser`` -> the new attribute name ``User``
    attributes: dict[cst.CSTNode, str] = field(default_factory=dict)
    #: string annotation -> (old, new) dotted words to replace in it
    strings: dict[cst.CSTNode, list[tuple[str, str]]] = field(default_factory=dict)

    def edit_string(self, node: cst.CSTNode, old: str, new: str) -> None:
        edits = self.strings.setdefault(node, [])
        if (old, new) not in edits:
            edits.append((old, new))


# -- stage 1: planning ---------------------------------------------------------


class _Planner:
    """Decides, from the original tree and its scopes, what every old import becomes.

    ``get_metadata`` and ``warn`` are the command's; ``scopes`` are all scopes of
    the file; ``exported`` is the file's ``__all__``.
    """

    def __init__(
        self,
        setting: _Setting,
        get_metadata: Callable[..., Any],
        warn: Callable[[str], None],
        scopes: Iterable[Scope],
        exported: frozenset[str],
    ) -> None:
        self.setting = setting
        self.get_metadata = get_metadata
        self.warn = warn
        self.scopes = list(scopes)
        self.exported = exported
        self.edits = _Edits()

    def plan(self, nodes: Iterable[cst.Import | cst.ImportFrom | cst.Call]) -> _Edits:
        for node in nodes:
            if isinstance(node, cst.Call):
                self._warn_dynamic(node)
            elif isinstance(node, cst.Import):
                self._plan_import(node)
            else:
                self._plan_import_from(node)
        return self.edits

    # -- what names mean -------------------------------------------------------

    def _bound_target(self, assignment: BaseAssignment) -> str | None:
        """What an assignment's name means once rewritten (None: not an import)."""
        if not isinstance(assignment, ImportAssignment):
            return None
        node = assignment.node
        alias = _alias_binding(node, assignment.name)
        if alias is None:
            return None
        if isinstance(node, cst.ImportFrom):
            return self._target_of_from(node, alias)
        if alias.asname is None:
            return assignment.name
        return self._redirected(_dotted(alias))

    def _target_of_from(
        self, node: cst.ImportFrom, alias: cst.ImportAlias
    ) -> str | None:
        module = self.setting.resolve_from(node)
        if module is None:
            return None
        name = _dotted(alias)
        if f"{module}.{name}" in self.setting.old_modules:
            return self.setting.new_module
        if module in self.setting.old_modules:
            return f"{self.setting.new_module}.{self.setting.renames.get(name, name)}"
        return f"{module}.{name}"

    def _redirected(self, module: str) -> str:
        return self.setting.new_module if module in self.setting.old_modules else module

    def _assignment(self, node: _ImportNode, local: str) -> BaseAssignment | None:
        scope = self.get_metadata(ScopeProvider, node)
        return next((a for a in scope.assignments[local] if a.node is node), None)

    @staticmethod
    def _accesses(assignment: BaseAssignment | None) -> list[Access]:
        return list(assignment.references) if assignment else []

    def _name_is_free(self, name: str, target: str) -> bool:
        """True if every binding and every use of ``name`` in the file means ``target``."""
        for scope in self.scopes:
            if any(self._bound_target(a) != target for a in scope.assignments[name]):
                return False
            for access in scope.accesses[name]:
                referents = access.referents
                if not referents or any(
                    self._bound_target(r) != target for r in referents
                ):
                    return False
        return True

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    # -- statements ------------------------------------------------------------

    def _plan_import(self, node: cst.Import) -> None:
        """``import m``, ``import m as mm``, ``import app.models.user [as u]``."""
        old_modules = self.setting.old_modules
        names = [
            self._redirect_import(node, a) if _dotted(a) in old_modules else a
            for a in node.names
        ]
        if any(new is not old for new, old in zip(names, node.names)):
            self.edits.statements[node] = [node.with_changes(names=names)]

    def _plan_import_from(self, node: cst.ImportFrom) -> None:
        """``from m import A``, ``from m import *``, ``from . import m`` and the like."""
        module = self.setting.resolve_from(node)
        if module is None:
            self._warn_unresolved(node)
        elif not isinstance(node.names, cst.ImportStar):
            self._plan_names(node, module)
        elif module in self.setting.old_modules:
            self._plan_star(node)

    def _plan_names(self, node: cst.ImportFrom, module: str) -> None:
        """Sort the aliases: untouched, objects of an old module, old submodules."""
        kept, objects, submodules = [], [], []
        for alias in _aliases(node):
            full_name = f"{module}.{_dotted(alias)}"
            if full_name not in self.setting.old_modules:
                if module in self.setting.old_modules:
                    objects.extend(self._redirect_object(node, alias))
                else:
                    kept.append(alias)
            elif self.setting.in_target:
                self._warn_self_import(node, full_name)
                kept.append(alias)
            else:
                submodules.append(self._redirect_submodule(node, alias))
        if submodules or module in self.setting.old_modules:
            self.edits.statements[node] = [
                *([_with_names(node, kept)] if kept else []),
                *([self._from_new(node, objects)] if objects else []),
                *submodules,
            ]

    def _from_new(
        self, node: cst.ImportFrom, aliases: list[cst.ImportAlias]
    ) -> cst.ImportFrom:
        return _with_names(
            self.setting.spell_from(node, self.setting.new_module), aliases
        )

    def _plan_star(self, node: cst.ImportFrom) -> None:
        """``from m import *`` -> ``from new import *`` (dropped inside the new module)."""
        setting = self.setting
        new = (
            [] if setting.in_target else [setting.spell_from(node, setting.new_module)]
        )
        self.edits.statements[node] = new
        for old in sorted(setting.renames):
            if any(
                not a.referents for scope in self.scopes for a in scope.accesses[old]
            ):
                self.warn(
                    f"{self._line(node)}: {old!r} may come from a star import of an old"
                    f" module; it is {setting.renames[old]!r} in {setting.new_module!r}"
                )

    # -- objects: classes, helpers ---------------------------------------------

    def _redirect_object(
        self, node: cst.ImportFrom, alias: cst.ImportAlias
    ) -> list[cst.ImportAlias]:
        """The alias ``from new import ...`` gets for ``alias`` ([] inside the new module)."""
        name = _dotted(alias)
        target = self.setting.renames.get(name, name)
        renamed = alias.with_changes(name=cst.Name(target))
        if self.setting.in_target:
            self._drop_in_target(node, alias, target)
            return []
        if target == name:
            return [alias]
        if alias.asname:
            keep_as = alias.evaluated_alias != target
            return [renamed if keep_as else renamed.with_changes(asname=None)]
        if self._rename_uses_if_safe(node, name, target, check_free=True):
            return [renamed]
        return [renamed.with_changes(asname=cst.AsName(name=cst.Name(name)))]

    def _drop_in_target(
        self, node: cst.ImportFrom, alias: cst.ImportAlias, target: str
    ) -> None:
        """Inside the new module the names are local: only their uses may change."""
        local = _local_name(alias)
        if local == target:
            return
        if not alias.asname and self._rename_uses_if_safe(node, local, target, False):
            return
        self.warn(
            f"{self._line(node)}: {local!r} was imported from an old module and is not"
            f" defined in {self.setting.new_module!r}: define {local} = {target}"
        )

    def _rename_uses_if_safe(
        self, node: cst.ImportFrom, old: str, new: str, check_free: bool
    ) -> bool:
        """Rename the uses of ``old`` to ``new`` if nothing else can be meant by either."""
        accesses = self._accesses(self._assignment(node, old))
        target = f"{self.setting.new_module}.{new}"
        safe = (
            old not in self.exported
            and all(isinstance(a.node, (cst.Name, cst.SimpleString)) for a in accesses)
            and all(
                self._imports_alike(r, old, target)
                for a in accesses
                for r in a.referents
            )
            and (not check_free or self._name_is_free(new, target))
        )
        if safe:
            for access in accesses:
                self._rename_use(access, old, new)
        return safe

    def _imports_alike(self, assignment: BaseAssignment, old: str, target: str) -> bool:
        """True for a plain ``from <old module> import <old>`` that now means ``target``."""
        node = getattr(assignment, "node", None)
        if not isinstance(node, cst.ImportFrom):
            return False
        alias = _alias_binding(node, old)
        plain = alias is not None and alias.asname is None
        return plain and self._bound_target(assignment) == target

    def _rename_use(self, access: Access, old: str, new: str) -> None:
        if isinstance(access.node, cst.Name):
            self.edits.expressions[access.node] = access.node.with_changes(value=new)
        else:
            self.edits.edit_string(access.node, old, new)

    # -- module bindings: import m, from . import m --------------------------------

    def _redirect_import(
        self, node: cst.Import, alias: cst.ImportAlias
    ) -> cst.ImportAlias:
        """``import m`` -> ``import new`` (uses follow), else ``import new as m``."""
        local = _local_name(alias)
        if self.setting.in_target:
            self._warn_self_import(node, local)
            return alias
        new_module = self.setting.new_module
        new_alias = alias.with_changes(name=_dotted_expr(new_module))
        assignment = self._assignment(node, local)
        if alias.asname is None and self._can_rebind_import(node, assignment, local):
            self._rebind(assignment, new_module)
            return new_alias
        if alias.asname is None and "." in local:
            line = self._line(node)
            self.warn(
                f"{line}: 'import {local}' left unchanged: its uses cannot follow"
                f" {new_module!r} safely"
            )
            return alias
        self._rename_attributes(assignment, local)
        if local == new_module:
            return new_alias.with_changes(asname=None)
        return new_alias.with_changes(asname=cst.AsName(name=cst.Name(local)))

    def _can_rebind_import(
        self, node: cst.Import, assignment: BaseAssignment | None, dotted: str
    ) -> bool:
        """True if ``import <dotted>`` can become ``import new`` with uses following.

        Besides the usual checks, a use of a prefix that only this import binds
        (``models`` for ``import models.booking``) must still be bound by the new one.
        """
        top = self.setting.new_module.partition(".")[0]
        if not self._can_rebind(assignment, top, top):
            return False
        parts = dotted.split(".")
        for prefix in (".".join(parts[:end]) for end in range(1, len(parts))):
            if f"{self.setting.new_module}.".startswith(f"{prefix}."):
                continue
            for access in self._accesses(self._assignment(node, prefix)):
                if all(getattr(r, "node", None) is node for r in access.referents):
                    return False
        return True

    def _redirect_submodule(
        self, node: cst.ImportFrom, alias: cst.ImportAlias
    ) -> cst.BaseSmallStatement:
        """``from . import m`` -> ``from <new's package> import <new's name> [as m]``."""
        local = _local_name(alias)
        package, _, name = self.setting.new_module.rpartition(".")
        assignment = self._assignment(node, local)
        if alias.asname is None and self._can_rebind(
            assignment, name, self.setting.new_module
        ):
            self._rebind(assignment, name)
            local = name
        else:
            self._rename_attributes(assignment, local)
        asname = None if local == name else cst.AsName(name=cst.Name(local))
        new_alias = cst.ImportAlias(name=cst.Name(name), asname=asname)
        if not package:
            return cst.Import(names=[new_alias])
        statement = self.setting.spell_from(node, package)
        return statement.with_changes(names=[new_alias], lpar=None, rpar=None)

    def _can_rebind(
        self, assignment: BaseAssignment | None, name: str, target: str
    ) -> bool:
        """True if the uses of ``assignment`` can switch to ``name``, meaning ``target``."""
        only_here = all(
            isinstance(a.node, (cst.Name, cst.Attribute))
            and set(a.referents) == {assignment}
            for a in self._accesses(assignment)
        )
        return only_here and self._name_is_free(name, target)

    def _rebind(self, assignment: BaseAssignment | None, expression: str) -> None:
        """Point every use of an old module binding at ``expression``."""
        for access in self._accesses(assignment):
            self.edits.expressions[access.node] = _dotted_expr(expression)
            self._rename_attribute(access, expression)

    def _rename_attributes(self, assignment: BaseAssignment | None, local: str) -> None:
        for access in self._accesses(assignment):
            self._rename_attribute(access, local)

    def _rename_attribute(self, access: Access, local: str) -> None:
        """``m.MVPUser`` -> ``m.User`` for one use of a module binding."""
        renames = self.setting.renames
        if isinstance(access.node, cst.BaseString):
            for old, new in renames.items():
                self.edits.edit_string(access.node, f"{local}.{old}", f"{local}.{new}")
            return
        parent = self.get_metadata(ParentNodeProvider, access.node)
        is_attribute = isinstance(parent, cst.Attribute) and parent.value is access.node
        if is_attribute and parent.attr.value in renames:
            self.edits.attributes[parent] = renames[parent.attr.value]

    # -- warnings ----------------------------------------------------------------

    def _warn_self_import(self, node: _ImportNode, old: str) -> None:
        new_module = self.setting.new_module
        line = self._line(node)
        self.warn(f"{line}: import of {old!r} left unchanged in {new_module!r} itself")

    def _warn_unresolved(self, node: cst.ImportFrom) -> None:
        """Report a relative import that may name an old module but cannot be resolved."""
        words = {_dotted(alias) for alias in _aliases(node)}
        if node.module:
            words.update((get_full_name_for_node(node.module) or "").split("."))
        tails = {module.rpartition(".")[2] for module in self.setting.old_modules}
        if not words & tails:
            return
        if self.setting.package is None:
            why = "the file's module name is unknown"
        else:
            why = "it goes above the top-level package"
        code = cst.Module(body=[]).code_for_node(node)
        self.warn(f"{self._line(node)}: relative import {code!r} left unchanged: {why}")

    def _warn_dynamic(self, call: cst.Call) -> None:
        """Report ``importlib.import_module("m")`` / ``__import__("m")`` of an old module."""
        module = self._literal_module(call.args[0].value)
        if module not in self.setting.old_modules:
            return
        qualified = self.get_metadata(QualifiedNameProvider, call, set())
        if {q.name for q in qualified} & _DYNAMIC_IMPORTERS:
            line = self._line(call)
            self.warn(f"{line}: dynamic import of {module!r} left unchanged")

    def _literal_module(self, literal: cst.BaseExpression) -> str:
        """The absolute module a string literal names; ``.m`` is resolved if possible."""
        assert isinstance(literal, cst.SimpleString)
        module = str(literal.evaluated_value)
        name = module.lstrip(".")
        if name == module or self.setting.package is None:
            return module
        level = len(module) - len(name)
        return _resolve_relative(self.setting.package, level, name) or module


# -- stage 3: tidying blocks -------------------------------------------------------


class _BlockTidier:
    """Rewrites a block's import lines, collapses ``try`` fallbacks, drops duplicates."""

    def __init__(self, setting: _Setting, edits: _Edits) -> None:
        self.setting = setting
        self.edits = edits

    def replace_small(
        self,
        original: Sequence[cst.BaseSmallStatement],
        updated: Sequence[cst.BaseSmallStatement],
    ) -> list[cst.BaseSmallStatement]:
        """The simple statements of a line with every planned import replaced."""
        statements = self.edits.statements
        body = [
            new
            for old, upd in zip(original, updated)
            for new in statements.get(old, [upd])
        ]
        return _end_cleanly(body, updated)

    def tidy(
        self,
        original: Sequence[cst.BaseStatement],
        updated: Sequence[cst.BaseStatement],
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """The block's new statements, and comments left over after its last one."""
        items: list[tuple[cst.BaseStatement, bool]] = []
        for old, new in zip(original, updated):
            items.extend(self._rewrite_statement(old, new))
        return self._deduplicate(items)

    def _rewrite_statement(
        self, original: cst.BaseStatement, updated: cst.BaseStatement
    ) -> list[tuple[cst.BaseStatement, bool]]:
        """What replaces one statement, each flagged True if this codemod made it."""
        if isinstance(original, cst.SimpleStatementLine) and self._touched(
            original.body
        ):
            assert isinstance(updated, cst.SimpleStatementLine)
            return [(line, True) for line in self._rewrite_line(original, updated)]
        if isinstance(original, cst.Try) and self._touched_try(original):
            assert isinstance(updated, cst.Try)
            collapsed = self._collapse_try(updated)
            if collapsed is not None:
                return [(line, True) for line in collapsed]
        return [(updated, False)]

    def _touched(self, statements: Sequence[cst.CSTNode]) -> bool:
        return any(small in self.edits.statements for small in statements)

    def _touched_try(self, node: cst.Try) -> bool:
        suites = [node.body, *(handler.body for handler in node.handlers)]
        return any(self._touched(_small_statements(suite)) for suite in suites)

    def _rewrite_line(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> list[cst.SimpleStatementLine]:
        """An import line rewritten; an import that became several gets a line each."""
        body = self.replace_small(original.body, updated.body)
        if len(original.body) != 1 or len(body) < 2:
            return [updated.with_changes(body=body)]
        extra = [cst.SimpleStatementLine(body=[small]) for small in body[1:]]
        return [updated.with_changes(body=body[:1]), *extra]

    def _collapse_try(self, node: cst.Try) -> list[cst.SimpleStatementLine] | None:
        """``try: <imports> except ImportError: <the same imports>`` -> the imports."""
        lines = _import_lines(node.body)
        if lines is None or node.orelse or node.finalbody:
            return None
        keys = self._keys(lines)
        for handler in node.handlers:
            fallback = _import_lines(handler.body)
            if not _catches_import_error(handler) or fallback is None:
                return None
            if self._keys(fallback) != keys:
                return None
        dropped = [cst.EmptyLine(comment=c) for c in _dropped_comments(node, lines)]
        leading = [*node.leading_lines, *dropped, *lines[0].leading_lines]
        return [lines[0].with_changes(leading_lines=leading), *lines[1:]]

    def _deduplicate(
        self, items: Sequence[tuple[cst.BaseStatement, bool]]
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """Drop, from lines this codemod made, what the import lines just above bind."""
        seen: set[_Key] = set()
        result: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for statement, made_here in items:
            if not _is_import_line(statement):
                seen.clear()  # code in between may rebind a name: keep what follows
            else:
                if made_here:
                    statement = self._unseen(statement, seen)
                seen.update(self._keys([statement]))
                if not statement.body:
                    carried.extend(_comment_lines(statement))
                    continue
            if carried:
                leading = [*carried, *statement.leading_lines]
                statement = statement.with_changes(leading_lines=leading)
                carried = []
            result.append(statement)
        return result, carried

    def _unseen(
        self, line: cst.SimpleStatementLine, seen: set[_Key]
    ) -> cst.SimpleStatementLine:
        """``line`` without the bindings already in ``seen``, which it then joins."""
        body = []
        for small in line.body:
            kept = self._unseen_small(small, seen)
            if kept is not None:
                body.append(kept)
        return line.with_changes(body=_end_cleanly(body, line.body))

    def _unseen_small(
        self, small: cst.BaseSmallStatement, seen: set[_Key]
    ) -> cst.BaseSmallStatement | None:
        """``small`` without bindings in ``seen`` (commented aliases stay); None if empty."""
        if not isinstance(small, (cst.Import, cst.ImportFrom)):
            return small
        keys = self.setting.binding_keys(small)
        if isinstance(small.names, cst.ImportStar):
            fresh = keys[0] not in seen
            seen.add(keys[0])
            return small if fresh else None
        kept = []
        for key, alias in zip(keys, small.names):
            if key not in seen or _has_comment(alias):
                kept.append(alias)
            seen.add(key)
        if len(kept) == len(small.names):
            return small
        return _with_names(small, kept) if kept else None

    def _keys(self, lines: Iterable[cst.SimpleStatementLine]) -> set[_Key]:
        imports = [
            small
            for line in lines
            for small in line.body
            if isinstance(small, (cst.Import, cst.ImportFrom))
        ]
        return {key for small in imports for key in self.setting.binding_keys(small)}


# -- the command ---------------------------------------------------------------


class RewriteImportsCommand(VisitorBasedCodemodCommand):
    """Redirect imports of ``old_modules`` to ``new_module`` and apply class renames.

    Handles ``from m import A`` (parenthesised, aliased, starred, relative, lazy,
    under ``try`` or ``if TYPE_CHECKING``), ``import m [as mm]`` with its ``m.A``
    uses, and package paths (``from app.models import user``). A renamed class is
    imported under its new name and its uses follow, unless the new name is taken
    or the old one is listed in ``__all__``: then the import keeps the old name
    with ``as``. Files that import no old module are skipped, byte for byte.
    """

    DESCRIPTION: str = (
        "Redirect imports of the old model modules to the unified module."
    )

    METADATA_DEPENDENCIES = (
        ScopeProvider,
        ParentNodeProvider,
        PositionProvider,
        QualifiedNameProvider,
    )

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--old-module",
            dest="old_modules",
            action="append",
            required=True,
            metavar="MODULE",
            help="Absolute dotted name of a module whose imports move (repeatable).",
        )
        arg_parser.add_argument(
            "--new-module",
            dest="new_module",
            required=True,
            metavar="MODULE",
            help="Absolute dotted name of the unified module the imports now read.",
        )
        arg_parser.add_argument(
            "--rename",
            dest="renames",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="A class renamed by the merge, e.g. MVPUser=User (repeatable).",
        )

    def __init__(
        self,
        context: CodemodContext,
        old_modules: Sequence[str],
        new_module: str,
        renames: Sequence[str] | Mapping[str, str] = (),
    ) -> None:
        super().__init__(context)
        self.old_modules = _check_modules(old_modules, new_module)
        self.new_module = new_module
        self.renames = _parse_renames(renames)
        self._edits = _Edits()
        self._tidier = _BlockTidier(_Setting.of(self), self._edits)

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """Skip files that cannot name an old module before computing any metadata."""
        code = tree.code
        if not any(module.rpartition(".")[2] in code for module in self.old_modules):
            raise SkipFile("imports none of the old modules")
        return super().transform_module(tree)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Plan every edit on the original tree, then apply them in one walk."""
        setting = _Setting.of(self)
        scopes = {scope for scope in self.metadata[ScopeProvider].values() if scope}
        planner = _Planner(
            setting, self.get_metadata, self.warn, scopes, _dunder_all(tree)
        )
        collector = _Collector()
        tree.visit(collector)
        self._edits = planner.plan(collector.nodes)
        if not self._edits.statements:
            raise SkipFile("imports none of the old modules")
        self._tidier = _BlockTidier(setting, self._edits)
        return tree.visit(self)

    # -- stage 2: swapping nodes -----------------------------------------------

    def leave_Name(
        self, original_node: cst.Name, updated_node: cst.Name
    ) -> cst.BaseExpression:
        return self._edits.expressions.get(original_node, updated_node)

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if original_node in self._edits.expressions:
            return self._edits.expressions[original_node]
        new_attr = self._edits.attributes.get(original_node)
        if new_attr is None:
            return updated_node
        return updated_node.with_changes(
            attr=updated_node.attr.with_changes(value=new_attr)
        )

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        edits = self._edits.strings.get(original_node)
        if not edits:
            return updated_node
        return updated_node.with_changes(value=_edit_text(updated_node.value, edits))

    def leave_SimpleStatementSuite(
        self,
        original_node: cst.SimpleStatementSuite,
        updated_node: cst.SimpleStatementSuite,
    ) -> cst.SimpleStatementSuite:
        """One-line bodies (``if TYPE_CHECKING: from m import A``): replace in place."""
        if not any(small in self._edits.statements for small in original_node.body):
            return updated_node
        body = self._tidier.replace_small(original_node.body, updated_node.body)
        return updated_node.with_changes(body=body or [cst.Pass()])

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, comments = self._tidier.tidy(original_node.body, updated_node.body)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()], leading_lines=comments)]
            comments = []
        return updated_node.with_changes(
            body=body, footer=[*comments, *updated_node.footer]
        )

    def leave_Module(
        self, original_node: cst.Module, updated_node: cst.Module
    ) -> cst.Module:
        body, comments = self._tidier.tidy(original_node.body, updated_node.body)
        return updated_node.with_changes(
            body=body, footer=[*comments, *updated_node.footer]
        )
