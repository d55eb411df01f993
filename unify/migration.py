"""The database follows the code: the plan's schema changes as an Alembic revision.

As Alembic's autogenerate does, comparing and rendering are separate:
:func:`compare` turns the declared schema before and after (the diff the schema
check explains with the plan's entries) into a list of frozen op records, and
:func:`render_revision` / :func:`render_sql` turn that list into a revision
file or into SQL a person can run. :func:`find_alembic` and :func:`heads` read
the project's Alembic setup statically (no import, no database).
"""

from __future__ import annotations

import ast
import configparser
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from unify.errors import Refused
from unify.sqltypes import type_family

Schema = dict[str, dict[str, tuple]]  # table -> column -> (type, foreign key, primary key)

# -- the ops (data) ---------------------------------------------------------------------


@dataclass(frozen=True)
class AlterType:
    table: str
    column: str
    old: str
    new: str
    loss: str = ""  # why the cast can lose data; "" when it cannot


@dataclass(frozen=True)
class DropForeignKey:
    table: str
    column: str
    name: str
    target: str  # "table.column"
    maybe: bool = False  # the constraint may not exist (its table is not in the models)


@dataclass(frozen=True)
class CreateForeignKey:
    table: str
    column: str
    name: str
    target: str


@dataclass(frozen=True)
class CreateTable:
    table: str
    columns: tuple[tuple[str, str | None, str | None, bool], ...]  # (name, type, fk, pk)


@dataclass(frozen=True)
class RenameTable:
    old: str
    new: str


@dataclass(frozen=True)
class RenameColumn:
    table: str
    old: str
    new: str
    type: str | None


@dataclass(frozen=True)
class AddColumn:
    table: str
    column: str
    type: str | None
    foreign_key: str | None


@dataclass(frozen=True)
class Kept:
    """A table or column the code no longer declares: never dropped by unify."""

    table: str
    column: str = ""

    @property
    def what(self) -> str:
        if self.column:
            return f"column {self.table}.{self.column}: no longer declared; not dropped"
        return f"table {self.table}: no model maps it any more; not dropped"


Op = AlterType | DropForeignKey | CreateForeignKey | CreateTable | RenameTable | RenameColumn \
    | AddColumn | Kept

_ORDER = (DropForeignKey, RenameTable, RenameColumn, AlterType, CreateTable, AddColumn,
          CreateForeignKey, Kept)


def fk_name(table: str, column: str) -> str:
    """PostgreSQL's name for an unnamed foreign key (what create_all made)."""
    return f"{table.rsplit('.', 1)[-1]}_{column}_fkey"


# -- data loss --------------------------------------------------------------------------

_NARROW_INT = {"BigInteger": 3, "BIGINT": 3, "Integer": 2, "INTEGER": 2, "INT": 2,
               "SmallInteger": 1, "SMALLINT": 1}


def _head(text: str) -> str:
    return text.split("(", 1)[0].strip()


def _length(text: str) -> int | None:
    m = re.match(r"\w+\(\s*(?:length\s*=\s*)?(\d+)", text)
    return int(m.group(1)) if m else None


def loss(old: str | None, new: str | None) -> str:
    """Why casting ``old`` to ``new`` can lose data ("" when it cannot)."""
    if not old or not new or old == new:
        return ""
    fo, fn = type_family(old), type_family(new)
    if fo == "string" and fn not in (None, "string"):
        return f"text cast to {_head(new)}: a value that is not a valid {fn} makes the cast fail"
    if fo == fn == "string":
        lo, ln = _length(old), _length(new)
        if ln is not None and (lo is None or ln < lo):
            return f"narrows the text to {ln} characters: longer values are cut or refused"
    if fo == fn == "integer" and _NARROW_INT.get(_head(new), 2) < _NARROW_INT.get(_head(old), 2):
        return f"narrows {_head(old)} to {_head(new)}: large values do not fit"
    if fo == "float" and fn == "integer":
        return f"{_head(old)} cast to {_head(new)}: fractions are rounded away"
    if fo is not None and fn == "boolean" and fo != "boolean":
        return f"{_head(old)} cast to Boolean"
    return ""


# -- compare: schema before/after -> ops ------------------------------------------------


def compare(before: Schema, after: Schema, existing: set[str] = frozenset(),
            added_columns: set[tuple[str, str]] = frozenset()) -> list[Op]:
    """The ops that take a database of ``before`` to ``after``. ``existing``: tables
    the database already has (stubs of `plan --database`); ``added_columns``:
    (table, column) it already has (columns the plan adds from the database)."""
    ops: list[Op] = []
    gone = [t for t in before if t not in after]
    new = [t for t in after if t not in before]
    for old_table in list(gone):
        twin = next((t for t in new if after[t] == before[old_table]), None)
        if twin is not None and twin not in existing:
            ops.append(RenameTable(old_table, twin))
            gone.remove(old_table)
            new.remove(twin)
    ops += [Kept(t) for t in sorted(gone)]
    ops += [CreateTable(t, tuple((c, *after[t][c]) for c in after[t])) for t in sorted(new)
            if t not in existing and _bare(t) not in {_bare(x) for x in existing}]
    for table in sorted(set(before) & set(after)):
        ops += _columns(table, before[table], after[table], before, after, added_columns)
    return sorted(ops, key=lambda op: _ORDER.index(type(op)))


def _bare(table: str) -> str:
    return table.rsplit(".", 1)[-1]


def _columns(table, old_cols, new_cols, before, after, added) -> list[Op]:
    ops: list[Op] = []
    gone = [c for c in old_cols if c not in new_cols]
    new = [c for c in new_cols if c not in old_cols]
    for col in list(gone):
        twin = next((c for c in new if new_cols[c] == old_cols[col]), None)
        if twin is not None:
            ops.append(RenameColumn(table, col, twin, old_cols[col][0]))
            gone.remove(col)
            new.remove(twin)
    ops += [Kept(table, c) for c in gone]
    ops += [AddColumn(table, c, new_cols[c][0], new_cols[c][1]) for c in new
            if (table, c) not in added]
    for col in sorted(set(old_cols) & set(new_cols)):
        (t0, fk0, _), (t1, fk1, _) = old_cols[col], new_cols[col]
        if t0 != t1 and t0 and t1:
            ops.append(AlterType(table, col, t0, t1, loss(t0, t1)))
        held = bool(fk0) and holdable(fk0, t0, before)  # the database can have the old key
        if fk0 and fk0 != fk1:
            ops.append(DropForeignKey(table, col, fk_name(table, col), fk0, not held))
        if fk1 and (fk0 != fk1 or not held) and holdable(fk1, t1, after):
            # a new key, or one the old models declared but no database could hold
            ops.append(CreateForeignKey(table, col, fk_name(table, col), fk1))
    return ops


def holdable(fk: str, type_: str | None, schema: Schema) -> bool:
    """Whether a database can have this foreign key: its table and column are declared
    and their types are of one family (PostgreSQL refuses varchar -> integer)."""
    table, _, column = fk.rpartition(".")
    target = schema.get(table, {}).get(column)
    if target is None:
        return False
    mine, theirs = type_family(type_), type_family(target[0])
    return mine is None or theirs is None or mine == theirs


# -- render: ops -> Alembic ops / SQL ---------------------------------------------------


def sa_type(text: str | None) -> str:
    if not text:
        return "sa.NullType()"
    return f"sa.{text}" if "(" in text else f"sa.{text}()"


_SQL_TYPES = {"String": "VARCHAR", "Unicode": "VARCHAR", "Text": "TEXT", "UnicodeText": "TEXT",
              "Integer": "INTEGER", "BigInteger": "BIGINT", "SmallInteger": "SMALLINT",
              "Boolean": "BOOLEAN", "DateTime": "TIMESTAMP WITHOUT TIME ZONE",
              "Date": "DATE", "Time": "TIME", "Float": "FLOAT", "Numeric": "NUMERIC",
              "Uuid": "UUID", "JSON": "JSON", "LargeBinary": "BYTEA", "Interval": "INTERVAL"}


def sql_type(text: str | None) -> str:
    if not text:
        return "?"
    head = _head(text)
    args = text[len(head):].strip()
    args = re.sub(r"\w+\s*=\s*", "", args) if args else ""
    return _SQL_TYPES.get(head, head.upper()) + args


def using(column: str, old: str, new: str) -> str:
    """The PostgreSQL cast of an ALTER ... TYPE: needed when the families differ."""
    if type_family(old) == type_family(new):
        return ""
    return f"{column}::{sql_type(new).lower()}"


def _split(table: str) -> tuple[str | None, str]:
    schema, _, name = table.rpartition(".")
    return (schema or None), name


def _schema_kw(table: str, key: str = "schema") -> str:
    schema, _ = _split(table)
    return f", {key}={schema!r}" if schema else ""


def _alter(table: str, column: str, old: str, new: str) -> str:
    cast = using(column, old, new)
    return (f"op.alter_column({_split(table)[1]!r}, {column!r}, existing_type={sa_type(old)}, "
            f"type_={sa_type(new)}" + (f", postgresql_using={cast!r}" if cast else "")
            + f"{_schema_kw(table)})")


def _fk(op: CreateForeignKey | DropForeignKey) -> str:
    ref_table, _, ref_col = op.target.rpartition(".")
    return (f"op.create_foreign_key({op.name!r}, {_split(op.table)[1]!r}, "
            f"{_split(ref_table)[1]!r}, [{op.column!r}], [{ref_col!r}]"
            f"{_schema_kw(op.table, 'source_schema')}{_schema_kw(ref_table, 'referent_schema')})")


def _drop_fk(op: CreateForeignKey | DropForeignKey, maybe: bool = False) -> str:
    if maybe:
        return f"op.execute({_sql_drop_fk(op.table, op.name, True)!r})"
    return (f"op.drop_constraint({op.name!r}, {_split(op.table)[1]!r}, type_='foreignkey'"
            f"{_schema_kw(op.table)})")


def _column(name, type_, fk, pk) -> str:
    args = [repr(name), sa_type(type_)]
    if fk:
        args.append(f"sa.ForeignKey({fk!r})")
    if pk:
        args.append("primary_key=True")
    return f"sa.Column({', '.join(args)})"


def upgrade_lines(op: Op) -> list[str]:
    if isinstance(op, AlterType):
        mark = [f"# DATA LOSS: {op.loss} (USING {using(op.column, op.old, op.new) or 'implicit cast'})"] if op.loss else []
        return mark + [_alter(op.table, op.column, op.old, op.new)]
    if isinstance(op, DropForeignKey):
        note = ([f"# {op.target}: no database could hold this key as the models declared it "
                 "(no such table or column, or another type): dropped if it exists"]
                if op.maybe else [])
        return note + [_drop_fk(op, op.maybe)]
    if isinstance(op, CreateForeignKey):
        return [_fk(op)]
    if isinstance(op, CreateTable):
        cols = "".join(f"    {_column(*c)},\n" for c in op.columns)
        return [f"op.create_table(\n    {_split(op.table)[1]!r},\n{cols}"
                f"{'    schema=' + repr(_split(op.table)[0]) + ',' + chr(10) if _split(op.table)[0] else ''})"]
    if isinstance(op, RenameTable):
        return [f"op.rename_table({_split(op.old)[1]!r}, {_split(op.new)[1]!r}{_schema_kw(op.old)})"]
    if isinstance(op, RenameColumn):
        return [f"op.alter_column({_split(op.table)[1]!r}, {op.old!r}, new_column_name={op.new!r}, "
                f"existing_type={sa_type(op.type)}{_schema_kw(op.table)})"]
    if isinstance(op, AddColumn):
        return [f"op.add_column({_split(op.table)[1]!r}, {_column(op.column, op.type, op.foreign_key, False)}"
                f"{_schema_kw(op.table)})"]
    return [f"# kept: {op.what}"]


def downgrade_lines(op: Op) -> list[str]:
    if isinstance(op, AlterType):
        return [_alter(op.table, op.column, op.new, op.old)]
    if isinstance(op, DropForeignKey):
        if op.maybe:
            return [f"# not recreated: {op.table}.{op.column} -> {op.target} (the old models "
                    "declared a key no database could hold)"]
        return [_fk(CreateForeignKey(op.table, op.column, op.name, op.target))]
    if isinstance(op, CreateForeignKey):
        return [_drop_fk(op)]
    if isinstance(op, CreateTable):
        return [f"op.drop_table({_split(op.table)[1]!r}{_schema_kw(op.table)})"]
    if isinstance(op, RenameTable):
        return [f"op.rename_table({_split(op.new)[1]!r}, {_split(op.old)[1]!r}{_schema_kw(op.old)})"]
    if isinstance(op, RenameColumn):
        return [f"op.alter_column({_split(op.table)[1]!r}, {op.new!r}, new_column_name={op.old!r}, "
                f"existing_type={sa_type(op.type)}{_schema_kw(op.table)})"]
    if isinstance(op, AddColumn):
        return [f"op.drop_column({_split(op.table)[1]!r}, {op.column!r}{_schema_kw(op.table)})"]
    return []


def describe(op: Op) -> str:
    """One line for the PR description and the commit body."""
    if isinstance(op, AlterType):
        cast = using(op.column, op.old, op.new)
        return (f"{op.table}.{op.column}: type {op.old} -> {op.new}"
                + (f" (USING {cast})" if cast else "")
                + (f" -- DATA LOSS: {op.loss}" if op.loss else ""))
    if isinstance(op, DropForeignKey):
        return f"{op.table}.{op.column}: drop foreign key {op.name} -> {op.target}" + (
            " (if it exists)" if op.maybe else "")
    if isinstance(op, CreateForeignKey):
        return f"{op.table}.{op.column}: foreign key {op.name} -> {op.target}"
    if isinstance(op, CreateTable):
        return f"create table {op.table} ({len(op.columns)} columns)"
    if isinstance(op, RenameTable):
        return f"rename table {op.old} -> {op.new}"
    if isinstance(op, RenameColumn):
        return f"{op.table}: rename column {op.old} -> {op.new}"
    if isinstance(op, AddColumn):
        return f"{op.table}: add column {op.column} {op.type}"
    return f"kept: {op.what}"


def _indent(lines: list[str]) -> str:
    return "".join("    " + line.replace("\n", "\n    ") + "\n" for line in lines)


def render_revision(ops: list[Op], revision: str, down_revision: str | None, plan_id: str,
                    accepted: bool) -> str:
    real = [op for op in ops if not isinstance(op, Kept)]
    up = [line for op in ops for line in upgrade_lines(op)] or ["pass"]
    down = [line for op in reversed(real) for line in downgrade_lines(op)] or ["pass"]
    lossy = [describe(op) for op in ops if isinstance(op, AlterType) and op.loss]
    header = "".join(f"\n{d}" for d in map(describe, ops))
    warning = ("" if not lossy else "\n\nDATA LOSS (" + ("accepted in the plan: data_loss = "
               "\"accept\"" if accepted else "not decided in the plan") + "):"
               + "".join(f"\n  {line}" for line in lossy))
    return (f'"""unify: the schema changes of plan {plan_id}\n\n'
            f"Revision ID: {revision}\nRevises: {down_revision or ''}\n\n"
            "Generated by `unify apply` from the declared schema before and after the plan "
            f"(the diff its schema check explains):{header}{warning}\n\"\"\"\n"
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = {revision!r}\ndown_revision = {down_revision!r}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{_indent(up)}\n\ndef downgrade():\n{_indent(down)}")


def _q(name: str) -> str:
    return ".".join(f'"{p}"' if not re.fullmatch(r"[a-z_][a-z0-9_]*", p) else p
                    for p in name.split("."))


def _sql_drop_fk(table: str, name: str, maybe: bool) -> str:
    return f"ALTER TABLE {_q(table)} DROP CONSTRAINT {'IF EXISTS ' if maybe else ''}{_q(name)}"


def sql_lines(op: Op) -> list[str]:
    """PostgreSQL DDL for one op (what the revision's upgrade() runs)."""
    if isinstance(op, AlterType):
        cast = using(op.column, op.old, op.new)
        mark = [f"-- DATA LOSS: {op.loss}"] if op.loss else []
        return mark + [f"ALTER TABLE {_q(op.table)} ALTER COLUMN {_q(op.column)} TYPE "
                       f"{sql_type(op.new)}" + (f" USING {cast}" if cast else "") + ";"]
    if isinstance(op, DropForeignKey):
        return [_sql_drop_fk(op.table, op.name, op.maybe) + ";"]
    if isinstance(op, CreateForeignKey):
        ref_table, _, ref_col = op.target.rpartition(".")
        return [f"ALTER TABLE {_q(op.table)} ADD CONSTRAINT {_q(op.name)} FOREIGN KEY "
                f"({_q(op.column)}) REFERENCES {_q(ref_table)} ({_q(ref_col)});"]
    if isinstance(op, CreateTable):
        cols = ",\n".join(f"    {_q(n)} {sql_type(t)}" + (" PRIMARY KEY" if pk else "")
                          + (f" REFERENCES {_q(fk.rpartition('.')[0])} ({_q(fk.rpartition('.')[2])})"
                             if fk else "") for n, t, fk, pk in op.columns)
        return [f"CREATE TABLE {_q(op.table)} (\n{cols}\n);"]
    if isinstance(op, RenameTable):
        return [f"ALTER TABLE {_q(op.old)} RENAME TO {_q(_split(op.new)[1])};"]
    if isinstance(op, RenameColumn):
        return [f"ALTER TABLE {_q(op.table)} RENAME COLUMN {_q(op.old)} TO {_q(op.new)};"]
    if isinstance(op, AddColumn):
        return [f"ALTER TABLE {_q(op.table)} ADD COLUMN {_q(op.column)} {sql_type(op.type)};"]
    return [f"-- kept: {op.what}"]


def render_sql(ops: list[Op]) -> str:
    return "\n".join(line for op in ops for line in sql_lines(op))


# -- the project's Alembic setup, read statically ---------------------------------------

_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "site-packages"}


@dataclass(frozen=True)
class Alembic:
    config: str  # repo-relative alembic.ini or env.py
    versions: str  # repo-relative versions folder


def find_alembic(root: Path, depth: int = 4) -> Alembic | None:
    """The project's Alembic (alembic.ini's script_location, or a folder with env.py
    and versions/, as Flask-Migrate's migrations/), or None."""
    found: list[Alembic] = []
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        if len(rel.parts) >= depth:
            dirs[:] = []
        if "alembic.ini" in files:
            script = _script_location(Path(folder) / "alembic.ini")
            if script is not None and (script / "versions").is_dir():
                found.append(Alembic((rel / "alembic.ini").as_posix(),
                                     _rel(script / "versions", root)))
        if "env.py" in files and "versions" in dirs:
            found.append(Alembic((rel / "env.py").as_posix(), (rel / "versions").as_posix()))
    by_versions = {a.versions: a for a in reversed(found)}
    return sorted(by_versions.values(), key=lambda a: (a.config.count("/"), a.config))[0] \
        if by_versions else None


def _rel(path: Path, root: Path) -> str:
    return os.path.relpath(path.resolve(), root.resolve()).replace(os.sep, "/")


def _script_location(ini: Path) -> Path | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
    except configparser.Error:
        return None
    location = parser.get("alembic", "script_location", fallback=None)
    if not location or ":" in location.replace("%(here)s", ""):  # package:resource
        return None
    location = location.replace("%(here)s", str(ini.parent))
    path = Path(location)
    return path if path.is_absolute() else ini.parent / path


def revisions(versions: Path) -> dict[str, tuple[str, ...]]:
    """revision -> its down revisions, from each revision file's assignments."""
    found: dict[str, tuple[str, ...]] = {}
    for file in sorted(versions.rglob("*.py")):
        try:
            tree = ast.parse(file.read_bytes())
        except (SyntaxError, ValueError):
            continue
        values = {}
        for node in tree.body:
            target = (node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1
                      else node.target if isinstance(node, ast.AnnAssign) else None)
            if isinstance(target, ast.Name) and node.value is not None:
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            found[values["revision"]] = (tuple(down) if isinstance(down, (tuple, list))
                                         else (down,) if isinstance(down, str) else ())
    return found


def heads(versions: Path) -> list[str]:
    revs = revisions(versions)
    downs = {d for ds in revs.values() for d in ds}
    return sorted(r for r in revs if r not in downs)


def current_head(root: Path, setup: Alembic) -> str | None:
    """The one head the new revision follows; refuses several."""
    found = heads(root / setup.versions)
    if len(found) > 1:
        raise Refused(f"{setup.versions}: several Alembic heads ({', '.join(found)})",
                      "merge them first (`alembic merge heads`), or apply with --no-migration")
    return found[0] if found else None


# -- the plan's data-loss decisions -----------------------------------------------------


def mark_data_loss(plan, root: Path):
    """Where the project has Alembic, a retyping fix that can lose data asks for a
    decision: ``data_loss = "?"`` until the person writes ``"accept"``."""
    if find_alembic(root) is None:
        return plan
    fixes = tuple(replace(f, data_loss="?") if f.kind == "column_type" and f.enabled
                  and not f.data_loss and loss(f.old, f.new) else f for f in plan.fixes)
    return replace(plan, fixes=fixes)


# -- proof: run the revision's ops over the declared schema -----------------------------


def database_view(schema: Schema) -> Schema:
    """The schema as a database can hold it: no foreign key to a table the models do not
    declare, nor between columns of different type families (PostgreSQL refuses both)."""
    view: Schema = {}
    for table, cols in schema.items():
        view[table] = {}
        for name, (type_, fk, pk) in cols.items():
            if fk and not holdable(fk, type_, schema):
                fk = None
            view[table][name] = (type_, fk, pk)
    return view


def _type_text(node: ast.AST) -> str | None:
    text = ast.unparse(node)
    if text.startswith("sa."):
        text = text[3:]
    return None if text == "NullType()" else text[:-2] if text.endswith("()") else text


def _call_args(call: ast.Call) -> tuple[list, dict]:
    return ([a for a in call.args], {k.arg: k.value for k in call.keywords if k.arg})


def _const(node):
    return ast.literal_eval(node)


def simulate(text: str, function: str, schema: Schema) -> Schema:
    """``schema`` after the ``op.*`` calls of the revision's ``function`` (upgrade or
    downgrade), as far as this module renders them; unknown calls raise ValueError."""
    result = {t: dict(c) for t, c in schema.items()}
    body = next(n for n in ast.parse(text).body
                if isinstance(n, ast.FunctionDef) and n.name == function).body
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not isinstance(call, ast.Call) or not ast.unparse(call.func).startswith("op."):
            raise ValueError(f"not an op call: {ast.unparse(stmt)}")
        _run(ast.unparse(call.func)[3:], *_call_args(call), result)
    return result


def _drop_named(schema: Schema, table: str, name: str) -> None:
    for col, (type_, fk, pk) in schema.get(table, {}).items():
        if fk_name(table, col) == name:
            schema[table][col] = (type_, None, pk)


def _run(name: str, args: list, kw: dict, s: Schema) -> None:
    if name == "alter_column":
        table, col = _const(args[0]), _const(args[1])
        type_, fk, pk = s[table].pop(col)
        if "type_" in kw:
            type_ = _type_text(kw["type_"])
        s[table][_const(kw["new_column_name"]) if "new_column_name" in kw else col] = (
            type_, fk, pk)
    elif name == "create_foreign_key":
        _, table, ref, cols, refs = (_const(a) for a in args)
        type_, _, pk = s[table][cols[0]]
        s[table][cols[0]] = (type_, f"{ref}.{refs[0]}", pk)
    elif name == "drop_constraint":
        _drop_named(s, _const(args[1]), _const(args[0]))
    elif name == "execute":
        m = re.fullmatch(r"ALTER TABLE (\S+) DROP CONSTRAINT IF EXISTS (\S+)", _const(args[0]))
        if m is None:
            raise ValueError(f"unknown SQL: {_const(args[0])}")
        _drop_named(s, m.group(1), m.group(2))
    elif name == "create_table":
        cols = {}
        for column in args[1:]:
            cargs, ckw = _call_args(column)
            fk = next((_const(a.args[0]) for a in cargs[2:] if isinstance(a, ast.Call)), None)
            pk = bool(_const(ckw["primary_key"])) if "primary_key" in ckw else False
            cols[_const(cargs[0])] = (_type_text(cargs[1]), fk, pk)
        s[_const(args[0])] = cols
    elif name == "drop_table":
        del s[_const(args[0])]
    elif name == "rename_table":
        s[_const(args[1])] = s.pop(_const(args[0]))
    elif name == "add_column":
        cargs, _ = _call_args(args[1])
        fk = next((_const(a.args[0]) for a in cargs[2:] if isinstance(a, ast.Call)), None)
        s[_const(args[0])][_const(cargs[0])] = (_type_text(cargs[1]), fk, False)
    elif name == "drop_column":
        del s[_const(args[0])][_const(args[1])]
    else:
        raise ValueError(f"op.{name} is not one unify writes")


def expected_states(ops: list[Op], before: Schema, after: Schema, existing: set[str],
                    added: set[tuple[str, str]]) -> tuple[Schema, Schema]:
    """(the database before, the database after) as the revision must take it: as a
    database can hold each schema; tables and columns it already has (stubs, columns
    from `plan --database`) in both; what the code stopped declaring kept after."""
    start, end = database_view(before), database_view(after)
    for table in existing & set(end):
        start.setdefault(table, dict(end[table]))
    for table, col in added:
        if table in end and col in end[table] and table in start:
            start[table].setdefault(col, end[table][col])
    for op in ops:
        if isinstance(op, Kept) and op.column:
            end[op.table][op.column] = start[op.table][op.column]
        elif isinstance(op, Kept):
            end[op.table] = dict(start[op.table])
    return start, end
