"""Stage 3: diagnostics. The static twin of the seeds' runtime failures.

Reads only the :class:`~unify.inventory.Inventory`; every check is a small
function returning :class:`~unify.diagnostics.Diagnostic` records.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import replace
from typing import Callable, Iterable, Iterator

from unify.diagnostics import Diagnostic
from unify.facts import ColumnFact, RelationshipFact
from unify.inventory import Inventory, ModelInfo
from unify.sqltypes import type_family

Check = Callable[[Inventory], Iterable[Diagnostic]]


class Schema:
    """Tables and classes the models declare, for FK and relationship lookups."""

    def __init__(self, inventory: Inventory) -> None:
        self.models_by_name: dict[str, list[ModelInfo]] = defaultdict(list)
        self.columns: dict[str, dict[str, ColumnFact]] = defaultdict(dict)
        self.models = inventory.models
        for model in inventory.models:
            self.models_by_name[model.name].append(model)
        for model in inventory.models:
            table = model.qualified_table
            if table is not None:
                for col in self.all_columns(model):
                    self.columns[table].setdefault(col.db_name or col.name, col)
        self.table_variables = {t.variable for t in inventory.tables}
        for table in inventory.tables:
            name = f"{table.schema}.{table.name}" if table.schema else table.name
            for col in table.columns:
                self.columns[name].setdefault(col.name, col)

    def all_columns(self, model: ModelInfo) -> list[ColumnFact]:
        """Columns of the model's table row: its own, its mixins', its parents'."""
        return [c for m in [model, *self.ancestors(model)] for c in m.columns]

    def ancestors(self, model: ModelInfo) -> list[ModelInfo]:
        """The models it inherits from, nearest first (cycles cut)."""
        chain: list[ModelInfo] = []
        parent = self.parent(model)
        while parent is not None and parent is not model and parent not in chain:
            chain.append(parent)
            parent = self.parent(parent)
        return chain

    def parent(self, model: ModelInfo) -> ModelInfo | None:
        if model.parent is None:
            return None
        candidates = self.models_by_name.get(model.parent, [])
        return candidates[0] if candidates else None

    def unknown(self, model: ModelInfo) -> tuple[str, ...]:
        """Why the model's columns are not all known (its own or its ancestors' calls)."""
        return tuple(u for m in [model, *self.ancestors(model)] for u in m.unknown)

    def unknown_table(self, table: str) -> tuple[str, ...]:
        return tuple(u for m in self.models if m.qualified_table == table
                     for u in self.unknown(m))

    def find_table(self, name: str) -> str | None:
        if name in self.columns:
            return name
        bare = [t for t in self.columns if t.rsplit(".", 1)[-1] == name]
        return bare[0] if len(bare) == 1 else None

    def suggest(self, name: str, column: str) -> str | None:
        """The closest table name that has ``column``."""
        pool = [t for t, cols in self.columns.items() if column in cols]
        close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
        return close[0] if close else None

    def relationships_of(self, name: str) -> list[tuple[ModelInfo, RelationshipFact]]:
        return [
            (m, rel)
            for model in self.models_by_name.get(name, [])
            for m in [model, *self.ancestors(model)]
            for rel in m.relationships
        ]


def unknown_note(d: Diagnostic, reasons: tuple[str, ...]) -> Diagnostic:
    """A finding that depends on columns unify could not evaluate, as a note (U106)."""
    shown = "; ".join(reasons[:2]) + (f" (+{len(reasons) - 2} more)" if len(reasons) > 2 else "")
    return Diagnostic(
        d.path, d.line, "U106", d.subject,
        f"not checked: {d.message}; but unify cannot evaluate {shown}",
        "check it by hand; no fix is proposed from an unknown column set",
    )


def _split_fk(target: str) -> tuple[str, str] | None:
    if "." not in target:
        return None
    table, column = target.rsplit(".", 1)
    return table, column


# -- U001 -----------------------------------------------------------------------


def parse_errors(inv: Inventory) -> Iterator[Diagnostic]:
    for err in inv.parse_errors:
        yield Diagnostic(err.path, err.line, "U001", "", err.message, err.hint)


# -- U101 / U102 --------------------------------------------------------------------


def duplicate_classes(inv: Inventory) -> Iterator[Diagnostic]:
    by_name: dict[str, list[ModelInfo]] = defaultdict(list)
    for model in inv.models:
        by_name[model.name].append(model)
    for name, models in sorted(by_name.items()):
        models.sort(key=lambda m: (m.path, m.line))
        if len({m.path for m in models}) < 2:
            continue
        first = models[0]
        for other in models[1:]:
            yield Diagnostic(
                other.path, other.line, "U101", name,
                f"model class {name} is also defined in {first.path}:{first.line}; "
                f'SQLAlchemy fails with "Multiple classes found for path {name!r}"',
                "keep one definition (unify plan picks a winner) and import it everywhere",
            )


def duplicate_tables(inv: Inventory) -> Iterator[Diagnostic]:
    by_table: dict[str, list[ModelInfo]] = defaultdict(list)
    for model in inv.models:
        if model.qualified_table and model.tablename_source != "inherited":
            by_table[model.qualified_table].append(model)
    for table, models in sorted(by_table.items()):
        if len(models) < 2:
            continue
        models.sort(key=lambda m: (m.path, m.name))
        first = models[0]
        for other in models[1:]:
            yield Diagnostic(
                other.path, other.line, "U102", other.name,
                f"{other.name} maps table {table!r}, already mapped by "
                f"{first.name} ({first.path}:{first.line}); {_column_diff(first, other)}",
                "merge the two classes into one (unify plan proposes how)",
            )


def _column_diff(a: ModelInfo, b: ModelInfo) -> str:
    cols_a = {c.name: c for c in a.columns}
    cols_b = {c.name: c for c in b.columns}
    label_a, label_b = (a.name, b.name) if a.name != b.name else (a.path, b.path)
    parts = []
    only_a = sorted(set(cols_a) - set(cols_b))
    only_b = sorted(set(cols_b) - set(cols_a))
    if only_a:
        parts.append(f"only in {label_a}: {', '.join(only_a)}")
    if only_b:
        parts.append(f"only in {label_b}: {', '.join(only_b)}")
    for name in sorted(set(cols_a) & set(cols_b)):
        if cols_a[name].type != cols_b[name].type and cols_a[name].type and cols_b[name].type:
            parts.append(f"{name}: {cols_a[name].type} vs {cols_b[name].type}")
    return "; ".join(parts) if parts else "same columns"


# -- U103 / U104 / U105 -------------------------------------------------------------


def foreign_keys(inv: Inventory) -> Iterator[Diagnostic]:
    schema = Schema(inv)
    for model in inv.models:
        for col in model.columns:
            if col.foreign_key:
                yield from _check_fk(schema, model.path, f"{model.name}.{col.name}", col)
    for table in inv.tables:
        for col in table.columns:
            if col.foreign_key:
                yield from _check_fk(schema, table.path, f"{table.name}.{col.name}", col)


def _check_fk(schema: Schema, path: str, subject: str, col: ColumnFact) -> Iterator[Diagnostic]:
    target = col.foreign_key or ""
    split = _split_fk(target)
    if split is None:
        return
    table, column = split
    if table in schema.models_by_name:  # ForeignKey(User.id): a class attribute
        model = schema.models_by_name[table][0]
        table = model.qualified_table or table
    found = schema.find_table(table)
    if found is None:
        suggestion = schema.suggest(table, column)
        yield Diagnostic(
            path, col.line, "U103", subject,
            f"{subject} references {target!r}, but no model or Table defines table {table!r}",
            f"did you mean {suggestion + '.' + column!r}?" if suggestion
            else "add the missing model, or point the foreign key at an existing table",
        )
        return
    referenced = schema.columns[found].get(column)
    if referenced is None:
        finding = Diagnostic(
            path, col.line, "U104", subject,
            f"{subject} references {target!r}, but table {found!r} has no column {column!r}",
            f"columns of {found}: {', '.join(sorted(schema.columns[found]))}",
        )
        unknown = schema.unknown_table(found)
        yield unknown_note(finding, unknown) if unknown else finding
        return
    mine, theirs = type_family(col.type), type_family(referenced.type)
    if mine and theirs and mine != theirs:
        yield Diagnostic(
            path, col.line, "U105", subject,
            f"{subject} is {col.type} but references {found}.{column}, which is {referenced.type}",
            f"declare {subject} as {referenced.type} (unify plan records this as a fix)",
        )


# -- U201 .. U205 -------------------------------------------------------------------


def relationships(inv: Inventory) -> Iterator[Diagnostic]:
    schema = Schema(inv)
    backrefs = {
        (rel.target, rel.backref) for m in inv.models for rel in m.relationships if rel.backref
    }
    for model in inv.models:
        for rel in model.relationships:
            yield from _check_relationship(schema, backrefs, model, rel)


def _check_relationship(schema, backrefs, model: ModelInfo, rel: RelationshipFact):
    subject = f"{model.name}.{rel.name}"
    if rel.target is None:
        return
    if rel.target not in schema.models_by_name:
        yield Diagnostic(
            model.path, rel.line, "U201", subject,
            f"{subject} points at class {rel.target!r}, which no model defines "
            f"(SQLAlchemy: \"expression '{rel.target}' failed to locate a name\")",
            _closest_class(schema, rel.target),
        )
        return
    if rel.secondary is not None and not _known_secondary(schema, rel.secondary):
        yield Diagnostic(
            model.path, rel.line, "U205", subject,
            f"{subject} uses secondary={rel.secondary!r}, a table nobody defines",
            "define the association Table, or fix the name",
        )
    target = schema.models_by_name[rel.target][0]
    unknown = schema.unknown(model) + tuple(
        u for t in schema.models_by_name[rel.target] for u in schema.unknown(t))
    if rel.back_populates:
        for finding in _check_partner(schema, backrefs, model, rel, subject):
            partner_unknown = finding.code == "U202" and tuple(
                u for t in schema.models_by_name[rel.target] for u in schema.unknown(t))
            yield unknown_note(finding, partner_unknown) if partner_unknown else finding
    if rel.secondary is None and not rel.primaryjoin and not rel.foreign_keys:
        if not _fk_path(schema, model, target):
            finding = Diagnostic(
                model.path, rel.line, "U204", subject,
                f"no foreign key links {model.qualified_table} and {target.qualified_table}: "
                f"SQLAlchemy cannot determine the join condition of {subject}",
                f"add a ForeignKey column on one side, or remove {subject}",
            )
            yield unknown_note(finding, unknown) if unknown else finding


def _closest_class(schema: Schema, name: str) -> str:
    close = difflib.get_close_matches(name, list(schema.models_by_name), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "add the missing model, or remove the relationship"


def _known_secondary(schema: Schema, secondary: str) -> bool:
    if secondary in schema.table_variables or schema.find_table(secondary):
        return True
    return not secondary.replace(".", "").isidentifier()  # an expression we cannot judge


def _check_partner(schema, backrefs, model, rel, subject):
    partners = [r for m, r in schema.relationships_of(rel.target) if r.name == rel.back_populates]
    if not partners:
        if (model.name, rel.back_populates) in backrefs:
            return
        yield Diagnostic(
            model.path, rel.line, "U202", subject,
            f"{subject} has back_populates={rel.back_populates!r}, "
            f"but {rel.target} has no relationship {rel.back_populates!r}",
            f"add {rel.target}.{rel.back_populates} = relationship({model.name!r}, "
            f"back_populates={rel.name!r}), or drop back_populates",
        )
        return
    partner = partners[0]
    lineage = {model.name} | {a.name for a in schema.ancestors(model)}
    if (partner.back_populates and partner.back_populates != rel.name) or (
        partner.target and partner.target not in lineage
    ):
        yield Diagnostic(
            model.path, rel.line, "U203", subject,
            f"{subject} pairs with {rel.target}.{partner.name}, which points back to "
            f"{partner.target}.{partner.back_populates}",
            f"make {rel.target}.{partner.name} use back_populates={rel.name!r} "
            f"and target {model.name!r}",
        )


def _fk_path(schema: Schema, source: ModelInfo, target: ModelInfo) -> bool:
    def points_to(columns: list[ColumnFact], model: ModelInfo) -> bool:
        tables = {model.qualified_table, model.tablename}
        tables |= {a.qualified_table for a in schema.ancestors(model)}
        for col in columns:
            split = _split_fk(col.foreign_key or "")
            if split and (split[0] in tables or split[0] == model.name):
                return True
        return False

    return points_to(schema.all_columns(source), target) or points_to(
        schema.all_columns(target), source
    )


# -- U301 .. U305 ---------------------------------------------------------------------


def circular_imports(inv: Inventory) -> Iterator[Diagnostic]:
    nodes = set(inv.model_modules) | set(inv.reexport_modules)
    edges: dict[str, dict[str, int]] = defaultdict(dict)
    for site in inv.dependents:
        if site.path in nodes and site.scope == "module" and "type_checking" not in site.flags \
                and site.form != "attribute":  # `pkg.old.X` imports nothing
            edges[site.path].setdefault(site.target, site.line)
    for component in _strongly_connected(sorted(nodes), edges):
        members = sorted(component)
        first = members[0]
        cycle = _cycle_from(first, set(component), edges)
        yield Diagnostic(
            first, min(edges[first][t] for t in edges[first] if t in component), "U301",
            ", ".join(members),
            "circular import between model modules: " + " -> ".join(cycle),
            "merge these modules (unify plan/apply), or move the shared import into a function",
        )


def _strongly_connected(nodes: list[str], edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's algorithm; components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges.get(node, {})):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                result.append(component)

    for node in nodes:
        if node not in index:
            visit(node)
    return result


def _cycle_from(start: str, component: set[str], edges) -> list[str]:
    """A shortest cycle start -> ... -> start inside the component (BFS)."""
    parents: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for succ in sorted(edges.get(node, {})):
            if succ == start:
                path = [node]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]])  # type: ignore[arg-type]
                return list(reversed(path)) + [start]
            if succ in component and succ not in parents:
                parents[succ] = node
                queue.append(succ)
    return [start]


def star_imports(inv: Inventory) -> Iterator[Diagnostic]:
    generated = set(inv.generated)
    for site in inv.dependents:
        if site.form == "star" and site.path not in generated:
            yield Diagnostic(
                site.path, site.line, "U302", site.module,
                f"star import of model module {site.module!r} ({site.target})",
                "import the names you use explicitly (unify apply rewrites it to the target)",
            )


def unresolved_imports(inv: Inventory) -> Iterator[Diagnostic]:
    for u in inv.unresolved:
        if u.name is None:
            yield Diagnostic(
                u.path, u.line, "U303", u.module,
                f"import of {u.module!r}: no such module in the project",
                "create the module, or fix the import path",
            )
        else:
            yield Diagnostic(
                u.path, u.line, "U304", f"{u.module}.{u.name}",
                f"cannot import name {u.name!r} from {u.module!r}: it defines no such name "
                "(ImportError at startup)",
                f"add the {u.name} model to {u.module}, or import it from where it lives",
            )


def dynamic_imports(inv: Inventory) -> Iterator[Diagnostic]:
    for dyn in inv.dynamic_imports:
        if dyn.target is not None:
            name = dyn.argument.strip("'\"")
            yield Diagnostic(
                dyn.path, dyn.line, "U305", name,
                f"{dyn.call}({dyn.argument}) loads model module {dyn.target} dynamically",
                "unify cannot rewrite this; change it by hand after apply (the compat module keeps it working)",
            )


CHECKS: tuple[Check, ...] = (
    parse_errors,
    duplicate_classes,
    duplicate_tables,
    foreign_keys,
    relationships,
    circular_imports,
    star_imports,
    unresolved_imports,
    dynamic_imports,
)


#: Checks of models against each other. A folder no root imports (an archive) never
#: runs with the live code: its models are checked among themselves only.
PER_WORLD: tuple[Check, ...] = (duplicate_classes, duplicate_tables, foreign_keys, relationships)


def analyze(inventory: Inventory) -> list[Diagnostic]:
    """Every diagnostic, sorted by path, line and code."""
    worlds = _worlds(inventory)
    return sorted(d for check in CHECKS
                  for part in (worlds if check in PER_WORLD else [inventory])
                  for d in check(part))


def _worlds(inv: Inventory) -> list[Inventory]:
    if not inv.not_imported:
        return [inv]
    keys = sorted({inv.archive_of(m.path) for m in inv.models}
                  | {inv.archive_of(t.path) for t in inv.tables})
    return [replace(inv, models=tuple(m for m in inv.models if inv.archive_of(m.path) == key),
                    tables=tuple(t for t in inv.tables if inv.archive_of(t.path) == key))
            for key in keys]
