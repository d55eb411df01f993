"""`unify check --database URL`: the models against the schema of a live database.

:func:`read_schema` reads the database through SQLAlchemy's inspector into a
:class:`LiveSchema` (plain data); :func:`compare` sets it against the static
inventory and returns U401..U411 diagnostics. SQLAlchemy is imported only when
a database is read, so unify's core does not need it (``pip install
'unify-models[db]'``). The URL's password never leaves :func:`read_schema`:
what is shown is the URL without it, and driver messages are scrubbed.
"""

from __future__ import annotations

import ast
import re
import sqlite3
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from unify.diagnostics import Diagnostic
from unify.errors import InputError
from unify.masking import mask
from unify.facts import ColumnFact, call_name, const_str, dotted
from unify.inventory import Inventory
from unify.sqltypes import type_family

SUPPORTED = ("sqlite", "postgresql")
IGNORED_TABLES = frozenset({"alembic_version"})  # migration bookkeeping, never a model
INSTALL = "pip install 'unify-models[db]'"


@dataclass(frozen=True)
class LiveColumn:
    name: str
    type: str  # SQLAlchemy's generic type as code: "String(255)"; "" when unknown
    nullable: bool
    default: str | None  # the server default as the database reports it
    generated: bool = False  # serial / identity / computed: the database fills it


@dataclass(frozen=True)
class LiveForeignKey:
    columns: tuple[str, ...]
    table: str  # the referred table, schema-qualified unless in the default schema
    referred: tuple[str, ...]
    name: str | None = None
    ondelete: str | None = None
    onupdate: str | None = None


@dataclass(frozen=True)
class LiveIndex:
    name: str | None
    columns: tuple[str, ...]
    unique: bool


@dataclass(frozen=True)
class LiveCheck:
    name: str | None
    sqltext: str


@dataclass(frozen=True)
class LiveTable:
    name: str  # schema-qualified unless in the default schema
    columns: tuple[LiveColumn, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[LiveForeignKey, ...] = ()
    uniques: tuple[LiveIndex, ...] = ()  # unique constraints (and the unique indexes behind them)
    indexes: tuple[LiveIndex, ...] = ()  # other indexes, unique or not (no expression indexes)
    checks: tuple[LiveCheck, ...] = ()
    view: bool = False  # a view: only its columns are known

    def column(self, name: str) -> LiveColumn | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class LiveSchema:
    dialect: str
    display: str  # the URL without its password
    default_schema: str | None
    tables: tuple[LiveTable, ...] = field(default=())

    def table(self, name: str) -> LiveTable | None:
        return next((t for t in self.tables if t.name == name), None)

    def canonical(self, table: str) -> str:
        """``public.x`` -> ``x`` when public is the default schema."""
        prefix = f"{self.default_schema}."
        return table[len(prefix):] if self.default_schema and table.startswith(prefix) else table


# -- reading ------------------------------------------------------------------------


def _parse(url_text: str):
    try:
        from sqlalchemy.engine import make_url
    except ImportError:
        raise InputError("--database needs SQLAlchemy, which is not installed", INSTALL) from None
    try:
        return make_url(_quote_raw_at(url_text))
    except Exception:  # its message repeats the URL, password included
        raise InputError("--database is not a database URL",
                         "e.g. sqlite:///app.db or postgresql://user:password@host:5432/name"
                         ) from None


def _quote_raw_at(url_text: str) -> str:
    """``user:p@ss@host``: the host starts after the last ``@`` (as in libpq), so the
    password's own ``@`` is quoted instead of being read as part of the host."""
    match = re.match(r"([^:/?#]+://)([^/?#]*)(.*)", url_text, re.DOTALL)
    if not match or match[2].count("@") < 2:
        return url_text
    userinfo, _, host = match[2].rpartition("@")
    user, sep, password = userinfo.partition(":")
    return f"{match[1]}{user}{sep}{urllib.parse.quote(password, safe='')}@{host}{match[3]}"


def _secrets(url) -> list[str]:
    found = [url.password] if url.password else []
    for key, value in url.query.items():
        if re.search(r"pass|pwd|secret", key, re.IGNORECASE):
            found += [value] if isinstance(value, str) else list(value)
    secrets = set()
    for secret in filter(None, found):
        secrets |= {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    return sorted(secrets, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return mask(text)


def read_schema(url_text: str, schemas: Iterable[str] = ()) -> LiveSchema:
    """Every table of the default schema (and of ``schemas``), read with SQLAlchemy's inspector.

    Bad input (unparsable URL, unsupported dialect, missing driver or file,
    unreachable server, wrong password) raises :class:`InputError` with one line.
    """
    url = _parse(url_text)
    secrets = _secrets(url)
    shown = _scrub(url.render_as_string(hide_password=True), secrets)
    engine = _engine(url, shown)
    try:
        with engine.connect() as conn:
            return _read(conn, url.get_backend_name(), shown, schemas)
    except InputError:
        raise
    except Exception as exc:  # driver and SQL errors: one line, password scrubbed
        orig = getattr(exc, "orig", None) or exc
        lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
        reason = _scrub(lines[0] if lines else type(orig).__name__, secrets)
        raise InputError(f"cannot read the database {shown}: {reason}",
                         "check the host, port, database name, user and password in --database"
                         ) from None
    finally:
        engine.dispose()


def _engine(url, shown: str):
    import sqlalchemy

    backend = url.get_backend_name()
    if backend not in SUPPORTED:
        raise InputError(f"unsupported database dialect {backend!r} in --database {shown}",
                         "unify reads sqlite:///FILE and postgresql://... URLs")
    if backend == "sqlite":
        path = _sqlite_file(url)
        uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"  # read-only: nothing is written
        return sqlalchemy.create_engine("sqlite://",
                                        creator=lambda: sqlite3.connect(uri, uri=True))
    url = _postgres_driver(url)
    try:
        return sqlalchemy.create_engine(url, connect_args={"connect_timeout": 10})
    except ImportError:
        raise InputError(f"the {url.get_driver_name()} driver for --database is not installed",
                         INSTALL) from None


def _sqlite_file(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise InputError("the sqlite URL in --database names no database file",
                         "e.g. sqlite:///instance/app.db (relative to the current folder)")
    path = Path(url.database).expanduser()
    if not path.is_file():
        raise InputError(f"{url.database}: no such SQLite database file",
                         "check the path in --database; a relative path starts at the "
                         "current folder")
    return path.resolve()


def _postgres_driver(url):
    """``postgresql://`` means psycopg2 to SQLAlchemy; use psycopg (3) when only it is here."""
    if url.drivername != "postgresql":
        return url
    for module, driver in (("psycopg2", "postgresql+psycopg2"), ("psycopg", "postgresql+psycopg")):
        try:
            __import__(module)
        except ImportError:
            continue
        return url.set(drivername=driver)
    raise InputError("no PostgreSQL driver is installed (psycopg or psycopg2)", INSTALL)


def _read(conn, dialect: str, shown: str, schemas: Iterable[str]) -> LiveSchema:
    import sqlalchemy

    inspector = sqlalchemy.inspect(conn)
    default = inspector.default_schema_name
    tables = []
    for schema in [None, *sorted({s for s in schemas if s and s != default})]:
        try:
            names = inspector.get_table_names(schema=schema)
        except sqlalchemy.exc.SQLAlchemyError:
            if schema is None:
                raise
            names = []  # a schema the models name and the database does not have
        for name in sorted(names):
            tables.append(_table(inspector, dialect, schema, name, default))
        for name in sorted(inspector.get_view_names(schema=schema)):
            columns = tuple(_column(c) for c in inspector.get_columns(name, schema=schema))
            tables.append(LiveTable(_qualified(schema, name, default), columns, view=True))
    return LiveSchema(dialect, shown, default, tuple(tables))


def _qualified(schema: str | None, name: str, default: str | None) -> str:
    return f"{schema}.{name}" if schema and schema != default else name


def _table(inspector, dialect: str, schema: str | None, name: str, default) -> LiveTable:
    columns = tuple(_column(c) for c in inspector.get_columns(name, schema=schema))
    primary = tuple(inspector.get_pk_constraint(name, schema=schema).get("constrained_columns")
                    or ())
    fks = tuple(
        LiveForeignKey(tuple(fk["constrained_columns"]),
                       _qualified(fk.get("referred_schema"), fk["referred_table"], default),
                       tuple(fk["referred_columns"]), fk.get("name"),
                       (fk.get("options") or {}).get("ondelete"),
                       (fk.get("options") or {}).get("onupdate"))
        for fk in inspector.get_foreign_keys(name, schema=schema)
    )
    uniques = [LiveIndex(u.get("name"), tuple(u["column_names"]), True)
               for u in inspector.get_unique_constraints(name, schema=schema)]
    indexes = []
    extra = {"include_auto_indexes": True} if dialect == "sqlite" else {}
    for ix in inspector.get_indexes(name, schema=schema, **extra):
        cols = tuple(ix.get("column_names") or ())
        if not cols or None in cols:
            continue  # an expression index: nothing a column list can say
        auto = (ix.get("name") or "").startswith("sqlite_autoindex_")
        entry = LiveIndex(None if auto else ix.get("name"), cols, bool(ix.get("unique")))
        if ix.get("duplicates_constraint") or auto:
            if cols != primary and all(u.columns != cols for u in uniques):
                uniques.append(entry)
        else:
            indexes.append(entry)
    try:
        checks = tuple(LiveCheck(c.get("name"), c["sqltext"])
                       for c in inspector.get_check_constraints(name, schema=schema))
    except NotImplementedError:
        checks = ()
    return LiveTable(_qualified(schema, name, default), columns, primary, fks,
                     tuple(sorted(uniques, key=_index_key)),
                     tuple(sorted(indexes, key=_index_key)),
                     tuple(sorted(checks, key=lambda c: (c.name or "", c.sqltext))))


def _index_key(ix: LiveIndex) -> tuple:
    return (ix.columns, ix.name or "")


def _column(col: dict) -> LiveColumn:
    default = col.get("default")
    generated = bool(col.get("identity") or col.get("computed")) or str(default or "").startswith(
        "nextval(")
    return LiveColumn(col["name"], type_code(col["type"]), bool(col["nullable"]),
                      None if generated or default is None else str(default), generated)


def type_code(coltype) -> str:
    """SQLAlchemy's generic type of a reflected one, as code: VARCHAR(255) -> String(255)."""
    try:
        generic = coltype.as_generic()
    except Exception:  # a dialect type without a generic twin
        generic = coltype
    name = type(generic).__name__
    if name == "NullType":
        return ""
    args: list[str] = []
    if name == "ARRAY":
        args.append(type_code(generic.item_type) or "String")
    if getattr(generic, "length", None) and name in ("String", "Unicode", "Text", "UnicodeText"):
        args.append(str(generic.length))
    if name in ("Numeric", "Float") and getattr(generic, "precision", None) is not None:
        args.append(str(generic.precision))
        if name == "Numeric" and getattr(generic, "scale", None) is not None:
            args.append(str(generic.scale))
    if name == "Enum":
        args += [repr(e) for e in generic.enums]
        if getattr(generic, "name", None):
            args.append(f"name={generic.name!r}")
    if getattr(generic, "timezone", False) and name in ("DateTime", "Time"):
        args.append("timezone=True")
    return f"{name}({', '.join(args)})" if args else name


# -- comparing ------------------------------------------------------------------------


@dataclass
class Declared:
    """What the models (and Table(...) objects) say about one table."""

    table: str
    owners: list[tuple[str, str, int]] = field(default_factory=list)  # (label, path, line)
    columns: dict[str, tuple[str, str, ColumnFact]] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)  # __table_args__ source texts
    is_model: bool = False

    @property
    def label(self) -> str:
        return self.owners[0][0]


def declared_tables(inv: Inventory, live: LiveSchema) -> dict[str, Declared]:
    tables: dict[str, Declared] = {}
    for model in sorted(inv.models, key=lambda m: (m.path, m.line)):
        if model.qualified_table is None:
            continue
        entry = tables.setdefault(live.canonical(model.qualified_table),
                                  Declared(live.canonical(model.qualified_table)))
        if model.tablename_source != "inherited":
            entry.owners.append((model.name, model.path, model.line))
            entry.is_model = True
            if model.table_args:
                entry.args.append(model.table_args)
        for col in model.columns:
            entry.columns.setdefault(col.db_name or col.name, (model.name, model.path, col))
    for table in inv.tables:
        name = live.canonical(f"{table.schema}.{table.name}" if table.schema else table.name)
        entry = tables.setdefault(name, Declared(name))
        entry.owners.append((table.name, table.path, table.line))
        for col in table.columns:
            entry.columns.setdefault(col.name, (table.name, table.path, col))
    return {name: entry for name, entry in tables.items() if entry.owners}


def compare(inv: Inventory, live: LiveSchema) -> list[Diagnostic]:
    """U401..U411: every difference between the models and the live schema, sorted."""
    declared = declared_tables(inv, live)
    found = [_no_model(inv, live, declared, t) for t in live.tables
             if t.name not in declared and t.name not in IGNORED_TABLES and not t.view]
    resolve = _fk_resolver(inv, live)
    for name, entry in sorted(declared.items()):
        table = live.table(name)
        if table is None:
            found += [_no_table(live, name, owner) for owner in entry.owners]
            continue
        found += _columns(entry, table, resolve)
        if entry.is_model and not table.view:
            found += _constraints(entry, table)
    return sorted(found)


def home_module(inv: Inventory, live: LiveSchema, table: LiveTable) -> str:
    """The model module a table without a model belongs in: where its FK neighbours live."""
    linked = {fk.table for fk in table.foreign_keys}
    linked |= {t.name for t in live.tables if any(fk.table == table.name for fk in t.foreign_keys)}
    near = Counter(m.path for m in inv.models
                   if m.qualified_table and live.canonical(m.qualified_table) in linked)
    pool = near or Counter(m.path for m in inv.models)
    if not pool:
        return ""
    return min(pool, key=lambda path: (-pool[path], path))


def _no_model(inv, live, declared, table: LiveTable) -> Diagnostic:
    refs = sorted({fk.table for fk in table.foreign_keys})
    cols = ", ".join(c.name for c in table.columns)
    return Diagnostic(
        home_module(inv, live, table), 1, "U401", table.name,
        f"table {table.name!r} ({cols}) exists in the database, but no model or Table maps it"
        + (f"; it references {', '.join(refs)}" if refs else ""),
        "add a model for it: `unify plan --database URL` writes one into the plan",
    )


def _no_table(live: LiveSchema, name: str, owner: tuple[str, str, int]) -> Diagnostic:
    label, path, line = owner
    return Diagnostic(
        path, line, "U402", label,
        f"{label} maps table {name!r}, which the database does not have "
        f"(queries fail: relation {name!r} does not exist)",
        "create the table (a migration), or fix __tablename__",
    )


# -- columns -----------------------------------------------------------------------------


def _columns(entry: Declared, table: LiveTable, resolve) -> Iterator[Diagnostic]:
    label, path, line = entry.owners[0]
    for col in table.columns:
        if col.name not in entry.columns:
            facts = ", ".join(filter(None, [col.type or "unknown type",
                                             None if col.nullable else "NOT NULL"]))
            yield Diagnostic(
                path, line, "U403", f"{label}.{col.name}",
                f"column {table.name}.{col.name} ({facts}) exists in the database, "
                f"but {label} does not map it",
                f"add it to {label}: `unify plan --database URL` writes it into the plan",
            )
    for db_name, (owner, owner_path, fact) in entry.columns.items():
        subject = f"{owner}.{fact.name}"
        col = table.column(db_name)
        if col is None:
            yield Diagnostic(
                owner_path, fact.line, "U404", subject,
                f"{subject} maps column {db_name!r}, which table {table.name!r} does not have "
                "(queries fail: column does not exist)",
                "add the column to the database (a migration), or remove it from the model",
            )
            continue
        at = (owner_path, fact.line, subject)
        yield from _type(at, fact, col)
        yield from _nullable(at, fact, col, table)
        yield from _default(at, fact, col)
        yield from _foreign_key(at, fact, col, table, resolve)


def _length(type_text: str | None) -> int | None:
    match = re.match(r"^\w+\((\d+)", type_text or "")
    return int(match.group(1)) if match else None


def _type(at, fact: ColumnFact, col: LiveColumn) -> Iterator[Diagnostic]:
    path, line, subject = at
    mine, theirs = type_family(fact.type), type_family(col.type)
    if not (mine and theirs):
        return
    longer = mine == theirs == "string" and None not in (_length(fact.type), _length(col.type)) \
        and _length(fact.type) != _length(col.type)
    if mine != theirs or longer:
        yield Diagnostic(
            path, line, "U405", subject,
            f"{subject} is {fact.type} in the model but {col.type} in the database",
            f"declare it as {col.type}, or migrate the column",
        )


def _nullable(at, fact: ColumnFact, col: LiveColumn, table: LiveTable) -> Iterator[Diagnostic]:
    path, line, subject = at
    if fact.primary_key or col.name in table.primary_key:
        return
    mine = fact.nullable if fact.nullable is not None else True
    if mine == col.nullable:
        return
    yield Diagnostic(
        path, line, "U406", subject,
        f"{subject} is {'nullable' if mine else 'NOT NULL'} in the model but "
        f"{'nullable' if col.nullable else 'NOT NULL'} in the database",
        "declare nullable=False (inserts without a value fail)" if not col.nullable
        else "declare it nullable (the database holds NULLs; reads may return None)",
    )


_CAST = re.compile(
    r"::(?:character varying|double precision|(?:timestamp|time) with(?:out)? time zone"
    r"|[a-z_][a-z0-9_]*)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?"
)
_SYNONYMS = {
    "now()": "current_timestamp", "current_timestamp()": "current_timestamp",
    "localtimestamp": "current_timestamp", "transaction_timestamp()": "current_timestamp",
    "1": "true", "t": "true", "0": "false", "f": "false",
}


def normalise_sql(sql: str) -> str:
    """A default or check expression, comparable across dialects and spellings."""
    text = strip_parentheses(_CAST.sub("", " ".join(sql.lower().split())))
    if len(text) > 1 and text[0] == text[-1] == "'":
        text = text[1:-1]
    return _SYNONYMS.get(text, text)


def _check_key(sql: str) -> str:
    """Check constraints: PostgreSQL adds parentheses and casts, so compare without them."""
    return re.sub(r"[()\s]", "", normalise_sql(sql))


def strip_parentheses(text: str) -> str:
    """``text`` without the parentheses that wrap all of it: ``((a) + b)`` -> ``(a) + b``."""
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def model_server_default(source: str) -> str | None:
    """The SQL a ``server_default=...`` expression stands for, or None when unknowable."""
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return None
    if const_str(node) is not None:
        return normalise_sql(f"'{const_str(node)}'")
    name = call_name(node)
    if isinstance(node, ast.Call) and name == "text" and node.args and const_str(node.args[0]):
        return normalise_sql(const_str(node.args[0]) or "")
    if isinstance(node, ast.Call) and name in ("true", "false") and not node.args:
        return name
    chain = dotted(node.func) if isinstance(node, ast.Call) else None
    if chain and ".func." in f".{chain}" and not node.args:  # func.now()
        return normalise_sql(f"{chain.rsplit('.', 1)[-1]}()")
    return None


def _default(at, fact: ColumnFact, col: LiveColumn) -> Iterator[Diagnostic]:
    path, line, subject = at
    if col.generated or fact.primary_key:
        return
    theirs = normalise_sql(col.default) if col.default is not None else None
    if fact.server_default is not None:
        mine = model_server_default(fact.server_default)
        if mine is None or mine == theirs:
            return
        message = (f"{subject} has server_default={fact.server_default}, but the database column "
                   + (f"defaults to {col.default}" if col.default else "has no default"))
    elif col.default is not None and fact.default is None:
        message = (f"the database fills {subject} with DEFAULT {col.default}; "
                   "the model states no default")
    else:
        return
    yield Diagnostic(path, line, "U407", subject, message,
                     f"declare server_default=text({col.default!r}) on the model"
                     if col.default else "drop server_default, or add the default in a migration")


def _fk_resolver(inv: Inventory, live: LiveSchema):
    classes = {m.name: m for m in inv.models}
    variables = {t.variable: f"{t.schema}.{t.name}" if t.schema else t.name for t in inv.tables}

    def resolve(target: str | None) -> str | None:
        if not target or "." not in target:
            return None
        table, column = target.rsplit(".", 1)
        if table.endswith(".c"):  # ForeignKey(user_roles.c.id): a Table's variable
            table = variables.get(table[:-2], table[:-2])
        model = classes.get(table)
        if model is not None and model.qualified_table:  # ForeignKey(User.id)
            attr = next((c for c in model.columns if c.name == column), None)
            table = model.qualified_table
            column = (attr.db_name or attr.name) if attr else column
        return f"{live.canonical(table)}.{column}"

    return resolve


def _foreign_key(at, fact: ColumnFact, col: LiveColumn, table: LiveTable,
                 resolve) -> Iterator[Diagnostic]:
    path, line, subject = at
    fk = next((f for f in table.foreign_keys if f.columns == (col.name,)), None)
    theirs = f"{fk.table}.{fk.referred[0]}" if fk else None
    mine = resolve(fact.foreign_key)
    if mine == theirs or (fact.foreign_key and mine is None):
        return
    if theirs is None:
        message = (f"{subject} declares ForeignKey({fact.foreign_key!r}), but the database has "
                   f"no foreign key on {table.name}.{col.name}")
        hint = "add the constraint in a migration, or drop the ForeignKey"
    elif mine is None:
        message = (f"the database has a foreign key {table.name}.{col.name} -> {theirs}; "
                   f"{subject} declares none")
        hint = f"add ForeignKey({theirs!r}) to {subject}"
    else:
        message = f"{subject} references {mine}, but the database's foreign key points at {theirs}"
        hint = f"point the ForeignKey at {theirs!r}, or migrate the constraint"
    yield Diagnostic(path, line, "U409", subject, message, hint)


# -- constraints and indexes ----------------------------------------------------------------


@dataclass
class ModelConstraints:
    uniques: dict[tuple[str, ...], str | None] = field(default_factory=dict)  # sorted cols -> name
    indexes: dict[tuple[str, ...], str | None] = field(default_factory=dict)
    checks: list[LiveCheck] = field(default_factory=list)


def model_constraints(entry: Declared) -> ModelConstraints:
    found = ModelConstraints()
    for db_name, (_, _, col) in entry.columns.items():
        if col.unique:
            found.uniques.setdefault((db_name,), None)
        elif col.index:
            found.indexes.setdefault((db_name,), None)
    for text in entry.args:
        for call in _calls(text):
            _add_constraint(found, call)
    return found


def _calls(text: str) -> list[ast.Call]:
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return []
    items = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
    return [item for item in items if isinstance(item, ast.Call)]


def _column_name(node: ast.AST) -> str | None:
    return const_str(node) or (dotted(node) or "").rsplit(".", 1)[-1] or None


def _add_constraint(found: ModelConstraints, call: ast.Call) -> None:
    kind = call_name(call)
    name_kw = next((const_str(k.value) for k in call.keywords if k.arg == "name"), None)
    unique = any(k.arg == "unique" and getattr(k.value, "value", False) is True
                 for k in call.keywords)
    if kind == "UniqueConstraint":
        cols = [_column_name(a) for a in call.args]
        if cols and None not in cols:
            found.uniques.setdefault(tuple(sorted(cols)), name_kw)  # type: ignore[arg-type]
    elif kind == "Index" and call.args and const_str(call.args[0]) is not None:
        cols = [_column_name(a) for a in call.args[1:]]
        if cols and None not in cols and all(isinstance(a, (ast.Constant, ast.Name, ast.Attribute))
                                             for a in call.args[1:]):
            target = found.uniques if unique else found.indexes
            key = tuple(sorted(cols)) if unique else tuple(cols)  # type: ignore[arg-type]
            target.setdefault(key, const_str(call.args[0]))
    elif kind == "CheckConstraint" and call.args and const_str(call.args[0]) is not None:
        found.checks.append(LiveCheck(name_kw, const_str(call.args[0]) or ""))


def _constraints(entry: Declared, table: LiveTable) -> Iterator[Diagnostic]:
    label, path, line = entry.owners[0]
    mine = model_constraints(entry)
    pk = tuple(sorted(table.primary_key))
    theirs_unique = {tuple(sorted(u.columns)): u.name for u in (*table.uniques, *table.indexes)
                     if u.unique}
    theirs_index = {ix.columns: ix.name for ix in table.indexes if not ix.unique}
    for cols in sorted(set(theirs_unique) - set(mine.uniques) - {pk}):
        yield _diff(path, line, "U408", label, cols,
                    f"the database enforces UNIQUE ({', '.join(cols)})"
                    f"{_named(theirs_unique[cols])}; {label} does not declare it",
                    "declare it (unique=True, or UniqueConstraint(...) in __table_args__)")
    for cols in sorted(set(mine.uniques) - set(theirs_unique) - {pk}):
        yield _diff(path, line, "U408", label, cols,
                    f"{label} declares UNIQUE ({', '.join(cols)}), "
                    "but the database does not enforce it",
                    "add the constraint in a migration, or drop it from the model")
    for cols in sorted(set(theirs_index) - set(mine.indexes)):
        yield _diff(path, line, "U411", label, cols, f"the database has an index on "
                    f"({', '.join(cols)}){_named(theirs_index[cols])}; {label} does not declare it",
                    "declare it (index=True, or Index(...) in __table_args__)")
    for cols in sorted(set(mine.indexes) - set(theirs_index)):
        yield _diff(path, line, "U411", label, cols, f"{label} declares an index on "
                    f"({', '.join(cols)}), but the database has none",
                    "create the index in a migration, or drop it from the model")
    yield from _checks(path, line, label, mine.checks, list(table.checks))


def _named(name: str | None) -> str:
    return f" ({name})" if name else ""


def _diff(path, line, code, label, cols, message, hint) -> Diagnostic:
    return Diagnostic(path, line, code, f"{label}({', '.join(cols)})", message, hint)


def _checks(path, line, label, mine: list[LiveCheck], theirs: list[LiveCheck]):
    """Pair by name, then by normalised text; report what is left on either side."""
    theirs = list(theirs)
    unmatched = []
    for check in mine:
        twin = next((t for t in theirs if check.name and t.name == check.name), None) or next(
            (t for t in theirs if _check_key(t.sqltext) == _check_key(check.sqltext)), None)
        if twin is None:
            unmatched.append(check)
            continue
        theirs.remove(twin)
        if _check_key(twin.sqltext) != _check_key(check.sqltext):
            yield Diagnostic(path, line, "U410", f"{label}:{check.name}",
                             f"CHECK {check.name} is ({check.sqltext}) in the model but "
                             f"({twin.sqltext}) in the database",
                             "make them agree (the database is what is enforced)")
    for check in unmatched:
        yield Diagnostic(path, line, "U410", f"{label}:{check.name or check.sqltext}",
                         f"{label} declares CHECK ({check.sqltext}), but the database does not "
                         "enforce it", "add it in a migration, or drop it from the model")
    for check in theirs:
        yield Diagnostic(path, line, "U410", f"{label}:{check.name or check.sqltext}",
                         f"the database enforces CHECK ({check.sqltext}){_named(check.name)}; "
                         f"{label} does not declare it",
                         "declare it: CheckConstraint(...) in __table_args__")
