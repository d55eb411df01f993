"""Stage 6: proof, not hope. Checks of the applied branch, each a small function.

* every touched file compiles;
* no import of a retired module is left (outside the compat module and shims);
* every imported name resolves (no new U303/U304);
* the target imports, its mappers configure and ``create_all`` runs on SQLite,
  in a subprocess with the project's interpreter;
* the schema the models declare (static inventory) differs from before only by
  what the plan says: its fixes, its merges and its aliases;
* nothing is lost: every public name of every source still resolves from the
  same module path to the same code, every registration is still made
  (:mod:`unify.nothing_lost`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from unify.analyze import analyze
from unify.inventory import Inventory, ModelInfo, attribute_sites
from unify.plan import Plan
from unify.resolve import ModuleIndex
from unify.runtime import Interpreter, ProbeResult, environment_gap, run_probe


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    items: tuple[str, ...] = ()
    skipped: bool = False  # could not run here (ok stays True): "passed (runtime skipped)"


@dataclass(frozen=True)
class Verification:
    checks: tuple[Check, ...]
    before: ProbeResult | None = None
    after: ProbeResult | None = None
    intended: tuple[str, ...] = field(default=())  # schema changes the plan asked for

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def skipped(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if c.skipped)

    @property
    def verdict(self) -> str:
        """"passed", "passed (runtime skipped)" or "FAILED"."""
        if not self.ok:
            return "FAILED"
        return "passed" + (f" ({', '.join(self.skipped)} skipped)" if self.skipped else "")


def compiles(work: Path, files: list[str]) -> Check:
    broken = []
    for path in files:
        file = work / path
        if path.endswith(".py") and file.is_file():
            try:
                compile(file.read_bytes(), path, "exec")
            except (SyntaxError, ValueError) as exc:
                broken.append(f"{path}:{getattr(exc, 'lineno', '?')}: {exc}")
    return Check("compile", not broken, f"{len(files)} touched files compile" if not broken
                 else f"{len(broken)} files do not compile", tuple(broken))


def no_retired_imports(plan: Plan, index: ModuleIndex, old_names: set[str]) -> Check:
    retired = set(plan.sources) - {plan.target}
    allowed = retired | {plan.compat, plan.target}
    left = []
    for path in sorted(set(index.by_path) - allowed):
        for imp, module, resolved in index.imports_of(path):
            if resolved in retired or (resolved is None and module in old_names):
                left.append(f"{path}:{imp.line}: imports {module}")
            elif imp.kind == "from" and resolved is not None:  # from pkg import old
                left += [f"{path}:{imp.line}: imports {module}{'' if module.endswith('.') else '.'}"
                         f"{name}" for name, _ in imp.names
                         if index.submodule(resolved, name) in retired]
        # `pkg.old.Name` after `import pkg`: works only while something imports pkg.old
        left += [f"{path}:{site.line}: uses {site.module}"
                 + (f".{site.names[0][0]}" if site.names else "") + " through its package"
                 for site in attribute_sites(index, index.by_path[path], retired)]
    return Check("no-stale-imports", not left,
                 "no file imports a retired model module" if not left
                 else f"{len(left)} imports of retired modules remain", tuple(left))


def names_resolve(before: Inventory, after: Inventory, plan: Plan) -> Check:
    def problems(inv: Inventory) -> set[tuple[str, str, str]]:
        skip = {plan.compat} | set(plan.sources)
        return {(d.code, d.path, d.subject) for d in analyze(inv)
                if d.code in ("U303", "U304") and d.path not in skip}

    new = sorted(problems(after) - problems(before))
    return Check("names-resolve", not new,
                 "every imported module and model name resolves" if not new
                 else f"{len(new)} imports no longer resolve",
                 tuple(f"{path}: {code} {subject}" for code, path, subject in new))


def runtime(after: ProbeResult, before: ProbeResult | None, root: Path | None = None,
            interpreter: Interpreter | None = None) -> Check:
    was = "" if before is None else (
        " (before: ok)" if before.ok else f" (before: failed at {before.stage})")
    items = (f"interpreter: {interpreter.python} ({interpreter.why})",) if interpreter else ()
    skipped = _runtime_skipped(after, before, root, items)
    if skipped is not None:
        return skipped
    if after.ok:
        return Check("runtime", True, "the target imports, configure_mappers() and "
                     f"create_all() on SQLite pass{was}", items)
    error = after.error or {}
    return Check("runtime", False, f"failed at {after.stage}: {error.get('type', '?')}: "
                 f"{error.get('message', '')}".strip()[:400] + was, items)


def _runtime_skipped(after: ProbeResult, before: ProbeResult | None, root: Path | None,
                     items: tuple[str, ...]) -> Check | None:
    """A skipped runtime check when the interpreter cannot run the models at all.

    Skipped only when the interpreter is the reason (see runtime.environment_gap):
    after a before-probe that passed, a missing module after is the change's fault.
    """
    if root is None or after.ok or (before is not None and before.ok):
        return None
    why = environment_gap(after, root)
    if why is None:
        return None
    return Check("runtime", True, f"{why}; run with --python PATH", items, skipped=True)


# -- schema equivalence --------------------------------------------------------------


Schema = dict[str, dict[str, tuple]]


def static_schema(inv: Inventory, paths: set[str],
                  renames: dict[str, dict[str, str]] | None = None) -> Schema:
    """table -> column -> (type, foreign key, primary key), from the models' source.
    ``renames``: path -> names the plan renames in that file's code (a column type
    ``String(NAME_LENGTH)`` reads ``String(BOARDS_NAME_LENGTH)`` after the merge)."""
    schema: Schema = {}
    models = {m.name: m for m in inv.models if m.path in paths}
    for model in inv.models:
        if model.path not in paths or not model.qualified_table:
            continue
        columns = schema.setdefault(model.qualified_table, {})
        for col in _row(model, models):
            columns.setdefault(col.db_name or col.name, (
                _renamed(col.type, (renames or {}).get(model.path)), col.foreign_key,
                col.primary_key))
    for table in inv.tables:
        if table.path in paths:
            name = f"{table.schema}.{table.name}" if table.schema else table.name
            columns = schema.setdefault(name, {})
            for col in table.columns:
                columns.setdefault(col.name, (_renamed(col.type, (renames or {}).get(
                    table.path)), col.foreign_key, col.primary_key))
    return schema


def _renamed(text: str | None, renames: dict[str, str] | None) -> str | None:
    if not text or not renames:
        return text
    return re.sub(r"(?<![\w.])(\w+)", lambda m: renames.get(m.group(1), m.group(1)), text)


def _row(model: ModelInfo, models: dict[str, ModelInfo]):
    cols = list(model.columns)
    parent = models.get(model.parent or "")
    if parent is not None and model.tablename_source == "inherited":
        cols += parent.columns
    return cols


def schema_changes(before: Schema, after: Schema) -> list[tuple[str, str, str]]:
    """(table, column or "", description) for every difference."""
    changes = []
    for table in sorted(set(before) | set(after)):
        if table not in after:
            changes.append((table, "", "table no longer mapped"))
            continue
        if table not in before:
            changes.append((table, "", "table newly mapped"))
            continue
        for col in sorted(set(before[table]) | set(after[table])):
            old, new = before[table].get(col), after[table].get(col)
            if old != new:
                changes.append((table, col, f"{_show(old)} -> {_show(new)}"))
    return changes


def _show(col: tuple | None) -> str:
    if col is None:
        return "(absent)"
    kind, fk, pk = col
    return f"{kind or '?'}" + (f" FK {fk}" if fk else "") + (" PK" if pk else "")


def explained(change: tuple[str, str, str], plan: Plan, before_inv: Inventory) -> str | None:
    """Which plan decision explains this schema change, if any."""
    table, column, _ = change
    owners = {m.name for m in before_inv.models if m.qualified_table == table}
    owners.add(table)
    for fix in plan.fixes:
        if fix.enabled and fix.model in owners and fix.attr == column:
            return f"fix {fix.kind} {fix.model}.{fix.attr}: {fix.old} -> {fix.new}"
    for conflict in plan.conflicts:
        if any(c.table == table for c in conflict.candidates) or conflict.name in owners:
            return f"conflict {conflict.name} ({conflict.resolution})"
    for alias in plan.aliases:
        if alias.enabled and (alias.old in owners or alias.new in owners):
            return f"alias {alias.old} -> {alias.new} merges the two models"
    return _from_database(change, plan, owners)


def _from_database(change: tuple[str, str, str], plan: Plan, owners: set[str]) -> str | None:
    table, column, _ = change
    for stub in plan.stubs:
        if stub.table.rsplit(".", 1)[-1] == table.rsplit(".", 1)[-1] and not column:
            return f"stub {stub.name}: a model for a table of the database"
    for added in plan.columns:
        if added.enabled and added.model in owners and added.attr == column:
            return f"column {added.model}.{added.attr} added from the database"
    return None


def schema(plan: Plan, before: Inventory, after: Inventory) -> tuple[Check, tuple[str, ...]]:
    """Before: the sources and whatever already sat at the target and compat paths
    (a module of tables there, overwritten, must show as tables gone); after: the
    same paths (the target, shims and compat declare what is left)."""
    from unify.merge import helper_renames  # libcst: only when apply runs

    paths = set(plan.sources) | {plan.target, plan.compat}
    renames = {p: helper_renames(plan, p) for p in plan.sources}
    changes = schema_changes(static_schema(before, paths, renames),
                             static_schema(after, paths))
    intended, unexplained = [], []
    for change in changes:
        why = explained(change, plan, before)
        line = f"{change[0]}{'.' + change[1] if change[1] else ''}: {change[2]}"
        (intended if why else unexplained).append(f"{line} [{why}]" if why else line)
    detail = ("the declared schema is unchanged" if not changes else
              f"{len(intended)} schema changes, all named by the plan" if not unexplained
              else f"{len(unexplained)} schema changes the plan does not name")
    return Check("schema", not unexplained, detail, tuple(unexplained)), tuple(intended)


def nothing_lost(plan: Plan, work: Path, base: str, sys_root: str) -> Check:
    from unify import nothing_lost as lost_mod

    result = lost_mod.check(plan, work, base, sys_root)
    if result.lost:
        return Check("nothing-lost", False, f"{len(result.lost)} names or registrations of "
                     "the sources are lost or changed", tuple(x.line() for x in result.lost))
    changed = f"; {len(result.explained)} changed as the plan says" if result.explained else ""
    return Check("nothing-lost", True, f"{result.names} public names and "
                 f"{result.registrations} registrations of {result.modules} modules resolve "
                 f"from the same module paths to the same code{changed}")


def probe(work: Path, sys_root: str, modules: list[str], python: str | None) -> ProbeResult:
    return run_probe(work / sys_root if sys_root else work, modules, python or sys.executable)


def probe_root(work: Path, sys_root: str) -> Path:
    """The folder the probe imports from (for telling project modules from packages)."""
    return work / sys_root if sys_root else work
