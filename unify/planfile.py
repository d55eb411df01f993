"""plans/NAME.toml: render a :class:`~unify.plan.Plan` for people, read it back.

The file is the reviewable artefact: every decision has a comment saying why
it was made and what else could be chosen. Rendering is deterministic (same
plan, same bytes). Reading goes through tomlkit, so a person's comments and
layout survive tools that edit the file.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from unify import __version__
from unify.errors import InputError
from unify.cycles import Cycle
from unify.helper_conflicts import POLICY as HELPER_POLICY
from unify.plan import (
    POLICY,
    Alias,
    Candidate,
    ColumnAdd,
    ColumnChoice,
    Conflict,
    DependentSummary,
    Fix,
    Plan,
    Section,
    Stub,
)


def _array(items) -> Any:
    arr = tomlkit.array()
    for item in items:
        arr.append(item)
    if len(arr) > 3:
        arr.multiline(True)
    return arr


def _comment_block(container, text: str) -> None:
    """Comment lines, wrapped at 86 columns (indented continuation lines)."""
    for line in text.splitlines():
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        for part in textwrap.wrap(line, 86, subsequent_indent=indent,
                                  break_on_hyphens=False) or [""]:
            container.add(tomlkit.comment(part))


def render(plan: Plan) -> str:
    """The plan file. Three parts, concatenated: the settings (tomlkit), the
    fingerprints (plain text: one line per file read, thousands on a large
    repository, where tomlkit takes most of a second) and the decisions (tomlkit).
    The bytes are exactly those one tomlkit document of all three would give."""
    return _render_head(plan) + _render_fingerprints(plan) + _render_decisions(plan)


def _render_head(plan: Plan) -> str:
    doc = tomlkit.document()
    _comment_block(doc, _preamble(plan))
    doc.add(tomlkit.nl())
    doc.add("version", plan.version)
    doc.add("base_commit", plan.base_commit)
    doc.add("scope", plan.scope)
    doc.add(tomlkit.comment("The unified module every model moves into (created or rewritten)."))
    if plan.target_reason:
        _comment_block(doc, plan.target_reason)
    doc.add("target", plan.target)
    doc.add(tomlkit.comment("Temporary module keeping old names importable; `unify finalize` "
                            "removes it once nothing imports it."))
    doc.add("compat", plan.compat)
    _comment_block(doc, (
        "What becomes of the old model files:\n"
        "  shim    - keep each as a re-export of the target that warns (DeprecationWarning)\n"
        "  archive - move them under archive/ (kept for reference, not importable)\n"
        "  delete  - remove them (git history keeps them)"
    ))
    doc.add("retire", plan.retire)
    doc.add(tomlkit.comment("Banner of the first part of the target: imports, db/Base, helpers."))
    doc.add("header", plan.header)
    doc.add(tomlkit.comment("Model files merged into the target."))
    doc.add("sources", _array(plan.sources))
    if not plan.sections:  # here: after the [fingerprints] table it would land inside it
        doc.add(tomlkit.comment("Sections of the target: none (the sources hold no model "
                                "classes, only tables)."))
        doc.add("sections", tomlkit.array())
    doc.add(tomlkit.nl())
    return tomlkit.dumps(doc)


def _render_decisions(plan: Plan) -> str:
    doc = tomlkit.document()
    _render_sections(doc, plan.sections)
    _add_tables(doc, "conflicts", (
        "Conflicts: one entity defined more than once. resolution is one of\n"
        "  keep   - use the `keep` candidate as is, drop the others (their names become aliases)\n"
        "  merge  - the `keep` candidate plus the columns only the others have\n"
        "  rename - keep them all, renamed as in [conflicts.rename]\n"
        "  ?      - undecided: apply refuses the plan until you choose\n"
        f"Policy: {POLICY}."
        + (f"\nkind = \"helper\": a module-level function, constant, class or import that\n"
           "two sources define differently (keep one, or rename; never merge). Policy:\n"
           f"{HELPER_POLICY}." if any(c.kind == "helper" for c in plan.conflicts) else "")
    ), [_conflict_table(c) for c in plan.conflicts])
    _render_aliases(doc, plan.aliases)
    _add_tables(doc, "fixes", (
        "Fixes applied while merging, one per broken reference `unify check` found.\n"
        "kind: foreign_key (from -> to), column_type (from -> to), drop_relationship\n"
        "(commented out in the target), add_back_populates (adds the missing partner\n"
        "`attr` on `model`, pointing at `to`). Set enabled = false to skip one."
    ), [_fix_table(f) for f in plan.fixes])
    _add_tables(doc, "cycles", CYCLES_INTRO, [_cycle_table(c) for c in plan.cycles])
    _add_tables(doc, "stubs", (
        "Models generated from the database (`unify plan --database`): tables no model maps.\n"
        "Each is listed in a section above like every model; apply writes `code` there and\n"
        "adds `imports` to the target's imports. Edit the code freely (one class named\n"
        "`name`). To leave a table out, delete its entry and its name in the sections."
    ), [_stub_table(s, plan.sections) for s in plan.stubs])
    _add_tables(doc, "columns", (
        "Columns the database has and a merged model lacks: apply adds `code` to the class\n"
        "`model`, after its last column. Set enabled = false to skip one."
    ), [_column_table(c) for c in plan.columns])
    _render_dependents(doc, plan)
    return tomlkit.dumps(doc)


def _add_tables(doc, key: str, intro: str, tables: list) -> None:
    """``[[key]]``: a blank line, ``intro`` as comments, the tables; nothing when empty."""
    if not tables:
        return
    doc.add(tomlkit.nl())
    _comment_block(doc, intro)
    aot = tomlkit.aot()
    for table in tables:
        aot.append(table)
    doc.add(key, aot)


def _preamble(plan: Plan) -> str:
    open_ = len(plan.open_decisions)
    lines = [
        f"unify plan: merge {len(plan.sources)} model modules into {plan.target}",
        f"Written by unify {__version__}. Review and edit it; comments explain every decision.",
        "  unify plan --check THIS_FILE                  validate your edits",
        "  unify apply THIS_FILE --branch unify/models   execute it, one commit per step",
    ]
    if plan.stubs or plan.columns:
        lines.append(f"From the database: {len(plan.stubs)} new model(s), {len(plan.columns)} "
                     "column(s) added to existing models ([[stubs]], [[columns]]).")
    if open_:
        lines.append(f"{open_} decision(s) are yours to make: search for \"?\".")
    return "\n".join(lines)


def _render_fingerprints(plan: Plan) -> str:
    """``[fingerprints]``: its header and comments from tomlkit, one line per file."""
    doc = tomlkit.document()
    table = tomlkit.table()
    _comment_block(table, "git blob ids of every file this plan read. apply refuses the plan\n"
                   "if any of them changed: run `unify plan` again.")
    doc.add("fingerprints", table)
    lines = [f"{_key(path)} = {_string(blob)}\n" for path, blob in plan.fingerprints]
    return tomlkit.dumps(doc) + "".join(lines)


#: Text TOML writes as is in a basic string: no control character, quote or backslash.
_VERBATIM = re.compile(r'[^\x00-\x1f\x7f"\\]*')
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(text: str) -> str:
    """``text`` as tomlkit writes a key: quoted unless bare; tomlkit itself when
    it needs escapes (the rare case, kept exactly tomlkit's)."""
    if _VERBATIM.fullmatch(text) and not _BARE_KEY.fullmatch(text):
        return f'"{text}"'
    return tomlkit.key(text).as_string()


def _string(text: str) -> str:
    """``text`` as tomlkit writes a string value."""
    if _VERBATIM.fullmatch(text):
        return f'"{text}"'
    return tomlkit.item(text).as_string()


def _render_sections(doc, sections: tuple[Section, ...]) -> None:
    if not sections:
        return  # written in the head (see _render_head)
    doc.add(tomlkit.nl())
    _comment_block(doc, (
        "Sections of the target module, in order; each becomes a banner comment and its\n"
        "models. Default: the headings the sources already have (comment lines or banners\n"
        "above their models), merged across files by title; models under no heading:\n"
        "models referenced by many tables and referencing none first ('Core entities'),\n"
        "then one section per source file; inside a section referenced tables come before\n"
        "the tables that reference them. Rename, reorder, move models."
    ))
    aot = tomlkit.aot()
    for section in sections:
        table = tomlkit.table()
        table.add("title", section.title)
        table.add("models", _array(section.models))
        aot.append(table)
    doc.add("sections", aot)


def _candidate_line(c: Candidate, helper: bool = False) -> str:
    return f"  {c.ref} (line {c.line})" + ("" if helper else f": {c.describe()}")


def _conflict_table(conflict: Conflict):
    table = tomlkit.table()
    table.add("name", conflict.name)
    table.add("kind", conflict.kind)
    helper = conflict.kind == "helper"
    _comment_block(table, "\n".join(_candidate_line(c, helper) for c in conflict.candidates))
    table.add("candidates", _array(c.ref for c in conflict.candidates))
    _comment_block(table, conflict.reason)
    table.add("resolution", conflict.resolution)
    table.add("keep", conflict.keep or "")
    if conflict.columns:
        columns = tomlkit.table()
        _comment_block(columns, "Columns defined differently: which definition wins "
                       "(a candidate from above, or \"?\").")
        for choice in conflict.columns:
            if choice.column in columns:  # one choice per column (plans written by hand)
                continue
            _comment_block(columns, "\n".join(f"  {r}: {d}" for r, d in choice.definitions))
            columns.add(choice.column, choice.choice)
        table.add("columns", columns)
    if conflict.renames:
        renames = tomlkit.table()
        _comment_block(renames, "With resolution = \"rename\": the new "
                       f"{'name' if helper else 'class name'} of each candidate listed here.")
        for cand_ref, new in conflict.renames:
            renames.add(cand_ref, new)
        table.add("rename", renames)
    return table


def _render_aliases(doc, aliases: tuple[Alias, ...]) -> None:
    doc.add(tomlkit.nl())
    table = tomlkit.table()
    _comment_block(table, (
        "Old class name -> class name in the target. The compat module defines each old\n"
        "name; imports and string references (relationship('MVPUser')) are rewritten.\n"
        "Commented lines are probable duplicates found by column similarity: uncomment to\n"
        "merge (the old class and its table mapping go away; review the schema diff)."
    ))
    for alias in aliases:
        if alias.enabled:
            table.add(alias.old, alias.new)
            table[alias.old].comment(alias.reason)
    for alias in aliases:
        if not alias.enabled:
            table.add(tomlkit.comment(f'{alias.old} = "{alias.new}"  # {alias.reason}'))
    doc.add("aliases", table)


def _fix_table(fix: Fix):
    table = tomlkit.table()
    _comment_block(table, fix.reason)
    table.add("kind", fix.kind)
    table.add("model", fix.model)
    table.add("attr", fix.attr)
    table.add("at", fix.at)
    table.add("from", fix.old)
    table.add("to", fix.new)
    table.add("enabled", fix.enabled)
    if fix.data_loss:
        table.add("data_loss", fix.data_loss)
        from unify.migration import loss, using

        cast = using(fix.attr, fix.old, fix.new) or "an implicit cast"
        table["data_loss"].comment(f"USING {cast}: {loss(fix.old, fix.new) or 'can lose data'}; "
                                   "back up, then \"accept\"")
    return table


CYCLES_INTRO = (
    "Import cycles the merge creates: each import below moves into the target with its\n"
    "source and leads back to the target through the lines listed (importing one of those\n"
    "modules first would fail: \"cannot import name ... from partially initialized module\").\n"
    "fix is one of\n"
    "  function      - move the import into the functions that use its names\n"
    "  type_checking - move it under `if TYPE_CHECKING:` (only annotations use the names)\n"
    "  keep          - leave it at module level (you break the cycle yourself)\n"
    "  ?             - undecided: apply refuses the plan until you choose"
)


def _cycle_table(cycle: Cycle):
    table = tomlkit.table()
    for line in cycle.chain:
        table.add(tomlkit.comment(line))
    if cycle.reason:
        _comment_block(table, cycle.reason)
    table.add("source", cycle.source)
    table.add("line", cycle.line)
    table.add("module", cycle.module)
    table.add("names", _array(cycle.names))
    chain = _array(cycle.chain)
    chain.multiline(len(cycle.chain) > 1)
    table.add("chain", chain)
    table.add("fix", cycle.fix)
    return table


def _code(code: str):
    """Code as a TOML string: a literal block when it can be one (no escapes to read)."""
    if "\n" not in code and "'" not in code:
        return tomlkit.string(code, literal=True)
    return tomlkit.string(code, literal="'''" not in code, multiline=True)


def _stub_table(stub: Stub, sections: tuple[Section, ...]):
    table = tomlkit.table()
    section = next((s.title for s in sections if stub.name in s.models), "?")
    _comment_block(table, f"{stub.reason}. Section: {section}.")
    table.add("name", stub.name)
    table.add("table", stub.table)
    if stub.imports:
        table.add("imports", _array(stub.imports))
    table.add("code", _code(stub.code))
    return table


def _column_table(column: ColumnAdd):
    table = tomlkit.table()
    _comment_block(table, column.reason)
    table.add("model", column.model)
    table.add("attr", column.attr)
    if column.imports:
        table.add("imports", _array(column.imports))
    table.add("code", _code(column.code))
    table.add("enabled", column.enabled)
    return table


def _render_dependents(doc, plan: Plan) -> None:
    doc.add(tomlkit.nl())
    table = tomlkit.table()
    _comment_block(table, "Blast radius (information only; apply re-reads the repository):\n"
                   "import sites apply rewrites, per old module.")
    for dep in plan.dependents:
        inline = tomlkit.inline_table()
        inline.update({"files": dep.files, "sites": dep.sites})
        table.add(dep.module, inline)
    if plan.unrewritable:
        _comment_block(table, "Dynamic imports and strings naming an old module path "
                       "(mock.patch, monkeypatch.setattr, import_module) apply cannot rewrite: "
                       "change them by hand (`unify finalize` refuses while one is left):")
        table.add("unrewritable", _array(plan.unrewritable))
    doc.add("dependents", table)


# -- reading ---------------------------------------------------------------------


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a BOM some editors add is no key
    except FileNotFoundError:
        raise InputError(f"{path}: no such plan file", "create one with `unify plan`") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a plan file", "name the .toml file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the plan ({exc})") from None


def parse(text: str, path: Path) -> dict[str, Any]:
    """The plan's data. tomllib (Python 3.11+) where there is one: a 20,000-section plan
    in a second, where tomlkit (which keeps comments, needed only to edit) takes 30."""
    text = text.removeprefix("\ufeff")
    try:
        import tomllib
    except ImportError:
        tomllib = None
    try:
        if tomllib is not None:
            return tomllib.loads(text)
        return tomlkit.parse(text).unwrap()
    except TOMLKitError as exc:
        line = getattr(exc, "line", "?")
        raise InputError(f"{path}:{line}: the plan is not valid TOML ({exc})",
                         "fix the syntax, or write a new plan with `unify plan`") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError: "... (at line 3, column 9)"
        found = re.search(r"at line (\d+)", str(exc))
        raise InputError(f"{path}:{found[1] if found else '?'}: the plan is not valid TOML "
                         f"({exc})", "fix the syntax, or write a new plan with `unify plan`"
                         ) from None


def to_plan(data: dict[str, Any]) -> Plan:
    """Build a Plan from parsed TOML already checked by :func:`unify.plancheck.structure`."""
    return Plan(
        version=data["version"],
        base_commit=data.get("base_commit", ""),
        scope=data.get("scope", ""),
        target=data["target"],
        compat=data["compat"],
        retire=data.get("retire", "shim"),
        header=data.get("header", ""),
        sources=tuple(data["sources"]),
        fingerprints=tuple(sorted(data.get("fingerprints", {}).items())),
        sections=tuple(Section(s["title"], tuple(s["models"])) for s in data["sections"]),
        conflicts=tuple(_conflict(c) for c in data.get("conflicts", [])),
        aliases=tuple(Alias(old, new, "") for old, new in data.get("aliases", {}).items()),
        fixes=tuple(
            Fix(f["kind"], f["model"], f["attr"], f.get("at", ""), f.get("from", ""),
                f.get("to", ""), "", f.get("enabled", True), f.get("data_loss", ""))
            for f in data.get("fixes", [])
        ),
        dependents=tuple(
            DependentSummary(k, v.get("files", 0), v.get("sites", 0))
            for k, v in data.get("dependents", {}).items() if isinstance(v, dict)
        ),
        unrewritable=tuple(data.get("dependents", {}).get("unrewritable", [])),
        stubs=tuple(Stub(s["name"], s.get("table", ""), s["code"], tuple(s.get("imports", [])))
                    for s in data.get("stubs", [])),
        columns=tuple(
            ColumnAdd(c["model"], c["attr"], c["code"], tuple(c.get("imports", [])), "",
                      c.get("enabled", True))
            for c in data.get("columns", [])
        ),
        cycles=tuple(
            Cycle(c["source"], c.get("line", 0), c["module"], tuple(c.get("names", [])),
                  tuple(c.get("chain", [])), c.get("fix", "?"))
            for c in data.get("cycles", [])
        ),
    )


def _conflict(data: dict[str, Any]) -> Conflict:
    return Conflict(
        name=data["name"],
        kind=data.get("kind", ""),
        candidates=tuple(Candidate(r, 0, None, 0, 0, 0) for r in data["candidates"]),
        resolution=data["resolution"],
        keep=data.get("keep") or None,
        reason="",
        columns=tuple(ColumnChoice(k, v, ()) for k, v in data.get("columns", {}).items()),
        renames=tuple(data.get("rename", {}).items()),
    )
