"""Per-file facts, extracted with the stdlib ``ast`` in one walk.

Everything here is about one file and needs no other file: which names it
binds at module level, which classes it defines (with columns and
relationships as written), which imports it makes and where, which string
references and dynamic imports it holds. Cross-file meaning (is this class a
model?) is decided later, in :mod:`unify.inventory`. Facts are frozen, plain
data, so they can be cached by blob id and computed in worker processes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from unify.sqltypes import annotation_type, normalise_type

#: SQLAlchemy calls that declare a relationship: ``relation`` is its old alias (before 2.0),
#: ``dynamic_loader`` the same with ``lazy="dynamic"``.
RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "dynamic_loader"})


@dataclass(frozen=True)
class ColumnFact:
    name: str  # attribute name
    line: int
    type: str | None  # normalised, e.g. "String(36)"; None when not stated
    primary_key: bool = False
    nullable: bool | None = None
    unique: bool = False
    foreign_key: str | None = None  # "table.column" as written
    db_name: str | None = None  # Column("db_name", ...) when it differs
    index: bool = False  # index=True
    default: str | None = None  # source text of default=... (a Python-side default)
    server_default: str | None = None  # source text of server_default=...


@dataclass(frozen=True)
class RelationshipFact:
    name: str
    line: int
    target: str | None  # class name (last dotted part) or None if unknown
    back_populates: str | None = None
    backref: str | None = None
    secondary: str | None = None
    foreign_keys: str | None = None
    primaryjoin: bool = False
    viewonly: bool = False


@dataclass(frozen=True)
class CallFact:
    """A class attribute assigned from a call unify does not know: a project helper
    (``reference_col("users")``) to follow later, or something it cannot evaluate."""

    name: str  # attribute name
    line: int
    func: str  # dotted name of the callee as written ("reference_col"), "" if not a name
    source: str  # source text of the call
    annotation: str | None = None  # source text of the annotation, if any
    declared_attr: bool = False  # a @declared_attr method whose result this is


@dataclass(frozen=True)
class HelperFact:
    """A module-level function whose return expression is a Column / mapped_column /
    relationship call: its parameters and the returned call, to substitute them in."""

    name: str
    line: int
    params: tuple[str, ...]  # positional-or-keyword parameter names, in order
    defaults: tuple[tuple[str, str], ...]  # (parameter, source text of its default)
    returns: str  # source text of the returned call


@dataclass(frozen=True)
class ClassFact:
    name: str
    line: int
    end_line: int
    bases: tuple[str, ...]  # source text of each base expression
    keywords: tuple[tuple[str, str], ...]  # class keywords, e.g. ("table", "True")
    docstring: str | None
    tablename: str | None
    tablename_dynamic: bool  # @declared_attr __tablename__
    abstract: bool
    table_args: str | None
    schema: str | None
    columns: tuple[ColumnFact, ...]
    relationships: tuple[RelationshipFact, ...]
    names_used: tuple[str, ...]  # names loaded in the body (helper closure)
    in_except: bool = False  # defined inside an `except` block (a fallback)
    calls: tuple[CallFact, ...] = ()  # attributes from calls to follow or not evaluable


@dataclass(frozen=True)
class AssignFact:
    name: str
    line: int
    value: str  # source text of the right-hand side
    in_except: bool = False


@dataclass(frozen=True)
class TableFact:
    name: str  # the table name ("user_roles")
    variable: str  # the Python name it is bound to
    line: int
    columns: tuple[ColumnFact, ...]
    schema: str | None = None


@dataclass(frozen=True)
class ImportFact:
    line: int
    kind: str  # "import" | "from"
    module: str  # as written, leading dots included for relative imports
    level: int
    names: tuple[tuple[str, str | None], ...]  # (name, asname); ("*", None) for star
    scope: str  # "module" | "function" | "class"
    in_try: bool = False  # inside `try:` guarded by an ImportError handler
    in_except: bool = False  # inside the `except` block itself
    type_checking: bool = False

    @property
    def star(self) -> bool:
        return self.names == (("*", None),)


@dataclass(frozen=True)
class StringRefFact:
    line: int
    kind: str  # relationship | foreign_key | back_populates | backref | secondary
    value: str


@dataclass(frozen=True)
class DynamicImportFact:
    line: int
    call: str  # "importlib.import_module" | "__import__"
    argument: str  # source text of the first argument
    literal: str | None  # the module name when the argument is a string literal


@dataclass(frozen=True)
class ModuleFacts:
    path: str
    classes: tuple[ClassFact, ...] = ()
    assigns: tuple[AssignFact, ...] = ()
    tables: tuple[TableFact, ...] = ()
    functions: tuple[tuple[str, int], ...] = ()
    helpers: tuple[HelperFact, ...] = ()  # functions returning a column or relationship
    imports: tuple[ImportFact, ...] = ()
    string_refs: tuple[StringRefFact, ...] = ()
    dynamic_imports: tuple[DynamicImportFact, ...] = ()
    dunder_all: tuple[str, ...] | None = None
    #: (line, "pkg.sub.Name") dotted chains whose root an import binds: uses of a
    #: submodule through its package (`from app import user; user.models.User`)
    attribute_uses: tuple[tuple[int, str], ...] = ()
    stored_names: tuple[str, ...] = ()  # every other name bound at module level
    docstring: str | None = None
    error: tuple[int, str, str] | None = field(default=None)  # (line, message, hint)


# --------------------------------------------------------------------------
# small AST helpers


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def call_name(node: ast.AST) -> str | None:
    """Last component of a call's function: ``db.Column(...)`` -> ``Column``."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def kwarg(call: ast.Call, name: str) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def const_bool(node: ast.AST | None) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


# --------------------------------------------------------------------------
# columns and relationships


def _fk_target(node: ast.AST) -> str | None:
    if call_name(node) == "ForeignKey" and node.args:  # type: ignore[attr-defined]
        arg = node.args[0]  # type: ignore[attr-defined]
        return const_str(arg) or ast.unparse(arg)
    return None


def column_from_call(
    name: str, line: int, call: ast.Call, annotation: ast.AST | None
) -> ColumnFact:
    type_text = None
    fk = None
    db_name = None
    for i, arg in enumerate(call.args):
        target = _fk_target(arg)
        if target is not None:
            fk = fk or target
        elif i == 0 and const_str(arg) is not None:
            db_name = const_str(arg)
        elif type_text is None and call_name(arg) not in ("Sequence", "Identity", "Computed"):
            type_text = normalise_type(ast.unparse(arg))
    nullable = const_bool(kwarg(call, "nullable"))
    if annotation is not None:
        ann_type, optional = annotation_type(annotation)
        type_text = type_text or ann_type
        if nullable is None and optional is not None:
            nullable = optional
    return ColumnFact(
        name=name,
        line=line,
        type=type_text,
        primary_key=bool(const_bool(kwarg(call, "primary_key"))),
        nullable=nullable,
        unique=bool(const_bool(kwarg(call, "unique"))),
        foreign_key=fk,
        db_name=db_name if db_name != name else None,
        index=bool(const_bool(kwarg(call, "index"))),
        default=_source(kwarg(call, "default")),
        server_default=_source(kwarg(call, "server_default")),
    )


def _source(node: ast.AST | None) -> str | None:
    return None if node is None else ast.unparse(node)


_CONTAINERS = {
    "Mapped", "List", "list", "Set", "set", "Optional", "DynamicMapped",
    "WriteOnlyMapped", "Sequence", "Collection", "Iterable", "Dict", "dict",
    "typing.List", "typing.Optional", "Union",
}


def _annotation_target(node: ast.AST | None) -> str | None:
    """The class a ``Mapped[List["Booking"]]`` annotation points at."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _annotation_target(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return node.value.strip("'\"")
    if isinstance(node, ast.Subscript):
        return _annotation_target(node.slice)
    if isinstance(node, ast.Tuple):  # Dict[str, "X"] -> last
        return _annotation_target(node.elts[-1]) if node.elts else None
    if isinstance(node, ast.BinOp):  # "X" | None
        left = _annotation_target(node.left)
        return left if left not in (None, "None") else _annotation_target(node.right)
    text = dotted(node)
    if text is None or text in _CONTAINERS or text == "None":
        return None
    return text.rsplit(".", 1)[-1]


def _name_arg(node: ast.AST | None) -> str | None:
    """A string or ``backref("x", ...)`` or a Name, as text."""
    if node is None:
        return None
    if isinstance(node, ast.Call) and call_name(node) == "backref" and node.args:
        return const_str(node.args[0])
    if isinstance(node, ast.Lambda):
        return _name_arg(node.body)
    value = const_str(node)
    if value is not None:
        return value
    return dotted(node) or ast.unparse(node)


def relationship_from_call(
    name: str, line: int, call: ast.Call, annotation: ast.AST | None
) -> RelationshipFact:
    target = _name_arg(call.args[0]) if call.args else None
    if target is None:
        target = _annotation_target(annotation)
    elif "." in target and not target.startswith("_"):
        target = target.rsplit(".", 1)[-1]
    foreign_keys = kwarg(call, "foreign_keys")
    return RelationshipFact(
        name=name,
        line=line,
        target=target,
        back_populates=const_str(kwarg(call, "back_populates")),
        backref=_name_arg(kwarg(call, "backref")),
        secondary=_name_arg(kwarg(call, "secondary")),
        foreign_keys=ast.unparse(foreign_keys) if foreign_keys is not None else None,
        primaryjoin=kwarg(call, "primaryjoin") is not None,
        viewonly=bool(const_bool(kwarg(call, "viewonly"))),
    )


# --------------------------------------------------------------------------
# classes


def _schema_from_table_args(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[-1]
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if const_str(key) == "schema":
                return const_str(value)
    return None


def _class_member(stmt: ast.stmt) -> tuple[str, ast.AST | None, ast.AST | None] | None:
    """(name, value, annotation) for a simple class-level assignment."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            return target.id, stmt.value, None
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value, stmt.annotation
    return None


def _is_declared_attr(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    # declared_attr, orm.declared_attr, declared_attr.directive / .cascading
    return any("declared_attr" in (dotted(d) or "").split(".") for d in func.decorator_list)


#: Calls in a class body that are known not to add a table column (or that the
#: extractor reads through), so they make nothing unknown.
NOT_COLUMNS = frozenset({
    "column_property", "synonym", "association_proxy", "composite", "query_expression",
    "hybrid_property", "validates", "deferred", "backref", "Index", "UniqueConstraint",
    "CheckConstraint", "PrimaryKeyConstraint", "ForeignKeyConstraint",
    "frozenset", "set", "dict", "list", "tuple", "str", "int", "float", "bool", "object",
    "property", "staticmethod", "classmethod", "compile", "getLogger", "namedtuple",
    "MetaData", "registry", "query_property",
})
#: Declarative attributes that configure the mapping and are never columns.
NOT_COLUMN_NAMES = frozenset({"metadata", "registry", "type_annotation_map", "query",
                              "query_class"})
MEMBER_CALLS = frozenset({"Column", "mapped_column"}) | RELATIONSHIP_CALLS


def _returned_call(func: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    """The call a function ends by returning (``return Column(...)``), if it does."""
    last = func.body[-1] if func.body else None
    if isinstance(last, ast.Return) and isinstance(last.value, ast.Call):
        return last.value
    return None


def helper_fact(func: ast.FunctionDef | ast.AsyncFunctionDef) -> HelperFact | None:
    """The function as a column helper, if what it returns is a member call."""
    call = _returned_call(func)
    if call is None or call_name(call) not in MEMBER_CALLS:
        return None
    args = func.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    defaults = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    defaults += [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return HelperFact(
        name=func.name,
        line=func.lineno,
        params=tuple(positional + [a.arg for a in args.kwonlyargs]),
        defaults=tuple((name, ast.unparse(node)) for name, node in defaults),
        returns=ast.unparse(call),
    )


def _call_fact(name: str, line: int, call: ast.Call, annotation: ast.AST | None,
               declared: bool = False) -> CallFact:
    return CallFact(name, line, dotted(call.func) or "", ast.unparse(call),
                    ast.unparse(annotation) if annotation is not None else None, declared)


def _declared_member(stmt: ast.FunctionDef | ast.AsyncFunctionDef):
    """A @declared_attr method: its column / relationship, or a CallFact to follow."""
    call = _returned_call(stmt)
    name, line = stmt.name, stmt.lineno
    if call is not None and call_name(call) in ("Column", "mapped_column"):
        return column_from_call(name, line, call, stmt.returns)
    if call is not None and call_name(call) in RELATIONSHIP_CALLS:
        return relationship_from_call(name, line, call, stmt.returns)
    if call is not None:
        return _call_fact(name, line, call, stmt.returns, declared=True)
    return CallFact(name, line, "", f"@declared_attr {name}()", None, True)


def class_fact(node: ast.ClassDef, in_except: bool) -> ClassFact:
    tablename = None
    tablename_dynamic = False
    abstract = False
    table_args = None
    schema = None
    columns: list[ColumnFact] = []
    relationships: list[RelationshipFact] = []
    calls: list[CallFact] = []
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name == "__tablename__" and _is_declared_attr(stmt):
                tablename_dynamic = True
            elif _is_declared_attr(stmt) and not stmt.name.startswith("__"):
                member = _declared_member(stmt)
                {ColumnFact: columns, RelationshipFact: relationships,
                 CallFact: calls}[type(member)].append(member)
            continue
        member = _class_member(stmt)
        if member is None:
            continue
        name, value, annotation = member
        if name == "__tablename__":
            tablename = const_str(value)
            tablename_dynamic = tablename is None
        elif name == "__abstract__":
            abstract = bool(const_bool(value))
        elif name == "__table_args__" and value is not None:
            table_args = ast.unparse(value)
            schema = _schema_from_table_args(value)
        elif isinstance(value, ast.Call) and call_name(value) in ("Column", "mapped_column"):
            columns.append(column_from_call(name, stmt.lineno, value, annotation))
        elif isinstance(value, ast.Call) and call_name(value) in RELATIONSHIP_CALLS:
            relationships.append(relationship_from_call(name, stmt.lineno, value, annotation))
        elif value is None and annotation is not None and _is_mapped_column(annotation):
            ann_type, optional = annotation_type(annotation)
            columns.append(ColumnFact(name, stmt.lineno, ann_type, nullable=optional))
        elif isinstance(value, ast.Call) and call_name(value) == "deferred" and value.args \
                and call_name(value.args[0]) in ("Column", "mapped_column"):
            columns.append(column_from_call(name, stmt.lineno, value.args[0], annotation))
        elif isinstance(value, ast.Call) and call_name(value) not in NOT_COLUMNS \
                and not name.startswith("__") and name not in NOT_COLUMN_NAMES:
            calls.append(_call_fact(name, stmt.lineno, value, annotation))
    used = sorted(
        {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    )
    return ClassFact(
        name=node.name,
        line=node.lineno,
        end_line=node.end_lineno or node.lineno,
        bases=tuple(ast.unparse(b) for b in node.bases),
        keywords=tuple((k.arg or "**", ast.unparse(k.value)) for k in node.keywords),
        docstring=ast.get_docstring(node),
        tablename=tablename,
        tablename_dynamic=tablename_dynamic,
        abstract=abstract,
        table_args=table_args,
        schema=schema,
        columns=tuple(columns),
        relationships=tuple(relationships),
        names_used=tuple(used),
        in_except=in_except,
        calls=tuple(calls),
    )


def _is_mapped_column(annotation: ast.AST) -> bool:
    """``x: Mapped[int]`` with no value is a column; ``ClassVar`` etc. are not."""
    head = annotation.value if isinstance(annotation, ast.Subscript) else None
    if head is None or dotted(head) not in ("Mapped", "orm.Mapped", "sqlalchemy.orm.Mapped"):
        return False
    return _annotation_target(annotation) is None or annotation_type(annotation)[0] is not None


def table_fact(variable: str, line: int, call: ast.Call) -> TableFact | None:
    if not call.args or const_str(call.args[0]) is None:
        return None
    columns = []
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and call_name(arg) == "Column" and arg.args:
            col_name = const_str(arg.args[0])
            if col_name:
                columns.append(column_from_call(col_name, arg.lineno, arg, None))
    schema = const_str(kwarg(call, "schema"))
    return TableFact(const_str(call.args[0]) or variable, variable, line, tuple(columns), schema)
