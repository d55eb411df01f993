"""Column type expressions: normalising what people write, and comparing them."""

from __future__ import annotations

import ast
import re

_PREFIX = re.compile(r"^(?:[A-Za-z_][\w]*\.)+(?=[A-Za-z_]\w*(?:\(|$))")

# Python annotation -> the SQLAlchemy type 2.0's default type map picks.
_PY_TO_SQL = {
    "int": "Integer",
    "str": "String",
    "bool": "Boolean",
    "float": "Float",
    "bytes": "LargeBinary",
    "dict": "JSON",
    "list": "JSON",
    "datetime": "DateTime",
    "datetime.datetime": "DateTime",
    "date": "Date",
    "datetime.date": "Date",
    "time": "Time",
    "timedelta": "Interval",
    "Decimal": "Numeric",
    "decimal.Decimal": "Numeric",
    "UUID": "Uuid",
    "uuid.UUID": "Uuid",
}

_FAMILIES = {
    "integer": {"Integer", "BigInteger", "SmallInteger", "INT", "INTEGER", "BIGINT", "SMALLINT"},
    "string": {
        "String", "Text", "Unicode", "UnicodeText", "VARCHAR", "CHAR", "NVARCHAR",
        "NCHAR", "TEXT", "CLOB", "CITEXT",
    },
    "uuid": {"UUID", "Uuid", "GUID"},
    "boolean": {"Boolean", "BOOLEAN"},
    "float": {"Float", "Numeric", "DECIMAL", "NUMERIC", "REAL", "FLOAT", "Double"},
    "datetime": {"DateTime", "TIMESTAMP", "DATETIME"},
    "date": {"Date", "DATE"},
    "json": {"JSON", "JSONB"},
}
_FAMILY_OF = {name: fam for fam, names in _FAMILIES.items() for name in names}


def normalise_type(text: str) -> str:
    """``db.String(36)`` -> ``String(36)``; ``sa.types.Integer`` -> ``Integer``."""
    text = text.strip()
    return _PREFIX.sub("", text)


def type_family(type_text: str | None) -> str | None:
    """The comparable family of a type (``String(36)`` -> ``string``), or None."""
    if not type_text:
        return None
    head = type_text.split("(", 1)[0].strip()
    return _FAMILY_OF.get(head)


def _strip_optional(node: ast.AST) -> tuple[ast.AST, bool]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return node, False
    if isinstance(node, ast.Subscript):
        head = ast.unparse(node.value)
        if head in ("Optional", "typing.Optional"):
            return _strip_optional(node.slice)[0], True
        if head in ("Union", "typing.Union") and isinstance(node.slice, ast.Tuple):
            elts = [e for e in node.slice.elts if ast.unparse(e) != "None"]
            if len(elts) == 1:
                return _strip_optional(elts[0])[0], True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if ast.unparse(s) != "None"]
        if len(sides) == 1:
            return _strip_optional(sides[0])[0], True
    return node, False


def annotation_type(annotation: ast.AST) -> tuple[str | None, bool | None]:
    """SQL type and nullability implied by ``Mapped[Optional[int]]``.

    Returns (type or None, nullable or None when the annotation says nothing).
    """
    node = annotation
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None, None
    if not isinstance(node, ast.Subscript):
        return None, None
    inner, optional = _strip_optional(node.slice)
    text = ast.unparse(inner)
    return _PY_TO_SQL.get(text), optional
