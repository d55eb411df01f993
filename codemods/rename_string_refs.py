"""Rename the class and table names that SQLAlchemy holds in string literals.

``python -m libcst.tool codemod rename_string_refs.RenameStringRefsCommand
--rename-class MVPUser=User --fix-foreign-key organizations.id=organization.id
--rename-table organizations=organization FILES``

Only strings that SQLAlchemy resolves by name are rewritten:

* ``relationship("MVPUser")`` (also ``argument=``, and its aliases ``relation`` and
  ``dynamic_loader``): the target class;
* ``primaryjoin=``, ``secondaryjoin=``, ``foreign_keys=``, ``order_by=`` and
  ``remote_side=`` of ``relationship``/``backref``: class-name tokens, and
  table names used as ``table.c.column``;
* ``secondary=`` of ``relationship``/``backref``: the association table;
* ``ForeignKey("organizations.id")`` and the ``refcolumns`` of
  ``ForeignKeyConstraint``: exact fixes first, otherwise table renames.

Names of definitions (``Table("name")``, ``__tablename__``), attribute names
(``backref("name")``, ``back_populates=``), comments, docstrings, f-strings,
bytes and implicitly concatenated strings are never touched. Renames apply
simultaneously, so ``A=B`` with ``B=A`` swaps. A file with nothing to rename
comes back as the very tree ``transform_module_impl`` was given, byte-identical.
"""

from __future__ import annotations

import argparse
import keyword
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Union

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

Pairs = Union[Sequence[str], Mapping[str, str]]
Rewrite = Callable[[str], str]

EXPRESSION_KWARGS = frozenset(
    {"primaryjoin", "secondaryjoin", "foreign_keys", "order_by", "remote_side"}
)
# An escape sequence (consumed whole, so "\nUser" is not read as "nUser"), or a
# name with the dot before it, if any: ".User" is an attribute and matches no key.
TOKEN = re.compile(r"\\.|\.?[^\W\d]\w*")


def is_class_name(name: object) -> bool:
    """A Python identifier that is not a keyword: what a class can be called."""
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def is_table_name(name: object) -> bool:
    """A plain (unquoted, undotted) SQL table name."""
    return isinstance(name, str) and name.isidentifier()


def is_fk_target(name: object) -> bool:
    """``table.column`` or ``schema.table.column``."""
    if not isinstance(name, str):
        return False
    parts = name.split(".")
    return len(parts) in (2, 3) and all(map(is_table_name, parts))


def split_pair(arg: str, item: object) -> tuple[str, str]:
    """``"OLD=NEW"`` -> ``("OLD", "NEW")``; ``ValueError`` naming *arg* otherwise."""
    if not isinstance(item, str) or item.count("=") != 1:
        raise ValueError(f"{arg}: expected OLD=NEW, got {item!r}")
    old, _, new = item.partition("=")
    return old.strip(), new.strip()


def parse_pairs(
    arg: str, value: Pairs, check: Callable[[object], bool], what: str
) -> dict[str, str]:
    """Validate ``["OLD=NEW", ...]`` or ``{OLD: NEW}`` into a dict, or raise ``ValueError``."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{arg}: expected a list of OLD=NEW strings, got {value!r}")
    items: Iterable[tuple[object, object]] = (
        value.items()
        if isinstance(value, Mapping)
        else (split_pair(arg, v) for v in value)
    )
    pairs: dict[str, str] = {}
    for old, new in items:
        for name in (old, new):
            if not check(name):
                raise ValueError(f"{arg}: {name!r} is not {what} (in {old}={new})")
        if old == new:
            raise ValueError(f"{arg}: {old}={new} renames {old!r} to itself")
        if pairs.setdefault(old, new) != new:
            raise ValueError(
                f"{arg}: {old!r} is given two new names, {pairs[old]!r} and {new!r}"
            )
    return pairs


def callee_name(func: cst.BaseExpression) -> str | None:
    """``relationship`` for ``relationship``, ``db.relationship`` and ``sa.orm.relationship``."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def keyword_of(arg: cst.Arg) -> str | None:
    """The keyword an argument is passed by, or ``None`` if it is positional."""
    return arg.keyword.value if arg.keyword is not None else None


def is_positional(arg: cst.Arg, index: int, position: int) -> bool:
    """Whether *arg*, the *index*-th argument, is plainly the *position*-th positional one."""
    return index == position and arg.keyword is None and not arg.star


def text_of(node: cst.BaseExpression) -> str | None:
    """The source text between the quotes of a plain (non-bytes, non-f) string literal."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        return node.raw_value
    return None


class RenameStringRefsCommand(VisitorBasedCodemodCommand):
    """Rename classes and tables inside the string references SQLAlchemy resolves by name.

    Quote style and prefix of every literal are kept. A dotted relationship
    target (``"mvp_models.MVPUser"``) whose last part is renamed becomes the
    bare new class name, with a warning, since its module path is stale after
    the merge.
    """

    DESCRIPTION: str = (
        "Rename class and table names in SQLAlchemy string references: "
        "relationship targets and join expressions, ForeignKey targets, secondary tables."
    )

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        """Add ``--rename-class``, ``--fix-foreign-key`` and ``--rename-table`` (all repeatable)."""
        arg_parser.add_argument(
            "--rename-class",
            dest="rename_class",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="Rename a model class in relationship() targets and join strings. Repeatable.",
        )
        arg_parser.add_argument(
            "--fix-foreign-key",
            dest="fix_foreign_key",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="Replace an exact ForeignKey target, e.g. organizations.id=organization.id "
            "(table.column or schema.table.column); wins over --rename-table. Repeatable.",
        )
        arg_parser.add_argument(
            "--rename-table",
            dest="rename_table",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="Rename a table in ForeignKey targets, secondary= and TABLE.c.COLUMN in "
            "join strings; table definitions are left alone. Repeatable.",
        )

    def __init__(
        self,
        context: CodemodContext,
        rename_class: Pairs = (),
        fix_foreign_key: Pairs = (),
        rename_table: Pairs = (),
    ) -> None:
        """Validate the three mappings; raise ``ValueError`` naming the bad argument."""
        super().__init__(context)
        self.classes = parse_pairs(
            "rename_class", rename_class, is_class_name, "a class name"
        )
        self.fk_fixes = parse_pairs(
            "fix_foreign_key",
            fix_foreign_key,
            is_fk_target,
            "table.column or schema.table.column",
        )
        self.tables = parse_pairs(
            "rename_table", rename_table, is_table_name, "a table name"
        )
        if not (self.classes or self.fk_fixes or self.tables):
            raise ValueError(
                "rename_class, fix_foreign_key, rename_table: nothing to do, give at least one"
            )
        self.changes = 0

    # -- the walk ------------------------------------------------------------

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """Walk once; hand back *tree* itself when nothing was renamed."""
        self.changes = 0
        updated = super().transform_module_impl(tree)
        return updated if self.changes else tree

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """Rewrite the arguments of the SQLAlchemy calls that hold string references."""
        rewrite_arg = {
            "relationship": self.relationship_arg,
            "relation": self.relationship_arg,  # its alias before SQLAlchemy 2.0
            "dynamic_loader": self.relationship_arg,
            "backref": self.backref_arg,
            "ForeignKey": self.foreign_key_arg,
            "ForeignKeyConstraint": self.fk_constraint_arg,
        }.get(callee_name(updated_node.func) or "")
        if rewrite_arg is None:
            return updated_node
        args = [rewrite_arg(index, arg) for index, arg in enumerate(updated_node.args)]
        return updated_node.with_changes(args=args)

    def relationship_arg(self, index: int, arg: cst.Arg) -> cst.Arg:
        """The target class (first positional or ``argument=``), then the keywords."""
        if is_positional(arg, index, 0) or keyword_of(arg) == "argument":
            return self.replace(arg, self.rename_target)
        return self.backref_arg(index, arg)

    def backref_arg(self, index: int, arg: cst.Arg) -> cst.Arg:
        """Join-expression keywords and ``secondary=``; the backref name is not a reference."""
        name = keyword_of(arg)
        if name in EXPRESSION_KWARGS:
            return self.replace(arg, self.rename_tokens)
        if name == "secondary":
            return self.replace(arg, self.rename_secondary)
        return arg

    def foreign_key_arg(self, index: int, arg: cst.Arg) -> cst.Arg:
        """``ForeignKey("table.column")`` (first positional or ``column=``)."""
        if is_positional(arg, index, 0) or keyword_of(arg) == "column":
            return self.replace(arg, self.retarget_foreign_key)
        return arg

    def fk_constraint_arg(self, index: int, arg: cst.Arg) -> cst.Arg:
        """Each string of ``ForeignKeyConstraint(columns, refcolumns)``'s list or tuple."""
        if not (is_positional(arg, index, 1) or keyword_of(arg) == "refcolumns"):
            return arg
        if not isinstance(arg.value, (cst.List, cst.Tuple)):
            return arg
        elements = [
            element.with_changes(
                value=self.replace_string(element.value, self.retarget_foreign_key)
            )
            for element in arg.value.elements
        ]
        return arg.with_changes(value=arg.value.with_changes(elements=elements))

    # -- literals ------------------------------------------------------------

    def replace(self, arg: cst.Arg, rewrite: Rewrite) -> cst.Arg:
        """*arg* with its string value passed through *rewrite*."""
        value = self.replace_string(arg.value, rewrite)
        return arg if value is arg.value else arg.with_changes(value=value)

    def replace_string(
        self, node: cst.BaseExpression, rewrite: Rewrite
    ) -> cst.BaseExpression:
        """A plain string literal with new text and the same prefix and quotes, else *node*."""
        text = text_of(node)
        if text is None:
            return node
        new = rewrite(text)
        if new == text:
            return node
        assert isinstance(node, cst.SimpleString)
        self.changes += 1
        prefix = node.value[: len(node.prefix)]  # node.prefix is lower-cased
        return node.with_changes(value=f"{prefix}{node.quote}{new}{node.quote}")

    # -- the renames, on the text inside the quotes --------------------------

    def rename_target(self, text: str) -> str:
        """``MVPUser`` -> ``User``; ``mvp_models.MVPUser`` -> ``User`` with a warning."""
        if text in self.classes:
            return self.classes[text]
        module, dot, name = text.rpartition(".")
        if (
            not dot
            or name not in self.classes
            or not all(map(is_class_name, text.split(".")))
        ):
            return text
        new = self.classes[name]
        self.warn(
            f"relationship({text!r}) now targets {new!r}: "
            f"the module path {module!r} is dropped, it will be stale after the merge"
        )
        return new

    def rename_tokens(self, text: str) -> str:
        """Rename whole class-name tokens, and table names used as ``table.c.column``."""

        def token(match: re.Match[str]) -> str:
            word = match.group()  # ".name" and escapes are never keys: kept as they are
            if text.startswith(".c.", match.end()) and word in self.tables:
                return self.tables[word]
            return self.classes.get(word, word)

        return TOKEN.sub(token, text)

    def rename_secondary(self, text: str) -> str:
        """``secondary="user_roles"`` or ``"schema.user_roles"``: rename the table."""
        schema, dot, table = text.rpartition(".")
        if table not in self.tables or not all(map(is_table_name, text.split("."))):
            return text
        return f"{schema}{dot}{self.tables[table]}"

    def retarget_foreign_key(self, text: str) -> str:
        """An exact fix if one is given, otherwise ``[schema.]table.column`` with the table renamed."""
        if text in self.fk_fixes:
            return self.fk_fixes[text]
        if not is_fk_target(text):
            return text
        *head, table, column = text.split(".")
        return ".".join([*head, self.tables.get(table, table), column])
