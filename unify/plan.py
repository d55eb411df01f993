"""Stage 4: the plan. Pure data: which models go where, and every decision made.

:func:`build_plan` turns an inventory and its diagnostics into a :class:`Plan`
with defaults a reviewer can keep; :mod:`unify.planfile` renders it to an
editable TOML file and reads it back. Nothing here touches the repository.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from unify.cycles import Cycle, created_cycles
from unify.similarity import probable_duplicates

if TYPE_CHECKING:  # types only: loading a stored plan needs no inventory (unify.planmemo)
    from unify.diagnostics import Diagnostic
    from unify.inventory import ImportSite, Inventory, ModelInfo

PLAN_VERSION = 1
RETIRE_MODES = ("shim", "archive", "delete")
RESOLUTIONS = ("keep", "merge", "rename", "?")
FIX_KINDS = ("foreign_key", "column_type", "drop_relationship", "add_back_populates")


@dataclass(frozen=True)
class Section:
    title: str
    models: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    ref: str  # "path:Class"
    line: int
    table: str | None
    columns: int
    problems: int  # broken foreign keys on the class (U103/U104/U105)
    importers: int  # import sites that name it
    home: bool = True  # lives beside the target (the project's new home for models)
    legacy: bool = False  # its path or docstring says legacy / old / deprecated

    def describe(self) -> str:
        notes = [f"table {self.table}", f"{self.columns} columns",
                 f"{self.problems} broken foreign keys", f"{self.importers} importers"]
        if not self.home:
            notes.append("outside the target's folder")
        if self.legacy:
            notes.append("marked legacy")
        return ", ".join(notes)


@dataclass(frozen=True)
class ColumnChoice:
    column: str
    choice: str  # "path:Class" whose definition wins, or "?"
    definitions: tuple[tuple[str, str], ...]  # (candidate ref, definition summary)


@dataclass(frozen=True)
class Conflict:
    name: str  # the class name in the target
    kind: str  # duplicate-class | duplicate-table
    candidates: tuple[Candidate, ...]
    resolution: str  # keep | merge | rename | ?
    keep: str | None  # the primary candidate ("path:Class")
    reason: str
    columns: tuple[ColumnChoice, ...] = ()
    renames: tuple[tuple[str, str], ...] = ()  # (candidate ref, new class name) for "rename"


@dataclass(frozen=True)
class Alias:
    old: str
    new: str
    reason: str
    enabled: bool = True
    score: float | None = None


@dataclass(frozen=True)
class Fix:
    kind: str  # foreign_key | column_type | drop_relationship | add_back_populates
    model: str
    attr: str
    at: str  # "path:line"
    old: str
    new: str
    reason: str
    enabled: bool = True
    data_loss: str = ""  # column_type with Alembic: "?" until "accept" (unify.migration)


@dataclass(frozen=True)
class Stub:
    """A model class generated for a database table no model maps (`plan --database`)."""

    name: str  # the new class; listed in one of the sections like every model
    table: str
    code: str  # the class as it goes into the target
    imports: tuple[str, ...] = ()  # import statements the code needs
    reason: str = ""


@dataclass(frozen=True)
class ColumnAdd:
    """A column the database has and an existing model lacks (`plan --database`)."""

    model: str  # the class in the target
    attr: str
    code: str  # the statement added to the class body
    imports: tuple[str, ...] = ()
    reason: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class DependentSummary:
    module: str  # a source or re-export module
    files: int
    sites: int


@dataclass(frozen=True)
class Plan:
    base_commit: str
    scope: str
    target: str
    compat: str
    retire: str
    header: str
    sources: tuple[str, ...]
    fingerprints: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    conflicts: tuple[Conflict, ...] = ()
    aliases: tuple[Alias, ...] = ()
    fixes: tuple[Fix, ...] = ()
    dependents: tuple[DependentSummary, ...] = ()
    unrewritable: tuple[str, ...] = ()
    stubs: tuple[Stub, ...] = ()
    columns: tuple[ColumnAdd, ...] = ()
    cycles: tuple[Cycle, ...] = ()  # import cycles the merge creates (unify.cycles)
    version: int = PLAN_VERSION
    notes: tuple[str, ...] = field(default=())
    target_reason: str = ""  # why this target, and the alternatives (a comment in the file)

    @property
    def unsettled(self) -> tuple[Conflict, ...]:
        return tuple(
            c for c in self.conflicts
            if c.resolution == "?" or any(col.choice == "?" for col in c.columns)
        )

    @property
    def open_fixes(self) -> tuple[Fix, ...]:
        return tuple(f for f in self.fixes if f.enabled and "?" in (f.old, f.new, f.data_loss))

    @property
    def open_decisions(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.unsettled) + tuple(
            f"{f.model}.{f.attr}" for f in self.open_fixes) + tuple(
            f"cycle {c.source}:{c.line}" for c in self.cycles if c.fix == "?")

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(name for section in self.sections for name in section.models)


# ---------------------------------------------------------------------------


def ref(model: ModelInfo) -> str:
    return f"{model.path}:{model.name}"


def build_plan(
    inv: Inventory,
    diagnostics: list[Diagnostic],
    base_commit: str,
    fingerprints: dict[str, str],
    target: str | None = None,
    compat: str | None = None,
    sources: tuple[str, ...] = (),
    retire: str = "shim",
    target_reason: str = "",
    headings: dict[str, dict[str, str]] | None = None,
) -> Plan:
    """The default plan: every decision made by the stated policies."""
    sources = sources or _default_sources(inv)
    models = [m for m in inv.models if m.path in sources]
    target = target or default_target(inv, sources)
    compat = compat or posixpath.join(posixpath.dirname(target), "models_compat.py")
    conflicts = tuple(sorted(_conflicts(inv, models, diagnostics, target), key=lambda c: c.name))
    winners = _final_names(models, conflicts)
    aliases = _aliases(inv, models, conflicts, sources, winners)
    conflicts += _helper_conflicts(inv, tuple(sources), target, models)
    return Plan(
        base_commit=base_commit,
        scope=inv.scope,
        target=target,
        compat=compat,
        retire=retire,
        header="Database initialization and shared helpers",
        sources=tuple(sources),
        fingerprints=tuple(sorted(fingerprints.items())),
        sections=default_sections(inv, models, winners, headings),
        conflicts=conflicts,
        aliases=aliases,
        fixes=_consistent(tuple(_fixes(inv, models, diagnostics))),
        dependents=_dependent_summary(inv, sources),
        unrewritable=tuple(
            f"{d.path}:{d.line} {d.call}({d.argument})"
            for d in inv.dynamic_imports if d.target in set(sources) | set(inv.reexport_modules)
        ),
        target_reason=target_reason,
        cycles=created_cycles(inv.repo, tuple(sources), target),
    )


def _helper_conflicts(inv: Inventory, sources, target: str, models) -> tuple[Conflict, ...]:
    from unify.helper_conflicts import helper_conflicts

    watched = set(sources) | set(inv.reexport_modules)
    imports = {(site.path, site.line) for site in inv.dependents if site.target in watched}
    return tuple(helper_conflicts(inv.repo, sources, target, {m.name for m in models},
                                  imports))


def _default_sources(inv: Inventory) -> tuple[str, ...]:
    return inv.live_model_modules  # never an archive folder no root imports


def _importers(inv: Inventory, path: str) -> int:
    return sum(1 for site in inv.dependents if site.target == path)


def default_target(inv: Inventory, sources: tuple[str, ...]) -> str:
    """A ``models.py`` (see :mod:`unify.target`), judged from the inventory alone."""
    from unify import target

    def kind(path: str) -> str:
        return target.MODELS if path in inv.model_modules else target.ABSENT

    return target.choose(inv, sources, None, kind).target


# -- conflicts ------------------------------------------------------------------


def _groups(models: list[ModelInfo]) -> list[list[ModelInfo]]:
    """Union of same class name and same table: each group is one entity."""
    parent = list(range(len(models)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[tuple[str, str], int] = {}
    for i, model in enumerate(models):
        keys = [("name", model.name)]
        if model.qualified_table and model.tablename_source != "inherited":
            keys.append(("table", model.qualified_table))
        for key in keys:
            if key in by_key:
                parent[find(i)] = find(by_key[key])
            else:
                by_key[key] = i
    groups: dict[int, list[ModelInfo]] = defaultdict(list)
    for i, model in enumerate(models):
        groups[find(i)].append(model)
    return [g for g in groups.values() if len(g) > 1]


_LEGACY = re.compile(r"(?i)(?<![a-z])(legacy|old|deprecated|archived?|backup|obsolete)(?![a-z])")


def _candidate(inv: Inventory, model: ModelInfo, diagnostics, target: str) -> Candidate:
    problems = sum(
        1 for d in diagnostics
        if d.path == model.path and d.subject.startswith(model.name + ".")
        and d.code in ("U103", "U104", "U105")
    )
    importers = sum(
        1 for site in inv.dependents
        if site.target == model.path and any(name == model.name for name, _ in site.names)
    )
    folder = posixpath.dirname(target)
    home = posixpath.dirname(model.path) == folder or model.path.startswith(folder + "/") \
        if folder else "/" not in model.path
    doc = dict(inv.module_docs).get(model.path, "") + " " + (model.docstring or "")
    legacy = bool(_LEGACY.search(model.path) or _LEGACY.search(doc))
    return Candidate(ref(model), model.line, model.qualified_table, len(model.columns),
                     problems, importers, home, legacy)


def _conflicts(inv: Inventory, models: list[ModelInfo], diagnostics, target: str):
    for group in _groups(models):
        group.sort(key=lambda m: (m.path, m.line))
        candidates = [_candidate(inv, m, diagnostics, target) for m in group]
        tables = {m.qualified_table for m in group}
        kind = "duplicate-table" if len(tables) == 1 and len({m.name for m in group}) > 1 \
            else "duplicate-class"
        if len(tables) > 1:
            yield _rename(group, candidates, kind)
            continue
        yield _settle(group, candidates, kind, diagnostics)


POLICY = ("fewest broken foreign keys, then beside the target, then not marked legacy, "
          "then most importers, then most columns")


def _rank(c: Candidate) -> tuple[int, bool, bool, int, int]:
    return (c.problems, not c.home, c.legacy, -c.importers, -c.columns)


def _settle(group, candidates, kind, diagnostics) -> Conflict:
    ranked = sorted(zip(candidates, group), key=lambda cm: _rank(cm[0]))
    (best, winner), (second, _) = ranked[0], ranked[1]
    if _rank(best) == _rank(second):
        return Conflict(
            name=winner.name, kind=kind, candidates=tuple(candidates), resolution="?",
            keep=None, reason=f"the candidates tie on every criterion of the policy "
            f"({POLICY}): pick one",
        )
    columns = _column_choices(winner, [m for _, m in ranked[1:]], diagnostics)
    extra = any(
        {c.name for c in m.columns} - {c.name for c in winner.columns} for _, m in ranked[1:]
    )
    resolution = "merge" if extra or columns else "keep"
    why = f"policy ({POLICY}) picks {ref(winner)}; "
    why += ("the others have columns it lacks, so they are merged into it"
            if resolution == "merge" else "the others add nothing it lacks")
    return Conflict(
        name=winner.name, kind=kind, candidates=tuple(candidates), resolution=resolution,
        keep=ref(winner), reason=why, columns=columns,
    )


def _column_choices(winner: ModelInfo, others: list[ModelInfo], diagnostics):
    """One choice per column defined differently, however many candidates define it
    (three definitions of one table give one choice listing all three)."""
    choices: dict[str, ColumnChoice] = {}
    mine = {c.name: c for c in winner.columns}
    broken = {(d.path, d.subject) for d in diagnostics if d.code in ("U103", "U104", "U105")}
    for other in others:
        for col in other.columns:
            own = mine.get(col.name)
            if own is None or _definition(own) == _definition(col):
                continue
            own_bad = (winner.path, f"{winner.name}.{col.name}") in broken
            other_bad = (other.path, f"{other.name}.{col.name}") in broken
            earlier = choices.get(col.name)
            choice = ref(other) if own_bad and not other_bad else ref(winner)
            if earlier is not None:
                choice = earlier.choice if earlier.choice != ref(winner) else choice
                definitions = (*earlier.definitions, (ref(other), _definition(col)))
            else:
                definitions = ((ref(winner), _definition(own)), (ref(other), _definition(col)))
            choices[col.name] = ColumnChoice(column=col.name, choice=choice,
                                             definitions=definitions)
    return tuple(choices.values())


def _definition(col) -> str:
    parts = [col.type or "?"]
    if col.foreign_key:
        parts.append(f"FK {col.foreign_key}")
    if col.primary_key:
        parts.append("primary key")
    if col.unique:
        parts.append("unique")
    if col.nullable is not None:
        parts.append("nullable" if col.nullable else "not null")
    return ", ".join(parts)


def _rename(group, candidates, kind) -> Conflict:
    """Same class name, different tables: keep both mapped, rename the less used ones."""
    ranked = sorted(zip(candidates, group), key=lambda cm: _rank(cm[0]))
    winner = ranked[0][1]
    tables = ", ".join(sorted(f"{ref(m)} -> {m.qualified_table}" for m in group))
    return Conflict(
        name=winner.name, kind=kind, candidates=tuple(candidates), resolution="rename",
        keep=ref(winner),
        reason=f"one class name, different tables ({tables}): all stay mapped; "
        f"{ref(winner)} keeps the name (policy), the others are renamed below. "
        "Alternative: keep = one candidate and resolution = \"keep\" (drops the other "
        "tables' mapping)",
        renames=tuple((ref(m), _renamed(m, group)) for _, m in ranked[1:]),
    )


def _renamed(model: ModelInfo, group: list[ModelInfo]) -> str:
    """A distinct name for a same-named class: its first differing folder, camel-cased."""
    others = [m.path.split("/") for m in group if m is not model]
    mine = model.path.split("/")
    for i, part in enumerate(mine[:-1]):
        if all(len(o) <= i or o[i] != part for o in others):
            return _camel(part) + model.name
    return _camel(posixpath.splitext(mine[-1])[0]) + model.name


def _camel(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", text) if w)


def _final_names(models: list[ModelInfo], conflicts: tuple[Conflict, ...]) -> dict[str, str]:
    """``path:Class`` -> the class name it has in the target."""
    names = {ref(m): m.name for m in models}
    for conflict in conflicts:
        primary = conflict.keep or conflict.candidates[0].ref
        for cand in conflict.candidates:
            names[cand.ref] = names[primary] if conflict.resolution in ("keep", "merge") \
                else names[cand.ref]
        for cand_ref, new in conflict.renames:
            if conflict.resolution == "rename":
                names[cand_ref] = new
    return names


# -- aliases ---------------------------------------------------------------------


def _aliases(inv, models, conflicts, sources, winners) -> tuple[Alias, ...]:
    aliases: dict[str, Alias] = {}
    for conflict in conflicts:
        if conflict.resolution not in ("keep", "merge"):
            continue
        for cand in conflict.candidates:
            old = cand.ref.split(":", 1)[1]
            if old != conflict.name:
                aliases[old] = Alias(old, conflict.name, f"{cand.ref} is merged into "
                                     f"{conflict.name} (conflict above)")
    known = {m.name for m in models}
    for site in _source_aliases(inv, sources):
        for name, asname in site.names:
            if asname and asname != name and name in known and asname not in known:
                new = winners.get(f"{site.target}:{name}", name)
                aliases.setdefault(asname, Alias(
                    asname, new, f"{site.path}:{site.line} imports {name} as {asname}"))
    final = set(winners.values())
    for dup in probable_duplicates(models, conflicts):
        if dup.old in final and dup.new in final and dup.old not in aliases:
            aliases[dup.old] = Alias(
                dup.old, dup.new, dup.reason, enabled=False, score=dup.score)
    return tuple(sorted(aliases.values(), key=lambda a: (not a.enabled, a.old)))


def _source_aliases(inv: Inventory, sources) -> list[ImportSite]:
    return [s for s in inv.dependents
            if s.path in sources and s.scope == "module" and s.form != "attribute"]


# -- fixes -----------------------------------------------------------------------------


_HINTED = re.compile(r"did you mean '([\w.]+)'\?")
_DECLARE = re.compile(r"declare \S+ as (.+) \(")


def _fixes(inv: Inventory, models: list[ModelInfo], diagnostics: list[Diagnostic]):
    sources = {m.path for m in models}
    by_ref = {(m.path, m.name): m for m in models}
    tables = {(t.path, t.name): t for t in inv.tables if t.path in sources}
    keys = _primary_keys(inv)
    for d in diagnostics:
        owner, _, attr = d.subject.partition(".")
        model = by_ref.get((d.path, owner))
        if model is not None:
            fix = _fix_for(d, model, attr, keys)
        elif (d.path, owner) in tables:
            table = tables[(d.path, owner)]
            column = next((c for c in table.columns if c.name == attr), None)
            fix = _fk_fix(d, owner, attr, column, keys) if column else None
        else:
            fix = None
        if fix is not None:
            yield _unless_unknown(inv, fix)


def _unless_unknown(inv: Inventory, fix: Fix) -> Fix:
    """A fix on a model whose column set is unknown is written as "?", disabled: unify
    could not see every column, so dropping, rewriting or retyping is only a guess."""
    owners = [m for m in inv.models if m.name == fix.model]
    parents = {m.name: m for m in inv.models}
    reasons = []
    for model in owners:
        seen = set()
        while model is not None and model.name not in seen:
            seen.add(model.name)
            reasons += model.unknown
            model = parents.get(model.parent) if model.parent else None
    if not reasons:
        return fix
    proposed = f" (proposed: `to` = {fix.new!r})" if fix.new not in ("", "?") else ""
    return replace(fix, new="?", enabled=False, reason=(
        f"? {fix.reason}. Not enabled: {fix.model}'s column set is unknown, unify cannot "
        f"evaluate {'; '.join(dict.fromkeys(reasons))}. Check it by hand; to apply it, set "
        f"`to`{proposed} and enabled = true."))


def _consistent(fixes: tuple[Fix, ...]) -> tuple[Fix, ...]:
    """No partner is added for a relationship that another fix drops."""
    dropped = {f"{f.model}.{f.attr}" for f in fixes if f.kind == "drop_relationship"}
    return tuple(f for f in fixes if not (f.kind == "add_back_populates" and f.new in dropped))


def _primary_keys(inv: Inventory) -> dict[str, str]:
    """Table -> its single primary-key column (tables with one)."""
    keys: dict[str, list[str]] = defaultdict(list)
    for model in inv.models:
        for col in model.columns:
            if col.primary_key and model.qualified_table:
                keys[model.qualified_table].append(col.db_name or col.name)
    return {t: cols[0] for t, cols in keys.items() if len(cols) == 1}


def _fk_fix(d: Diagnostic, owner: str, attr: str, column, keys) -> Fix | None:
    """U103: the table the hint names, else "?"; U104: the table's primary key, else "?"."""
    at = f"{d.path}:{d.line}"
    old = column.foreign_key or ""
    if d.code == "U103":
        m = _HINTED.search(d.hint)
        new = m.group(1) if m else "?"
        why = "" if m else " No table is close enough to guess: set `to` to the right target."
        return Fix("foreign_key", owner, attr, at, old, new, f"U103: {d.message}.{why}")
    if d.code == "U104":
        table = old.rsplit(".", 1)[0]
        new = f"{table}.{keys[table]}" if table in keys else "?"
        return Fix("foreign_key", owner, attr, at, old, new,
                   f"U104: {d.message}; pointed at the table's primary key")
    return None


def _fix_for(d: Diagnostic, model: ModelInfo, attr: str, keys) -> Fix | None:
    at = f"{d.path}:{d.line}"
    column = next((c for c in model.columns if c.name == attr), None)
    rel = next((r for r in model.relationships if r.name == attr), None)
    if d.code in ("U103", "U104") and column is not None:
        return _fk_fix(d, model.name, attr, column, keys)
    if d.code == "U105" and column is not None and (m := _DECLARE.search(d.hint)):
        return Fix("column_type", model.name, attr, at, column.type or "", m.group(1),
                   f"U105: {d.message}")
    if d.code in ("U201", "U204", "U205") and rel is not None:
        return Fix("drop_relationship", model.name, attr, at, rel.target or "", "",
                   f"{d.code}: {d.message}; the relationship cannot work, so it is commented "
                   "out (set enabled = false to keep it and fix it by hand)")
    if d.code == "U202" and rel is not None and rel.target and rel.back_populates:
        return Fix("add_back_populates", rel.target, rel.back_populates, at, "",
                   f"{model.name}.{attr}",
                   f"U202: {d.message}; adds the missing partner relationship")
    return None


# -- dependents ---------------------------------------------------------------------------


def _dependent_summary(inv: Inventory, sources) -> tuple[DependentSummary, ...]:
    modules = list(sources) + [m for m in inv.reexport_modules if m not in sources]
    summary = []
    for module in modules:
        sites = [s for s in inv.dependents if s.target == module]
        if sites:
            summary.append(DependentSummary(module, len({s.path for s in sites}), len(sites)))
    return tuple(summary)


# -- models and columns from the database -------------------------------------------------

DATABASE_SECTION = "Tables found only in the database"


def table_classes(inv: Inventory, plan: Plan) -> dict[str, str]:
    """Table -> the class that maps it in the target (after the plan's conflicts)."""
    models = [m for m in inv.models if m.path in plan.sources]
    names = _final_names(models, plan.conflicts)
    found: dict[str, str] = {}
    for model in models:
        if model.qualified_table and model.tablename_source != "inherited":
            found.setdefault(model.qualified_table, names[ref(model)])
    return found


def with_database(plan: Plan, stubs: tuple[Stub, ...], columns: tuple[ColumnAdd, ...],
                  fixes: tuple[Fix, ...], links: dict[str, tuple[set[str], set[str]]]) -> Plan:
    """The plan plus what the database adds; ``links``: stub -> (classes it references,
    classes referencing it), which decide its section."""
    new = [(s.name, *links.get(s.name, (set(), set()))) for s in stubs]
    return replace(plan, sections=place_new_models(plan.sections, new), stubs=stubs,
                   columns=columns, fixes=plan.fixes + fixes)


def place_new_models(sections: tuple[Section, ...],
                     new: list[tuple[str, set[str], set[str]]]) -> tuple[Section, ...]:
    """Put each new model where it belongs, referenced tables before referencing ones.

    Right before the first model that references it; else right after the new
    models it references; else at the end of the section of a model it references
    (not the core section); else in a section of its own at the end.
    """
    lists = [list(s.models) for s in sections]
    titles = [s.title for s in sections]
    refs = {name: set(r) for name, r, _ in new}
    users = {name: set(u) for name, _, u in new}
    stubs = set(refs)
    for name in _topological(sorted(refs), refs):
        at = _before_first(lists, users[name]) or _after_last(lists, refs[name] & stubs) or \
            _end_of_section(lists, titles, refs[name] - stubs)
        if at is None:
            if DATABASE_SECTION not in titles:
                titles.append(DATABASE_SECTION)
                lists.append([])
            at = (titles.index(DATABASE_SECTION), len(lists[titles.index(DATABASE_SECTION)]))
        lists[at[0]].insert(at[1], name)
    return tuple(Section(t, tuple(m)) for t, m in zip(titles, lists))


def _positions(lists: list[list[str]], names: set[str]) -> list[tuple[int, int]]:
    return sorted((i, j) for i, models in enumerate(lists)
                  for j, model in enumerate(models) if model in names)


def _before_first(lists, names: set[str]) -> tuple[int, int] | None:
    found = _positions(lists, names)
    return found[0] if found else None


def _after_last(lists, names: set[str]) -> tuple[int, int] | None:
    found = _positions(lists, names)
    return (found[-1][0], found[-1][1] + 1) if found else None


def _end_of_section(lists, titles, names: set[str]) -> tuple[int, int] | None:
    found = [(i, j) for i, j in _positions(lists, names) if titles[i] != "Core entities"]
    return (found[-1][0], len(lists[found[-1][0]])) if found else None


# -- sections -----------------------------------------------------------------------------


def default_sections(inv: Inventory, models: list[ModelInfo], winners: dict[str, str],
                     headings: dict[str, dict[str, str]] | None = None):
    """The sources' own headings (:mod:`unify.headings`), merged across files by title;
    the models under no heading: core entities first (referenced by many, referencing
    none), then one per source file (or foreign-key clusters).

    Within a section, referenced tables come before the tables that reference them.
    """
    final: dict[str, ModelInfo] = {}
    for model in models:
        final.setdefault(winners[ref(model)], model)
    refs = _references(list(final.values()), final)
    incoming: dict[str, int] = defaultdict(int)
    for name, targets in refs.items():
        for target in targets - {name}:
            incoming[target] += 1
    headed = _headed_sections(inv, models, winners, headings or {}, refs)
    placed = {n for s in headed for n in s.models}
    if placed:
        rest = {n: m for n, m in final.items() if n not in placed}
        return _merge_titles(headed + (
            _unheaded_sections(inv, rest, refs, incoming) if rest else ()))
    return _unheaded_sections(inv, final, refs, incoming)


def _headed_sections(inv, models, winners, headings, refs) -> tuple[Section, ...]:
    """One section per heading title (matched across files), placed so that sections
    referenced by others come first; a merged model goes under its first heading."""
    from unify.headings import key

    rank = {p: i for i, p in enumerate(sorted({m.path for m in models},
                                             key=lambda p: (-_importers(inv, p), p)))}
    titles: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for model in sorted(models, key=lambda m: (rank[m.path], m.line)):
        title = headings.get(model.path, {}).get(model.name)
        name = winners[ref(model)]
        if not title or name in seen:
            continue
        seen.add(name)
        titles.setdefault(key(title), title)
        members[key(title)].append(name)
    order, remaining = [], list(members)
    while remaining:
        others = {n for k in remaining for n in members[k]}

        def outgoing(k: str) -> int:
            return sum(len((refs.get(n, set()) & others) - set(members[k])) for n in members[k])

        pick = min(remaining, key=lambda k: (outgoing(k), remaining.index(k)))
        order.append(pick)
        remaining.remove(pick)
    return tuple(Section(titles[k], tuple(_topological(members[k], refs))) for k in order)


def _merge_titles(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """No two sections with one title: the later one's models join the first."""
    from unify.headings import key

    merged: dict[str, Section] = {}
    for section in sections:
        k = key(section.title)
        if k in merged:
            merged[k] = Section(merged[k].title, merged[k].models + section.models)
        else:
            merged[k] = section
    return tuple(merged.values())


def _unheaded_sections(inv, final: dict[str, ModelInfo], refs, incoming):
    core = sorted((n for n in final if not (refs[n] - {n}) and incoming[n] >= 2),
                  key=lambda n: -incoming[n])
    sections = []
    if core:
        sections.append(Section("Core entities", tuple(_topological(core, refs))))
    rest = [n for n in final if n not in core]
    if len(final) < 2 * len({m.path for m in final.values()}):
        # one model per file (a models/ package): files say little, the FK graph more
        return tuple(sections) + _clusters(rest, refs, incoming)
    by_file: dict[str, list[str]] = defaultdict(list)
    for name in rest:
        by_file[final[name].path].append(name)
    for path in sorted(by_file, key=lambda p: -_importers(inv, p)):
        sections.append(Section(_title(inv, path), tuple(_topological(by_file[path], refs))))
    return tuple(sections)


def _clusters(names: list[str], refs, incoming) -> tuple[Section, ...]:
    """Connected parts of the foreign-key graph, each titled by its most referenced model."""
    parent = {n: n for n in names}

    def find(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    for name in names:
        for target in refs.get(name, set()):
            if target in parent:
                parent[find(name)] = find(target)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in names:
        groups[find(name)].append(name)
    sections, loose = [], []
    for members in sorted(groups.values(), key=lambda g: (-len(g), g[0])):
        if len(members) == 1:
            loose += members
            continue
        anchor = max(members, key=lambda n: (incoming[n], -members.index(n)))
        sections.append(Section(f"{anchor} and related", tuple(_topological(members, refs))))
    if loose:
        sections.append(Section("Other models", tuple(loose)))
    return tuple(sections)


def _references(models: list[ModelInfo], final: dict[str, ModelInfo]) -> dict[str, set[str]]:
    by_table = {m.qualified_table: n for n, m in final.items() if m.qualified_table}
    by_table.update({m.tablename: n for n, m in final.items() if m.tablename})
    refs: dict[str, set[str]] = {}
    for name, model in final.items():
        targets = set()
        for col in model.columns:
            if col.foreign_key and "." in col.foreign_key:
                table = col.foreign_key.rsplit(".", 1)[0]
                close = difflib.get_close_matches(table, list(by_table), n=1, cutoff=0.8)
                if table in by_table or close:  # a misspelt table will be fixed
                    targets.add(by_table[table if table in by_table else close[0]])
        if model.parent in final:
            targets.add(model.parent)
        refs[name] = targets
    return refs


def _topological(names: list[str], refs: dict[str, set[str]]) -> list[str]:
    """Referenced first; ties keep source order; cycles fall back to source order."""
    ordered: list[str] = []
    remaining = list(names)
    while remaining:
        ready = [n for n in remaining if not (refs.get(n, set()) & set(remaining)) - {n}]
        pick = ready[0] if ready else remaining[0]
        ordered.append(pick)
        remaining.remove(pick)
    return ordered


def _title(inv: Inventory, path: str) -> str:
    """The module docstring's first line if short, else the file name; plus the path."""
    doc = dict(inv.module_docs).get(path, "")
    first = doc.strip().splitlines()[0].strip().rstrip(".") if doc.strip() else ""
    if not first or len(first) > 60:
        stem = posixpath.splitext(posixpath.basename(path))[0]
        if stem == "__init__":
            stem = posixpath.basename(posixpath.dirname(path))
        first = stem.replace("_", " ").strip()
    return f"{first[:1].upper() + first[1:]} (from {path})"
