"""Validate a (hand-edited) plan against the current tree; point at the wrong line.

Each problem carries the plan's line number and a fix hint. Structure is
checked first (types and required keys); semantics (model names, sections,
aliases, paths, freshness) only on a well-formed plan.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from unify.gitrepo import blob_id  # noqa: F401  (imported from here by older code)
from unify.inventory import Inventory
from unify.plan import FIX_KINDS, PLAN_VERSION, RESOLUTIONS, RETIRE_MODES, Plan


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    message: str
    hint: str

    def render(self, path: str) -> str:
        return f"{path}:{self.line}: {self.message} ({self.hint})"


class Lines:
    """Find the line of a key or value in the plan's text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, pattern: str, start: int = 1) -> int:
        regex = re.compile(pattern)
        for number in range(max(start, 1), len(self.lines) + 1):
            line = self.lines[number - 1]
            if not line.lstrip().startswith("#") and regex.search(line):
                return number
        return start if start > 1 else 1

    def key(self, key: str, start: int = 1) -> int:
        return self.find(rf'^\s*"?{re.escape(key)}"?\s*=', start)

    def headers(self, name: str) -> list[int]:
        regex = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]")
        return [i + 1 for i, line in enumerate(self.lines) if regex.match(line)]

    def value(self, value: str, start: int = 1) -> int:
        return self.find(rf'"{re.escape(value)}"', start)


# -- structure -------------------------------------------------------------------

_TOP = {
    "version": int, "base_commit": str, "scope": str, "target": str, "compat": str,
    "retire": str, "header": str, "sources": list, "fingerprints": dict, "sections": list,
}


def structure(data: dict[str, Any], lines: Lines) -> list[Problem]:
    problems = []
    for key, kind in _TOP.items():
        if key not in data:
            problems.append(Problem(1, f"missing key {key!r}", "write a new plan with `unify plan`"))
        elif not isinstance(data[key], kind):
            problems.append(Problem(lines.key(key), f"{key} must be a {kind.__name__}",
                                    "see the comments above it"))
    if problems:
        return problems
    if data["version"] != PLAN_VERSION:
        problems.append(Problem(lines.key("version"), f"unknown plan version {data['version']}",
                                f"this unify reads version {PLAN_VERSION}"))
    if data["retire"] not in RETIRE_MODES:
        problems.append(Problem(lines.key("retire"), f"retire = {data['retire']!r} is not one "
                                f"of {', '.join(RETIRE_MODES)}", "pick one of them"))
    for i, (section, line) in enumerate(zip(data["sections"], lines.headers("sections"))):
        if not isinstance(section.get("title"), str) or not isinstance(section.get("models"), list):
            problems.append(Problem(line, f"section {i + 1} needs a title and a models list",
                                    'title = "...", models = ["A", "B"]'))
    for conflict, line in zip(data.get("conflicts", []), lines.headers("conflicts")):
        problems += _conflict_structure(conflict, line, lines)
    for fix, line in zip(data.get("fixes", []), lines.headers("fixes")):
        if fix.get("kind") not in FIX_KINDS or not all(isinstance(fix.get(k), str)
                                                       for k in ("model", "attr")):
            problems.append(Problem(line, f"fix needs kind (one of {', '.join(FIX_KINDS)}), "
                                    "model and attr", "see the comments above the fixes"))
        elif fix.get("data_loss", "accept") not in ("accept", "?"):
            problems.append(Problem(lines.key("data_loss", line), f"data_loss = "
                                    f"{fix.get('data_loss')!r} is not \"accept\" or \"?\"",
                                    'write data_loss = "accept", or enabled = false'))
    for stub, line in zip(data.get("stubs", []), lines.headers("stubs")):
        if not all(isinstance(stub.get(k), str) for k in ("name", "code")) or \
                not _strings(stub.get("imports", [])):
            problems.append(Problem(line, "a stub needs name and code (strings) and, if any, "
                                    "imports (a list of strings)", "see the comments above it"))
    for column, line in zip(data.get("columns", []), lines.headers("columns")):
        if not all(isinstance(column.get(k), str) for k in ("model", "attr", "code")) or \
                not _strings(column.get("imports", [])) or \
                not isinstance(column.get("enabled", True), bool):
            problems.append(Problem(line, "a column needs model, attr and code (strings), "
                                    "enabled (true/false) and, if any, imports (strings)",
                                    "see the comments above it"))
    aliases = data.get("aliases", {})
    for old, new in aliases.items():
        if not isinstance(new, str) or not new.isidentifier() or not old.isidentifier():
            problems.append(Problem(lines.key(old), f"alias {old} = {new!r} must map a class "
                                    "name to a class name", 'e.g. MVPUser = "User"'))
    return problems


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _conflict_structure(conflict: dict[str, Any], line: int, lines: Lines) -> list[Problem]:
    name = conflict.get("name", "?")
    if conflict.get("resolution") not in RESOLUTIONS:
        return [Problem(lines.key("resolution", line), f"conflict {name}: resolution must be "
                        f"one of {', '.join(RESOLUTIONS)}", "see the comments above")]
    if not isinstance(conflict.get("candidates"), list):
        return [Problem(line, f"conflict {name}: candidates must be a list", "keep it as written")]
    return []


# -- semantics ----------------------------------------------------------------------


def semantics(plan: Plan, inv: Inventory, repo: Path, lines: Lines) -> list[Problem]:
    problems = list(_paths(plan, repo, lines))
    problems += _conflicts(plan, lines)
    problems += _sections(plan, inv, lines)
    problems += _aliases(plan, lines)
    problems += _open_fixes(plan, lines)
    problems += _stubs(plan, inv, lines)
    problems += _columns(plan, inv, lines)
    problems += _fingerprints(plan, repo, lines)
    return sorted(problems)


def _inside(repo: Path, rel: str) -> bool:
    if os.path.isabs(rel) or rel.startswith("~"):
        return False
    real = os.path.realpath(repo / rel)
    root = os.path.realpath(repo)
    return real == root or real.startswith(root + os.sep)


def _paths(plan: Plan, repo: Path, lines: Lines) -> Iterator[Problem]:
    named = [("target", plan.target), ("compat", plan.compat)]
    named += [("sources", s) for s in plan.sources]
    for key, rel in named:
        line = lines.value(rel) if key == "sources" else lines.key(key)
        if not _inside(repo, rel):
            yield Problem(line, f"{key} path {rel!r} is outside the repository",
                          "use a path relative to the repository root, without ../")
        elif not rel.endswith(".py"):
            yield Problem(line, f"{key} path {rel!r} is not a .py file", "name a Python module")
        elif key == "sources" and not (repo / rel).is_file():
            yield Problem(line, f"source {rel!r} does not exist", "remove it from sources")
        elif key == "target" and rel not in plan.sources and _holds_code(repo, rel):
            yield Problem(line, f"target {rel!r} already exists and is not a source: apply "
                          "would overwrite it", "add it to sources, or name a new file")
    if plan.target == plan.compat:
        yield Problem(lines.key("compat"), "compat and target are the same file",
                      "give the compat module its own name, e.g. models_compat.py")


def _holds_code(repo: Path, rel: str) -> bool:
    from unify.target import CODE, file_kind

    return file_kind(repo, None, rel) == CODE


def _conflicts(plan: Plan, lines: Lines) -> Iterator[Problem]:
    for conflict, line in zip(plan.conflicts, lines.headers("conflicts")):
        refs = {c.ref for c in conflict.candidates}
        if conflict.resolution == "?":
            yield Problem(lines.key("resolution", line), f"conflict {conflict.name} is "
                          "undecided (resolution = \"?\")",
                          "set resolution to keep, merge or rename (see its comments)")
        elif conflict.resolution in ("keep", "merge") and conflict.keep not in refs:
            yield Problem(lines.key("keep", line), f"conflict {conflict.name}: keep = "
                          f"{conflict.keep!r} is not one of its candidates",
                          f"use one of {', '.join(sorted(refs))}")
        elif conflict.kind == "helper" and conflict.resolution == "merge":
            yield Problem(lines.key("resolution", line), f"conflict {conflict.name}: a helper "
                          "cannot be merged", "use keep or rename")
        elif conflict.resolution == "rename" and not conflict.renames:
            yield Problem(lines.key("resolution", line), f"conflict {conflict.name}: rename "
                          "needs a [conflicts.rename] table", '"path:Class" = "NewName"')
        for choice in conflict.columns:
            if conflict.resolution == "merge" and choice.choice not in refs:
                yield Problem(lines.key(choice.column, line), f"conflict {conflict.name}: "
                              f"column {choice.column} = {choice.choice!r} is not a candidate",
                              f"use one of {', '.join(sorted(refs))}")


def final_names(plan: Plan, inv: Inventory) -> tuple[set[str], dict[str, str]]:
    """(class names the target will define, merged-away name -> its winner)."""
    names = {m.name for m in inv.models if m.path in plan.sources}
    merged: dict[str, str] = {}
    for conflict in (c for c in plan.conflicts if c.kind != "helper"):  # helpers: no models
        for cand in conflict.candidates:
            cls = cand.ref.split(":", 1)[-1]
            if conflict.resolution in ("keep", "merge") and cand.ref != conflict.keep:
                keep_cls = (conflict.keep or "").split(":", 1)[-1]
                if cls != keep_cls:
                    merged[cls] = keep_cls
                    names.discard(cls)
        if conflict.resolution == "rename":
            names |= {new for _, new in conflict.renames}
    return names | {s.name for s in plan.stubs}, merged


def _sections(plan: Plan, inv: Inventory, lines: Lines) -> Iterator[Problem]:
    known, merged = final_names(plan, inv)
    seen: dict[str, str] = {}
    headers = lines.headers("sections")
    for section, header in zip(plan.sections, headers):
        for name in section.models:
            line = lines.value(name, header)
            if name in merged:
                yield Problem(line, f"{name} is merged into {merged[name]} by a conflict "
                              "resolution", f"list {merged[name]} instead")
            elif name not in known:
                close = [k for k in sorted(known) if k.lower() == name.lower()] or \
                    difflib.get_close_matches(name, sorted(known), n=1)
                yield Problem(line, f"unknown model {name!r} in section {section.title!r}",
                              f"did you mean {close[0]!r}?" if close
                              else "use a model name from the sources")
            elif name in seen:
                yield Problem(line, f"{name} is in two sections ({seen[name]!r} and "
                              f"{section.title!r})", "keep it in one")
            seen.setdefault(name, section.title)
    for name in sorted(known - set(seen)):
        yield Problem(headers[-1] if headers else 1, f"model {name} is in no section",
                      "add it to the models list of a section")


def _aliases(plan: Plan, lines: Lines) -> Iterator[Problem]:
    mapping = {a.old: a.new for a in plan.aliases}
    for old in mapping:
        chain, current = [old], mapping[old]
        while current in mapping and current not in chain:
            chain.append(current)
            current = mapping[current]
        if current in chain or current == old:
            yield Problem(lines.key(old), "alias cycle: " + " -> ".join(chain + [current]),
                          "make the last name a model of the target")


def _parse(code: str) -> list[ast.stmt] | None:
    try:
        return ast.parse(code).body
    except (SyntaxError, ValueError):
        return None


def _bad_imports(imports: tuple[str, ...]) -> str | None:
    for text in imports:
        body = _parse(text)
        if body is None or len(body) != 1 or not isinstance(body[0], (ast.Import, ast.ImportFrom)):
            return text
    return None


def _stubs(plan: Plan, inv: Inventory, lines: Lines) -> Iterator[Problem]:
    existing = {m.name for m in inv.models if m.path in plan.sources}
    seen: set[str] = set()
    for stub, line in zip(plan.stubs, lines.headers("stubs")):
        body = _parse(stub.code)
        where = lines.key("code", line)
        if body is None:
            yield Problem(where, f"stub {stub.name}: the code is not valid Python",
                          "fix it, or run `unify plan --database URL` again")
        elif len(body) != 1 or not isinstance(body[0], ast.ClassDef) or \
                body[0].name != stub.name:
            yield Problem(where, f"stub {stub.name}: the code must be one class named {stub.name}",
                          "keep name and the class statement in step")
        if stub.name in existing or stub.name in seen:
            yield Problem(lines.key("name", line), f"stub {stub.name}: a model of that name "
                          "already exists", "rename the stub (name and class)")
        if _bad_imports(stub.imports):
            yield Problem(lines.key("imports", line), f"stub {stub.name}: "
                          f"{_bad_imports(stub.imports)!r} is not one import statement",
                          'e.g. "from sqlalchemy import String"')
        seen.add(stub.name)


def _columns(plan: Plan, inv: Inventory, lines: Lines) -> Iterator[Problem]:
    known = final_names(plan, inv)[0] - {s.name for s in plan.stubs}
    for column, line in zip(plan.columns, lines.headers("columns")):
        if not column.enabled:
            continue
        if column.model not in known:
            yield Problem(lines.key("model", line), f"column {column.model}.{column.attr}: no "
                          f"model {column.model!r} in the target", "use a model the plan merges")
        body = _parse(column.code)
        target = None
        if body and len(body) == 1 and isinstance(body[0], (ast.Assign, ast.AnnAssign)):
            node = body[0].targets[0] if isinstance(body[0], ast.Assign) else body[0].target
            target = node.id if isinstance(node, ast.Name) else None
        if target != column.attr:
            yield Problem(lines.key("code", line), f"column {column.model}.{column.attr}: code "
                          f"must be one assignment to {column.attr}",
                          f"e.g. {column.attr} = db.Column(db.Integer)")
        if _bad_imports(column.imports):
            yield Problem(lines.key("imports", line), f"column {column.model}.{column.attr}: "
                          f"{_bad_imports(column.imports)!r} is not one import statement",
                          'e.g. "from sqlalchemy import String"')


def _fingerprints(plan: Plan, repo: Path, lines: Lines) -> Iterator[Problem]:
    for path, blob in plan.fingerprints:
        file = repo / path
        if not file.is_file():
            yield Problem(lines.key(path), f"{path} no longer exists (the plan is stale)",
                          "run `unify plan` again")
        elif blob_id(file.read_bytes()) != blob:
            yield Problem(lines.key(path), f"{path} changed since the plan was made (stale plan)",
                          "run `unify plan` again, or restore the file")


def _open_fixes(plan: Plan, lines: Lines) -> Iterator[Problem]:
    for fix, line in zip(plan.fixes, lines.headers("fixes")):
        if fix.enabled and "?" in (fix.old, fix.new):
            yield Problem(lines.key("to", line), f"fix of {fix.model}.{fix.attr} is undecided "
                          '(to = "?")', "set `to` to the right target, or enabled = false")
        elif fix.enabled and fix.data_loss == "?":
            yield Problem(lines.key("data_loss", line), f"fix of {fix.model}.{fix.attr}: the "
                          f"migration's cast {fix.old} -> {fix.new} can lose data and is "
                          'undecided (data_loss = "?")', 'back up, then write data_loss = '
                          '"accept"; or enabled = false')
