"""unify's runtime probe: import a project's models and prove SQLAlchemy accepts them.

This file is a STANDALONE script.  ``unify verify`` runs it under the user's own
interpreter, which has the project's dependencies but usually not ``unify``, so it
imports nothing but the standard library and SQLAlchemy (1.3, 1.4 or 2.x; with
Flask-SQLAlchemy 2.x or 3.x where the project uses it), and it stays runnable on
Python 3.8 (no syntax newer than 3.8: tests/test_probe_compat.py parses it so).

Usage (cwd becomes DIR, and DIR goes first on ``sys.path``)::

    python probe.py --root DIR --module models [--module other] [--app-factory app:create_app]

Stages, in order.  A failing stage is reported and the later ones still run where
they can, so one report shows every error ("one bug hides another", seed 002):

``import``      ``--app-factory`` (called, its app context pushed), then each
                ``--module``; a failed import ends the probe
``configure``   each declarative registry's ``configure()``, then
                ``sqlalchemy.orm.configure_mappers()``; a mapper that fails is
                reported, skipped, and configuration resumes
``create_all``  ``create_all()`` of every MetaData reachable from the models, each
                on its own in-memory SQLite (schemas ATTACHed)
``done``        nothing failed

Output: exactly ONE JSON object on stdout (ASCII, sorted keys, one line).  What the
user's code prints, even from C, goes to stderr: file descriptor 1 is pointed at
stderr before any user code runs.  Progress lines ``unify-probe: stage NAME`` on
stderr tell the caller where a probe that died or hung got to.

    {"ok": bool,
     "stage": "usage"|"environment"|"import"|"configure"|"create_all"|"done",
     "error": ERROR | null,        # the first error; null when ok
     "errors": [ERROR, ...],       # every error found, in the order found
     "warnings": ["...", ...],     # sorted, unique: SAWarnings, SQLite stand-ins
     "schema": {"<schema.>table": {
         "columns": {"name": {"type": "VARCHAR(36)", "declared": "String(length=36)",
                              "nullable": bool, "primary_key": bool}},
         "foreign_keys": [["col", "table.col"], ...],
         "indexes": [["name", ["col" | "sql expression", ...], unique], ...],
         "unique": [["name" | null, ["col", ...]], ...],
         "checks": [["name" | null, "sql text"], ...]}},
     "mappers": ["Class (table)", ...],
     "sqlalchemy": "2.0.x" | null}
    ERROR = {"type": "InvalidRequestError", "message": "...", "model": "Class" | null,
             "property": "Class.attr" | null, "location": "path/file.py:12" | null}

``stage`` is the first stage that failed.  "usage" and "environment" mean the probe
could not do its job (bad arguments, no SQLAlchemy); the others mean the models
are broken.  ``model`` is the class being configured (not just the one the message
names), ``property`` the relationship that failed, ``location`` the project file and
line of the class, or of the innermost project frame for import errors.

Column types, deterministically: ``type`` is the DDL SQLite gets,
``str(col.type.compile(dialect=sqlite))``; a type SQLite cannot compile (PostgreSQL
``ARRAY``, ``INET``...) is the bare upper-case type name (``ARRAY``), which SQLite
accepts as a column type, plus a warning naming the columns.  ``declared`` is
``repr(col.type)``, SQLAlchemy's constructor-style repr (``DateTime(timezone=True)``,
``ARRAY(String(length=20))``) with memory addresses masked: it keeps what the SQLite
rendering loses.

Dialect-specific SQL is not a model error: a server default or CHECK constraint
SQLite cannot parse (``'{}'::jsonb``), and an index SQLite rejects for any reason
but a duplicate name, are left out of the SQLite check with a warning; the schema
still lists them as declared.

Exit status: 0 ok; 1 the models are broken; 2 a usage error or an unusable
environment (SQLAlchemy missing or too old).  The JSON is printed in every case.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import re
import sys
import traceback
import warnings

STAGE_MARK = "unify-probe: stage "
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")
_MAPPER_NAME = re.compile(r"Mapper\[(\w+)\(")
_TABLE_IN_MESSAGE = re.compile(r"(?:in table|table|column) '([^']+?)(?:'|\.[^.']+')")
_CLASS_LINE = re.compile(r"^\s*class\s+(\w+)")
_IDENT = r'(?:"(?:[^"]|"")+"|[^\s."(]+)'
_CREATE_INDEX = re.compile(  # group 1: the index name, without the "schema." SQLite wants
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:%s\.)?(%s)" % (_IDENT, _IDENT),
    re.I,
)
_CREATE_TABLE = re.compile(r'CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([\w.]+)"?', re.I)
_INDEX_ON = re.compile(r'CREATE\s+(?:UNIQUE\s+)?INDEX\s.*?\sON\s+"?([\w.]+)"?', re.I | re.S)
_MODULE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _clean(message):
    """An exception message, stable across runs: no memory addresses, no doc links."""
    message = _BACKGROUND.sub("", str(message))
    return _ADDRESS.sub(" at 0x...", message).strip()


def _stage(name):
    sys.stderr.write(STAGE_MARK + name + "\n")
    sys.stderr.flush()


class Report:
    def __init__(self, root, sqlalchemy_version=None):
        self.root = os.path.realpath(root)
        self.stage = None  # the first stage that failed
        self.errors = []
        self.warnings = set()
        self.schema = {}
        self.mappers = []
        self.sqlalchemy = sqlalchemy_version

    def fail(self, stage, exc, model=None, prop=None, location=None, kind=None, prefix=""):
        if isinstance(exc, BaseException):
            message, kind = _clean(exc), kind or type(exc).__name__
        else:
            message, kind = str(exc), kind or "Error"
        error = {
            "type": kind,
            "message": prefix + message,
            "model": model if model is not None else _model_from_message(message),
            "property": prop,
            "location": location,
        }
        if error in self.errors:  # e.g. a broken module imported again by the next one
            return
        if self.stage is None:
            self.stage = stage
        self.errors.append(error)

    def warn(self, text):
        self.warnings.add(_clean(text))

    def as_json(self):
        return {
            "ok": not self.errors,
            "stage": self.stage if self.errors else "done",
            "error": self.errors[0] if self.errors else None,
            "errors": self.errors,
            "warnings": sorted(self.warnings),
            "schema": self.schema,
            "mappers": sorted(self.mappers),
            "sqlalchemy": self.sqlalchemy,
        }


def _model_from_message(message):
    match = _MAPPER_NAME.search(message)
    return match.group(1) if match else None


# --------------------------------------------------------------------------- output


def _claim_stdout():
    """Keep the real stdout for the report; point fd 1 (prints, C output) at stderr."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no usable fd 1: report on whatever sys.stdout is
        return sys.stdout
    return os.fdopen(saved, "w", encoding="ascii", errors="backslashreplace")


def _emit(stream, payload):
    stream.write(json.dumps(payload, sort_keys=True, ensure_ascii=True) + "\n")
    stream.flush()


# --------------------------------------------------------------------------- import


def _inside(path, root):
    """True when path is a file of the project (under root, not an installed tree)."""
    if not path or path.startswith("<") or not os.path.isabs(path):
        return False  # generated code ("<string>", SQLAlchemy's wrappers), not a file
    real = os.path.realpath(path)
    if not (real == root or real.startswith(root + os.sep)):
        return False
    if any(p in ("site-packages", "dist-packages") for p in real[len(root) :].split(os.sep)):
        return False
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        prefix = os.path.realpath(prefix)  # a virtualenv inside the project
        if prefix.startswith(root + os.sep) and real.startswith(prefix + os.sep):
            return False
    return True


def _relative(path, root):
    return os.path.relpath(os.path.realpath(path), root).replace(os.sep, "/")


def _locate(exc, root):
    """(class name, "file.py:line") of the innermost project frame of exc's traceback."""
    import linecache

    if isinstance(exc, SyntaxError) and exc.filename and _inside(exc.filename, root):
        return None, "%s:%s" % (_relative(exc.filename, root), exc.lineno)
    model = location = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if _inside(code.co_filename, root):
            location = "%s:%d" % (_relative(code.co_filename, root), tb.tb_lineno)
            space = tb.tb_frame.f_locals
            if code.co_name != "<module>" and "__qualname__" in space and "__module__" in space:
                model = str(space["__qualname__"])  # raised while running a class body
            else:  # raised by the class statement itself (declarative's processing)
                found = _CLASS_LINE.match(linecache.getline(code.co_filename, tb.tb_lineno))
                model = found.group(1) if found else None
        tb = tb.tb_next
    return model, location


def _import_failed(report, exc, prefix=""):
    model, location = _locate(exc, report.root)
    if isinstance(exc, SystemExit):
        report.fail(
            "import",
            "the code called sys.exit(%r) while being imported" % (exc.code,),
            model=model,
            location=location,
            kind="SystemExit",
            prefix=prefix,
        )
    else:
        report.fail("import", exc, model=model, location=location, prefix=prefix)


def _import_stage(report, modules, app_factory):
    """Import everything; returns (app context or None, whether all imports worked)."""
    _stage("import")
    app_context = None
    if app_factory:
        module_name, _, attr = app_factory.partition(":")
        try:
            target = importlib.import_module(module_name)
            for part in attr.split("."):
                target = getattr(target, part)
            app = target()
            if hasattr(app, "app_context"):
                app_context = app.app_context()
                app_context.push()
        except (Exception, SystemExit) as exc:
            _import_failed(report, exc, prefix="app factory %s: " % app_factory)
            return None, False
    for name in modules:
        try:
            importlib.import_module(name)
        except (Exception, SystemExit) as exc:
            _import_failed(report, exc)
    return app_context, not report.errors


# --------------------------------------------------------------------------- discovery


def _discover(report, module_names):
    """Every declarative registry and MetaData the imported project can reach.

    Scans the globals of the given modules and of every project module imported
    with them: Flask-SQLAlchemy ``db`` objects (``db.Model`` and one MetaData per
    bind), ``DeclarativeBase`` subclasses, ``declarative_base()`` results and mapped
    classes, ``registry`` / ``MetaData`` / ``Table`` objects; then every registry
    SQLAlchemy knows of, and the MetaData of every mapped table.  Deterministic order.
    """
    from sqlalchemy import MetaData, Table
    from sqlalchemy.orm import Mapper
    Registry = _registry_class()

    registries = {}
    metadatas = {}

    def add_metadata(md):
        if isinstance(md, MetaData):
            metadatas.setdefault(id(md), md)

    def add_registry(reg):
        if isinstance(reg, Registry) and id(reg) not in registries:
            registries[id(reg)] = reg
            add_metadata(reg.metadata)

    def visit(obj):
        if isinstance(obj, Registry):
            add_registry(obj)
        elif isinstance(obj, MetaData):
            add_metadata(obj)
        elif isinstance(obj, Table):
            add_metadata(obj.metadata)
        elif isinstance(obj, type):
            for klass in obj.__mro__:  # class __dict__s only: no descriptor runs
                space = klass.__dict__
                add_registry(space.get("registry"))
                add_registry(space.get("_sa_registry"))  # SQLModel
                add_metadata(space.get("metadata"))
                table = space.get("__table__")
                if isinstance(table, Table):
                    add_metadata(table.metadata)
                mapper = space.get("__mapper__")
                if isinstance(mapper, Mapper):
                    add_registry(mapper.registry)
        elif type(obj).__module__.split(".")[0] == "flask_sqlalchemy":
            for value in (getattr(obj, "metadatas", None) or {}).values():
                add_metadata(value)
            add_metadata(getattr(obj, "metadata", None))
            model = getattr(obj, "Model", None)
            if isinstance(model, type):
                visit(model)

    scanned = set()
    for name in list(module_names) + sorted(sys.modules):
        module = sys.modules.get(name)
        if module is None or id(module) in scanned:
            continue
        if name not in module_names and not _inside(getattr(module, "__file__", None), report.root):
            continue
        scanned.add(id(module))
        for value in list(vars(module).values()):
            try:
                visit(value)
            except Exception:  # a module global whose attributes explode
                continue

    # registries nobody exported: configure_mappers() configures them all the same
    mapper_module = importlib.import_module("sqlalchemy.orm.mapper")
    others = list(getattr(mapper_module, "_mapper_registries", {}))
    if not Registry:  # SQLAlchemy 1.3: stand-ins, one per declarative base
        others = _legacy_registries(mapper_module)
        for reg in others:
            registries.setdefault(id(reg), reg)
            add_metadata(reg.metadata)
    for reg in sorted(others, key=lambda r: sorted(_class_key(m.class_) for m in r.mappers)):
        add_registry(reg)

    for reg in list(registries.values()):
        for mapper in sorted(reg.mappers, key=lambda m: _class_key(m.class_)):
            for table in getattr(mapper, "tables", ()):
                add_metadata(getattr(table, "metadata", None))
    return list(registries.values()), list(metadatas.values())


def _registry_class():
    """sqlalchemy.orm.registry (1.4+), or () on 1.3, which has none: isinstance is False."""
    try:
        from sqlalchemy.orm import registry
    except ImportError:
        return ()
    return registry


class _LegacyRegistry(object):
    """SQLAlchemy 1.3 has no registry objects: this stands in for one declarative base
    (its ``_decl_class_registry`` and ``metadata``), or for the classical mappers.

    It offers what the probe uses of a registry: ``mappers``, ``metadata``,
    ``_class_registry`` and ``configure()``.
    """

    def __init__(self, mappers, class_registry=None, metadata=None):
        self.mappers = frozenset(mappers)
        self._class_registry = class_registry if class_registry is not None else {}
        self.metadata = metadata

    def configure(self, cascade=True):
        from sqlalchemy.orm import configure_mappers

        configure_mappers()  # 1.3 configures every mapper at once


def _legacy_registries(mapper_module):
    """Stand-in registries for SQLAlchemy 1.3, grouping its mappers by declarative base."""
    groups = {}
    for mapper in sorted(getattr(mapper_module, "_mapper_registry", {}), key=lambda m: _class_key(
            m.class_)):
        class_registry = getattr(mapper.class_, "_decl_class_registry", None)
        key = id(class_registry) if isinstance(class_registry, dict) else None
        mappers, _, metadata = groups.setdefault(key, ([], class_registry, None))
        mappers.append(mapper)
        if metadata is None:
            table = getattr(mapper.local_table, "metadata", None)
            groups[key] = (mappers, class_registry, table)
    return [
        _LegacyRegistry(mappers, class_registry if isinstance(class_registry, dict) else None,
                        metadata)
        for mappers, class_registry, metadata in groups.values()
    ]


def _class_key(cls):
    return (cls.__module__, cls.__qualname__)


def _class_location(cls, root):
    """Where a project class is defined, as "path/file.py:line"; None elsewhere."""
    import inspect

    try:
        path = inspect.getsourcefile(cls)
        if not _inside(path, root):
            return None
        return "%s:%d" % (_relative(path, root), inspect.getsourcelines(cls)[1])
    except (TypeError, OSError, IndexError):
        return None


def _mapper_label(mapper):
    selectable = mapper.persist_selectable
    name = getattr(selectable, "fullname", None) or getattr(mapper.local_table, "fullname", None)
    return "%s (%s)" % (mapper.class_.__name__, name or getattr(selectable, "description", "?"))


def _table_owners(registries):
    """table fullname -> the class mapped to it (the first by module and name)."""
    owners = {}
    for reg in registries:
        for mapper in reg.mappers:
            table = getattr(mapper.local_table, "fullname", None)
            if table:
                owners.setdefault(table, []).append(mapper.class_)
    return {table: min(classes, key=_class_key) for table, classes in owners.items()}


def _duplicate_class_warnings(report, registries):
    """Same-named classes on one registry: any string reference to the name will fail."""
    for reg in registries:
        for name, entry in list(getattr(reg, "_class_registry", {}).items()):
            if type(entry).__name__ != "_MultipleClassMarker":
                continue
            classes = (ref() for ref in getattr(entry, "contents", ()))
            where = sorted("%s.%s" % (c.__module__, c.__name__) for c in classes if c is not None)
            report.warn(
                "%d classes named %r share one declarative registry (%s): a string reference "
                "to %r fails with 'Multiple classes found'"
                % (len(where), name, ", ".join(where), name)
            )


# --------------------------------------------------------------------------- configure


def _configure_stage(report, registries):
    """Configure every mapper; report each one that fails and carry on without it."""
    _stage("configure")
    from sqlalchemy import event
    from sqlalchemy.orm import Mapper, configure_mappers
    from sqlalchemy.orm.interfaces import EXT_SKIP

    skipped = set()

    def skip_failed(mapper, class_):
        return EXT_SKIP if mapper in skipped else None

    def until_done(configure):
        for _attempt in range(sum(len(reg.mappers) for reg in registries) + 2):
            try:
                configure()
                return
            except Exception as exc:
                failed = sorted(
                    (
                        m
                        for reg in registries
                        for m in reg.mappers
                        if m not in skipped and m.__dict__.get("_configure_failed")
                    ),
                    key=lambda m: _class_key(m.class_),
                )
                if not failed:  # nothing to skip: report it and stop
                    report.fail("configure", exc)
                    return
                for mapper in failed:
                    original = mapper.__dict__.pop("_configure_failed")
                    report.fail(
                        "configure",
                        original if isinstance(original, BaseException) else exc,
                        model=mapper.class_.__name__,
                        prop=_failed_property(mapper),
                        location=_class_location(mapper.class_, report.root),
                    )
                    skipped.add(mapper)

    event.listen(Mapper, "before_mapper_configured", skip_failed, retval=True)
    try:
        for reg in registries:  # one at a time, in discovery order: a stable error order
            until_done(functools.partial(reg.configure, cascade=True))
        until_done(configure_mappers)
    finally:
        event.remove(Mapper, "before_mapper_configured", skip_failed)


def _failed_property(mapper):
    """The "Class.attr" whose init() raised, or None."""
    for key, prop in list(mapper._props.items()):
        started = getattr(prop, "_configure_started", False)
        if started and not getattr(prop, "_configure_finished", True):
            return "%s.%s" % (mapper.class_.__name__, key)
    return None


# --------------------------------------------------------------------------- schema


def _sqlite_dialect():
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


def _render_type(type_, dialect):
    """(rendering, fell_back): a column type's SQLite DDL, or its bare upper-case name.

    NullType (no type given, or one still to come from an unresolved foreign key) is
    "NULL" and no fallback: create_all reports it, as it would on any database.
    """
    from sqlalchemy.types import NullType

    if isinstance(type_, NullType):
        return "NULL", False
    try:
        return str(type_.compile(dialect=dialect)), False
    except Exception:
        name = getattr(type_, "__visit_name__", None)
        if not isinstance(name, str) or not name.isidentifier():
            name = type(type_).__name__
        return name.upper(), True


def _constraint_name(constraint):
    name = constraint.name  # may be a naming-convention placeholder, which is no str
    return str(name) if isinstance(name, str) else None


def _index_parts(index):
    parts = []
    for expr in index.expressions:
        name = getattr(expr, "name", None)
        is_column = isinstance(name, str) and hasattr(expr, "table")
        parts.append(name if is_column else _clean(str(expr)))
    return parts


def _all_constraints(table):
    constraints = list(table.constraints)
    for column in table.columns:
        constraints.extend(c for c in column.constraints if c not in constraints)
    return constraints


def _describe_table(table, dialect, fallbacks):
    from sqlalchemy import CheckConstraint, UniqueConstraint

    columns = {}
    for column in table.columns:
        rendered, fell_back = _render_type(column.type, dialect)
        if fell_back:
            fallbacks.setdefault(rendered, set()).add("%s.%s" % (table.fullname, column.name))
        columns[column.name] = {
            "type": rendered,
            "declared": _clean(repr(column.type)),
            "nullable": bool(column.nullable),
            "primary_key": bool(column.primary_key),
        }
    constraints = _all_constraints(table)

    def by_name(rows):
        return sorted(rows, key=lambda row: (row[0] or "",) + tuple(json.dumps(x) for x in row[1:]))

    return {
        "columns": columns,
        "foreign_keys": sorted([fk.parent.name, fk.target_fullname] for fk in table.foreign_keys),
        "indexes": by_name(
            [_constraint_name(ix), _index_parts(ix), bool(ix.unique)] for ix in table.indexes
        ),
        "unique": by_name(
            [_constraint_name(c), [col.name for col in c.columns]]
            for c in constraints
            if isinstance(c, UniqueConstraint)
        ),
        "checks": by_name(
            [_constraint_name(c), _clean(str(c.sqltext))]
            for c in constraints
            if isinstance(c, CheckConstraint)
        ),
    }


def _schema(report, metadatas):
    dialect = _sqlite_dialect()
    fallbacks = {}
    found = {}
    for md in metadatas:
        for table in md.tables.values():
            described = _describe_table(table, dialect, fallbacks)
            found.setdefault(table.fullname, set()).add(json.dumps(described, sort_keys=True))
    for name in sorted(found):
        versions = sorted(found[name])
        report.schema[name] = json.loads(versions[0])
        if len(versions) > 1:
            report.warn(
                "table %r is declared %d different ways in separate MetaData objects; the schema "
                "lists them as %r, %r..." % (name, len(versions), name, name + "#2")
            )
            for number, text in enumerate(versions[1:], start=2):
                report.schema["%s#%d" % (name, number)] = json.loads(text)
    for rendered, columns in sorted(fallbacks.items()):
        report.warn(
            "type %s has no SQLite rendering; created as %s for the check (%s)"
            % (rendered, rendered, ", ".join(sorted(columns)))
        )


# --------------------------------------------------------------------------- create_all


def _sqlite_rejects(sql):
    """SQLite's complaint about one statement run on a scratch database, or None."""
    import sqlite3

    con = sqlite3.connect(":memory:")
    try:
        con.execute(sql)
        return None
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        con.close()


def _make_sqlite_safe(report, metadata, dialect):
    """Set aside, in place, what is valid SQL elsewhere but not on SQLite.

    Runs after the schema was recorded, inside the disposable probe process.
    """
    from sqlalchemy import CheckConstraint
    from sqlalchemy.schema import CreateColumn
    from sqlalchemy.types import UserDefinedType

    class StandIn(UserDefinedType):
        cache_ok = True

        def __init__(self, name):
            self.name = name

        def get_col_spec(self, **kw):
            return self.name

    for table in metadata.tables.values():
        for column in table.columns:
            rendered, fell_back = _render_type(column.type, dialect)
            if fell_back:
                column.type = StandIn(rendered)
            if column.server_default is None:
                continue
            try:
                spec = str(CreateColumn(column).compile(dialect=dialect))
            except Exception:
                continue  # create_all reports it
            why = _sqlite_rejects("CREATE TABLE probe_scratch (%s)" % spec)
            if why:
                report.warn(
                    "server_default of %s.%s is not valid SQLite (%s); left out of the SQLite check"
                    % (table.fullname, column.name, why)
                )
                column.server_default = None
        names = ", ".join('"%s"' % c.name.replace('"', '""') for c in table.columns) or "x"
        for check in _all_constraints(table):
            if not isinstance(check, CheckConstraint):
                continue
            try:
                literal = {"literal_binds": True}
                body = str(check.sqltext.compile(dialect=dialect, compile_kwargs=literal))
            except Exception:
                continue
            why = _sqlite_rejects("CREATE TABLE probe_scratch (%s, CHECK (%s))" % (names, body))
            if why:
                report.warn(
                    "CHECK constraint %s on %s is not valid SQLite (%s); left out of the SQLite check"
                    % (_constraint_name(check) or repr(body), table.fullname, why)
                )
                table.constraints.discard(check)
                for column in table.columns:
                    column.constraints.discard(check)


def _create_all_stage(report, registries, metadatas):
    _stage("create_all")
    from sqlalchemy import create_engine, event
    from sqlalchemy import exc as sa_exc

    owners = _table_owners(registries)
    dialect = _sqlite_dialect()
    for metadata in sorted(metadatas, key=lambda md: sorted(md.tables)):
        if not metadata.tables:
            continue
        _check_foreign_keys(report, metadata, owners)
        _make_sqlite_safe(report, metadata, dialect)
        schemas = sorted({t.schema for t in metadata.tables.values() if t.schema})
        # each index SQLite rejects is set aside and create_all starts again
        for _attempt in range(sum(len(t.indexes) for t in metadata.tables.values()) + 1):
            engine = create_engine("sqlite://")

            @event.listens_for(engine, "connect")
            def attach(dbapi_connection, _record, schemas=schemas):
                for schema in schemas:
                    quoted = schema.replace('"', '""')
                    dbapi_connection.execute("ATTACH DATABASE ':memory:' AS \"%s\"" % quoted)

            try:
                metadata.create_all(engine)
                break
            except sa_exc.DBAPIError as exc:
                why = str(exc.orig)
                index = _CREATE_INDEX.match((exc.statement or "").strip())
                name = index.group(1) if index else None
                if name and name.startswith('"'):
                    name = name[1:-1].replace('""', '"')
                table = (
                    _drop_index(metadata, name) if name and "already exists" not in why else None
                )
                if table is None:
                    _create_all_failed(report, exc, owners)
                    break
                report.warn(
                    "index %s on %s is not valid SQLite (%s); left out of the SQLite check"
                    % (name, table, why)
                )
            except Exception as exc:
                _create_all_failed(report, exc, owners)
                break
            finally:
                engine.dispose()


def _check_foreign_keys(report, metadata, owners):
    """Report every foreign key whose target is missing, then set it aside.

    create_all stops at the first one; resolving them all first reports each, and
    lets create_all go on to check the rest of the schema.
    """
    from sqlalchemy import Integer
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.types import NullType

    unresolvable = (
        sa_exc.NoReferencedTableError,
        sa_exc.NoReferencedColumnError,
        sa_exc.ArgumentError,
    )
    for table in sorted(metadata.tables.values(), key=lambda t: t.fullname):
        constraints = sorted(
            table.foreign_key_constraints,
            key=lambda c: [(e.parent.name, e.target_fullname) for e in c.elements],
        )
        for constraint in constraints:
            try:
                for element in constraint.elements:
                    element.column  # resolves the target, as create_all would
            except unresolvable as exc:
                _create_all_failed(report, exc, owners)
                table.constraints.discard(constraint)
                for element in constraint.elements:
                    table.foreign_keys.discard(element)
                    element.parent.foreign_keys.discard(element)
                    if isinstance(element.parent.type, NullType):
                        # its type was to come from the missing target: one error is enough
                        element.parent.type = Integer()


def _drop_index(metadata, name):
    for table in metadata.tables.values():
        for index in list(table.indexes):
            if index.name == name:
                table.indexes.discard(index)
                return table.fullname
    return None


def _create_all_failed(report, exc, owners):
    owner = _owner_from(exc, owners)
    if owner is None:
        report.fail("create_all", exc)
    else:
        location = _class_location(owner, report.root)
        report.fail("create_all", exc, model=owner.__name__, location=location)


def _owner_from(exc, owners):
    """The mapped class of the table an exception names, or None."""
    for match in _TABLE_IN_MESSAGE.finditer(str(exc)):
        if match.group(1) in owners:
            return owners[match.group(1)]
    statement = getattr(exc, "statement", None) or ""
    found = _CREATE_TABLE.search(statement) or _INDEX_ON.search(statement)
    if found:
        name = found.group(1)  # SQLite's CREATE INDEX names the table without its schema
        for table in sorted(owners):
            if table == name or table.endswith("." + name):
                return owners[table]
    return None


# --------------------------------------------------------------------------- main


def _parse(argv):
    parser = _Parser(
        prog="probe.py",
        description="Import SQLAlchemy models, configure the mappers, create_all on SQLite; "
        "print one JSON report.",
    )
    parser.add_argument("--root", required=True, help="the project (cwd, first on sys.path)")
    parser.add_argument(
        "--module", action="append", required=True, dest="modules", help="a module to import"
    )
    parser.add_argument("--app-factory", help="module:callable that returns the app, called first")
    parser.add_argument("--import-each", action="store_true",
                        help="only import each --module on its own; report which fail")
    parser.add_argument("--first", action="append", default=[],
                        help="with --import-each: a module imported before each --module")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.root):
        raise UsageError("--root %s is not a folder" % args.root)
    if args.app_factory is not None and not re.match(r"^[\w.]+:[\w.]+$", args.app_factory):
        raise UsageError("--app-factory must look like module:callable, not %r" % args.app_factory)
    for name in args.modules:
        if not _MODULE_NAME.match(name):
            raise UsageError("--module %r is not a dotted module name" % name)
    return args


def _fatal(stream, stage, kind, message, version=None):
    """Report a probe that cannot do its job at all; exit status 2."""
    error = {"type": kind, "message": message, "model": None, "property": None, "location": None}
    report = Report(os.curdir, version)
    report.stage, report.errors = stage, [error]
    _emit(stream, report.as_json())
    return 2


def main(argv=None):
    try:
        args = _parse(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        sys.stderr.write("probe.py: error: %s\n" % exc)
        return _fatal(sys.stdout, "usage", "UsageError", "probe.py: %s" % exc)

    out = _claim_stdout()
    root = os.path.realpath(args.root)
    # probe.py's folder (unify/) is sys.path[0]: its modules must not shadow the project's
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != here]
    sys.path.insert(0, root)
    os.chdir(root)
    sys.argv = sys.argv[:1]  # the project's import-time argparse must not see ours
    sys.dont_write_bytecode = True

    _stage("environment")
    try:
        import sqlalchemy
    except ImportError as exc:
        return _fatal(
            out,
            "environment",
            "MissingSQLAlchemy",
            "SQLAlchemy is not importable by %s (%s): install SQLAlchemy in the interpreter "
            "given with --python" % (sys.executable, _clean(exc)),
        )
    version = str(getattr(sqlalchemy, "__version__", "0"))
    if tuple(int(p) for p in re.findall(r"\d+", version)[:2]) < (1, 3):
        return _fatal(
            out,
            "environment",
            "UnsupportedSQLAlchemy",
            "SQLAlchemy %s in %s is too old: the probe needs SQLAlchemy 1.3 or later"
            % (version, sys.executable),
            version,
        )

    from sqlalchemy.exc import SAWarning

    report = Report(root, version)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SAWarning)
        try:
            (_import_each if args.import_each else _run)(report, args)
        except Exception as exc:  # a bug of the probe itself: say so, keep what was found
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            report.fail(
                "environment",
                exc,
                location="%s:%s" % (os.path.basename(frame.filename), frame.lineno),
                prefix="internal error of the unify probe (please report it): ",
            )
    for item in caught:
        if issubclass(item.category, SAWarning):
            report.warn("%s: %s" % (item.category.__name__, item.message))
    _emit(out, _with_imports(report))
    return 1 if report.errors else 0


def _run(report, args):
    app_context, imported = _import_stage(report, args.modules, args.app_factory)
    if not imported:
        return
    try:
        registries, metadatas = _discover(report, args.modules)
        for reg in registries:
            report.mappers.extend(_mapper_label(m) for m in reg.mappers)
        if not any(md.tables for md in metadatas):
            report.warn(
                "no SQLAlchemy model or table found in %s: nothing was checked; name the "
                "modules that define the models" % ", ".join(args.modules)
            )
        _duplicate_class_warnings(report, registries)
        _schema(report, metadatas)
        _configure_stage(report, registries)
        _create_all_stage(report, registries, metadatas)
    finally:
        if app_context is not None:
            try:
                app_context.pop()
            except Exception:
                pass


# --------------------------------------------------------------------------- import each


def _import_each(report, args):
    """``--import-each``: import every ``--module`` as a fresh interpreter would, each
    after the project's modules the previous one loaded are forgotten (third-party
    modules stay loaded), after the ``--first`` modules (the application, when the
    project's modules only import once it is loaded).  ``report.imports`` maps each to None (it imported) or the
    last line of its error, e.g. ``ImportError: cannot import name 'x' from partially
    initialized module 'pkg.y' (most likely due to a circular import)``.  A module
    that fails is not a probe error: the caller compares before and after."""
    _stage("import")
    report.imports = {}
    loaded = set(sys.modules)
    for name in args.modules:
        for key in [k for k in sys.modules if k not in loaded]:
            if _in_project(sys.modules.get(key), report.root):
                del sys.modules[key]
        try:
            for first in args.first:
                importlib.import_module(first)
            importlib.import_module(name)
            report.imports[name] = None
        except (Exception, SystemExit) as exc:
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            report.imports[name] = _clean(last.replace(report.root + os.sep, ""))


def _in_project(module, root):
    files = [getattr(module, "__file__", None)] + list(getattr(module, "__path__", None) or [])
    return any(f and _inside(os.path.realpath(f), root) for f in files)


def _with_imports(report):
    data = report.as_json()
    if hasattr(report, "imports"):
        data["imports"] = report.imports
    return data


if __name__ == "__main__":
    sys.exit(main())
