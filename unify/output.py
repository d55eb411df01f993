"""Turning results into what people and machines read. No logic beyond layout.

The JSON layout is a documented, stable schema: docs/json-schema.md.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unify.diagnostics import Diagnostic
    from unify.inventory import Inventory, ModelInfo

SCHEMA_VERSION = 1


def _plain(obj: object) -> object:
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    return obj


def summary_counts(inv: Inventory) -> dict[str, int]:
    return {
        "files_scanned": inv.files_scanned,
        "model_modules": len(inv.model_modules),
        "models": len(inv.models),
        "dependent_files": len(inv.dependent_files),
        "import_sites": len(inv.dependents),
        "dynamic_imports": sum(1 for d in inv.dynamic_imports if d.target),
        "parse_errors": len(inv.parse_errors),
    }


def _model_json(model: ModelInfo) -> dict[str, object]:
    data = _plain(model)
    assert isinstance(data, dict)
    data["table"] = model.qualified_table
    return data


def inventory_json(inv: Inventory, diagnostics: list[Diagnostic]) -> dict[str, object]:
    return {
        "schema_version": SCHEMA_VERSION,
        "repo": inv.repo,
        "scope": inv.scope,
        "summary": summary_counts(inv),
        "model_modules": [
            {
                "path": path,
                "models": [m.name for m in inv.models if m.path == path],
                "kind": "models",
            }
            for path in inv.model_modules
        ]
        + [{"path": path, "models": [], "kind": "re-export"} for path in inv.reexport_modules],
        "bases": list(inv.bases),
        "models": [_model_json(m) for m in inv.models],
        "tables": _plain(inv.tables),
        "helpers": _plain(inv.helpers),
        "dependents": _plain(inv.dependents),
        "string_refs": _plain(inv.string_refs),
        "dynamic_imports": _plain(inv.dynamic_imports),
        "roots": _plain(inv.roots),
        "skipped": _plain(inv.skipped),
        "not_imported": [{"path": p, "reason": why} for p, why in inv.not_imported],
        "diagnostics": [d.to_dict() for d in diagnostics],
    }


def render_scan(inv: Inventory, diagnostics: list[Diagnostic]) -> str:
    counts = summary_counts(inv)
    where = inv.scope or "."
    lines = [
        f"Scanned {counts['files_scanned']} Python files in {where}: "
        f"{counts['models']} models in {counts['model_modules']} model modules, "
        f"{counts['import_sites']} import sites in {counts['dependent_files']} dependent files.",
        "",
        "Model modules:",
    ]
    for path in inv.model_modules:
        names = [m.name for m in inv.models if m.path == path]
        lines.append(f"  {path} ({len(names)}): {', '.join(names)}")
    for path in inv.reexport_modules:
        lines.append(f"  {path} (re-exports)")
    if inv.dependents:
        lines += ["", "Dependents (import sites per module):"]
        per_target = Counter(site.target for site in inv.dependents)
        for target, count in sorted(per_target.items()):
            files = len({s.path for s in inv.dependents if s.target == target})
            lines.append(f"  {target}: {count} sites in {files} files")
    dynamic = [d for d in inv.dynamic_imports if d.target]
    if dynamic:
        lines += ["", "Dynamic imports (reported, not rewritable):"]
        lines += [f"  {d.path}:{d.line}: {d.call}({d.argument})" for d in dynamic]
    shown = [r for r in inv.roots if r.kind != "package-base"]
    if len(shown) > 1 or len(shown) < len(inv.roots):
        lines += ["", "Import roots:"]
        lines += [f"  {r.path or '.'}/ ({r.kind}: {r.reason})" for r in shown]
        if len(shown) < len(inv.roots):
            lines.append(f"  and {len(inv.roots) - len(shown)} package bases")
    if inv.skipped:
        lines += ["", "Not scanned (environment trees):"]
        lines += [f"  {s.path} ({s.files} files: {s.reason})" for s in inv.skipped]
    if inv.not_imported:
        lines += ["", "Scanned for diagnostics only, never rewritten:"]
        lines += [f"  {p} ({why})" for p, why in inv.not_imported]
    problems = [d for d in diagnostics if d.code == "U001"]
    if problems:
        lines += ["", "Files skipped:"]
        lines += [f"  {d.path}:{d.line}: {d.message} ({d.hint})" for d in problems]
    lines += ["", "Next: `unify check` lists what is broken; `unify scan --json` gives all details."]
    return "\n".join(lines)


def render_check(diagnostics: list[Diagnostic], files_scanned: int) -> str:
    if not diagnostics:
        return f"All checks passed ({files_scanned} files)."
    lines = [str(d) for d in diagnostics]
    by_code = Counter(d.code for d in diagnostics)
    summary = ", ".join(f"{code} x{n}" for code, n in sorted(by_code.items()))
    lines.append(f"Found {len(diagnostics)} problems in {files_scanned} files ({summary}).")
    return "\n".join(lines)


def plan_json(plan, path, problems=()) -> dict[str, object]:
    data = _plain(plan)
    assert isinstance(data, dict)
    data["path"] = str(path) if path else None
    data["unsettled"] = list(plan.open_decisions)
    data["problems"] = [_plain(p) for p in problems]
    return data


def _cycles_line(cycles) -> str:
    fixes = {fix: sum(1 for c in cycles if c.fix == fix) for fix in ("function", "type_checking",
                                                                   "keep", "?")}
    return (f"  cycles     {len(cycles)} import cycles the merge creates: "
            + ", ".join(f"{n} {'open' if fix == '?' else fix}" for fix, n in fixes.items() if n)
            + f" ({', '.join(f'{c.source}:{c.line}' for c in cycles)})")


def render_plan(plan, path) -> str:
    enabled = [a for a in plan.aliases if a.enabled]
    suggested = len(plan.aliases) - len(enabled)
    open_ = plan.unsettled
    open_fixes = plan.open_fixes
    lines = [f"Plan written to {path}" if path else "Plan (not written):"]
    lines.append(f"  target     {plan.target} (compat: {plan.compat}; old files: {plan.retire})")
    lines.append(f"  sources    {', '.join(plan.sources)}")
    lines.append(f"  sections   {len(plan.sections)}: " + ", ".join(
        f"{s.title} ({len(s.models)})" for s in plan.sections))
    lines.append(f"  conflicts  {len(plan.conflicts)}: {len(plan.conflicts) - len(open_)} settled, "
                 f"{len(open_)} open" + (f" ({', '.join(c.name for c in open_)})" if open_ else ""))
    lines.append(f"  aliases    {len(enabled)}" + (f" (+{suggested} suggested, commented out)"
                                                    if suggested else ""))
    lines.append(f"  fixes      {len(plan.fixes)}" + (
        f", {len(open_fixes)} open ({', '.join(f.model + '.' + f.attr for f in open_fixes)})"
        if open_fixes else ""))
    if plan.cycles:
        lines.append(_cycles_line(plan.cycles))
    if plan.stubs or plan.columns:
        lines.append(f"  database   {len(plan.stubs)} new models"
                     + (f" ({', '.join(s.name for s in plan.stubs)})" if plan.stubs else "")
                     + f", {len(plan.columns)} added columns")
    for dep in plan.dependents:
        lines.append(f"  dependents {dep.module}: {dep.sites} import sites in {dep.files} files")
    if plan.unrewritable:
        lines.append(f"  by hand    {len(plan.unrewritable)} dynamic imports and module-path "
                     "strings apply cannot rewrite")
    shown = path or "the plan"
    if open_ or open_fixes or any(c.fix == "?" for c in plan.cycles):
        lines.append(f"Next: decide what is open in {shown} (search for \"?\"), "
                     f"then `unify plan --check {shown}`.")
    else:
        lines.append(f"Next: review {shown}, then `unify apply {shown} --branch unify/models`.")
    return "\n".join(lines)


def render_problems(path, problems) -> str:
    if not problems:
        return f"{path}: the plan is valid."
    lines = [p.render(str(path)) for p in problems]
    lines.append(f"Found {len(problems)} problems in {path}.")
    return "\n".join(lines)


def apply_json(result) -> dict[str, object]:
    verification = result.verification
    return {
        "branch": result.branch,
        "base": result.base,
        "steps": _plain(result.steps),
        "verification": None if verification is None else {
            "ok": verification.ok,
            "verdict": verification.verdict,
            "checks": _plain(verification.checks),
            "intended_schema_changes": list(verification.intended),
            "probes": {when: None if probe is None else {"ok": probe.ok, "stage": probe.stage,
                                                         "message": probe.message}
                       for when, probe in (("before", verification.before),
                                           ("after", verification.after))},
        },
        "pr_description": str(result.pr_path) if result.pr_path else None,
        "notes": list(result.notes),
    }


def render_apply(result) -> str:
    if not result.steps:
        return "\n".join(result.notes)
    lines = [f"Applied on branch {result.branch} ({len(result.steps)} commits on "
             f"{result.base[:10]}):"]
    lines += [f"  {s.number}. {s.name:<16} {s.commit[:10]}  {len(s.files)} files"
              for s in result.steps]
    verification = result.verification
    if verification is None:
        lines.append("Verification skipped (--no-verify).")
    else:
        lines.append("Verification: " + verification.verdict)
        for check in verification.checks:
            mark = "skipped" if check.skipped else "ok" if check.ok else "FAIL"
            lines.append(f"  [{mark}] {check.name}: {check.detail}")
            lines += [f"         {item}" for item in check.items[:10]]
    if result.notes:
        lines.append("Notes:")
        lines += [f"  - {n}" for n in result.notes]
    if result.pr_path:
        lines.append(f"PR description: {result.pr_path}")
    if verification is not None and not verification.ok:
        lines.append(f"The branch {result.branch} is left for inspection; "
                     f"`git branch -D {result.branch}` (or `unify rollback`) removes it.")
    else:
        lines.append(f"Next: git push -u origin {result.branch}, open a PR "
                     f"(gh pr create --body-file {result.pr_path}).")
    return "\n".join(lines)


def render_status(runs) -> str:
    if not runs:
        return "No unify branch in this repository. Start with `unify plan`."
    lines = []
    for run in runs:
        done = f"{run.steps[-1][0]}/{run.total}" if run.steps else "0"
        state = "complete" if run.complete else "INTERRUPTED"
        lines.append(f"{run.branch} (plan {run.plan or 'not recorded yet'}, base "
                     f"{run.base[:10]}): {state}, "
                     f"steps {done}" + (f", verification {run.verified}" if run.verified else ""))
        lines += [f"  {n}. {name:<16} {sha[:10]}" for n, name, sha in run.steps]
        if not run.branch_exists:
            lines.append("  branch: deleted")
        if run.merged_into:
            lines.append(f"  merged into: {', '.join(run.merged_into)}")
        if run.backups:
            lines.append(f"  backups: {', '.join(run.backups)}")
        for path in run.stale_worktrees:
            lines.append(f"  work tree of an interrupted apply: {path}")
        lines.append(f"  next: {run.next}")
    return "\n".join(lines)


def render_rollback(result) -> str:
    lines = [f"Rolled back {result.branch} ({result.mode}):"]
    lines += [f"  - {a}" for a in result.actions]
    lines.append(f"Undo this rollback: {result.undo}")
    return "\n".join(lines)


def render_finalize(result) -> str:
    if result.importers:
        lines = [f"Cannot finalize yet: {len(result.importers)} imports of "
                 f"{', '.join(result.files)} remain:"]
        lines += [f"  {i}" for i in result.importers]
        lines.append("Change them to import from the target, then run `unify finalize` again.")
        return "\n".join(lines)
    return (f"Removed {', '.join(result.files)} on branch {result.branch} "
            f"(commit {result.commit[:10]}).\nNext: review and merge {result.branch}.")
