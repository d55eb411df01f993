"""Validate a (hand-edited) plan against the current tree; point at the wrong line.

Each problem carries the plan's line number and a fix hint. Structure is
checked first (types and required keys); semantics (model names, sections,
aliases, paths, freshness) only on a well-formed plan.
"""

from __future__ import annotations

import ast
import difflib
import keyword
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from unify.gitrepo import blob_id  # noqa: F401  (imported from here by older code)
from unify.cycles import FIXES as CYCLE_FIXES
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


_TABLES = {"aliases": dict, "dependents": dict, "conflicts": list, "fixes": list,
           "stubs": list, "columns": list, "cycles": list}
_KEYS = {
    "sections": ("title", "models"),
    "conflicts": ("name", "kind", "candidates", "resolution", "keep", "columns", "rename"),
    "fixes": ("kind", "model", "attr", "at", "from", "to", "enabled", "data_loss"),
    "stubs": ("name", "table", "imports", "code"),
    "columns": ("model", "attr", "imports", "code", "enabled"),
    "cycles": ("source", "line", "module", "names", "chain", "fix"),
}
_KIND_NAMES = {dict: "table", list: "list", str: "string", int: "number"}


def _unknown(key: str, known, line: int) -> Problem:
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return Problem(line, f"unknown key {key!r}",
                   f"did you mean {close[0]!r}?" if close else "remove it (unify ignores "
                   f"nothing silently; known keys: {', '.join(sorted(known))})")


def _types(data: dict[str, Any], lines: Lines) -> Iterator[Problem]:
    """Every value has the type unify reads (else the line, never an internal error)."""
    known = set(_TOP) | set(_TABLES)
    for key in data:
        if key not in known:
            yield _unknown(key, known, lines.key(key))
    for key, kind in _TABLES.items():
        if key in data and not isinstance(data[key], kind):
            yield Problem(lines.key(key), f"{key} must be a {_KIND_NAMES[kind]}",
                          "see the comments above it")
    if isinstance(data.get("sources"), list) and not _strings(data["sources"]):
        yield Problem(lines.key("sources"), "sources must be a list of file paths (strings)",
                      'e.g. sources = ["app/models.py"]')
    if isinstance(data.get("fingerprints"), dict) and not all(
            isinstance(v, str) for v in data["fingerprints"].values()):
        yield Problem(lines.key("fingerprints"), "fingerprints must map paths to blob ids",
                      "run `unify plan` again")
    if isinstance(data.get("aliases"), dict):
        for old, new in data["aliases"].items():
            if not isinstance(new, str):
                yield Problem(lines.key(old), f"alias {old} must be a class name (a string)",
                              'e.g. MVPUser = "User"')
    for name, keys in _KEYS.items():
        items = data.get(name, [])
        if not isinstance(items, list):
            continue
        headers = lines.headers(name)
        for i, item in enumerate(items):
            line = headers[i] if i < len(headers) else lines.key(name)
            if not isinstance(item, dict):
                yield Problem(line, f"{name} entry {i + 1} must be a table", f"[[{name}]]")
                continue
            for key in item:
                if key not in keys:
                    yield _unknown(key, keys, lines.key(key, line))
            for key, value in item.items():
                bad = _bad_value(name, key, value)
                if bad:
                    yield Problem(lines.key(key, line), f"{name} entry {i + 1}: {key} {bad}",
                                  "see the comments above it")
            if name == "sections" and not isinstance(item.get("title"), str):
                yield Problem(line, f"section {i + 1} needs a title", 'title = "..."')


def _bad_value(table: str, key: str, value: Any) -> str | None:
    if key in ("models", "candidates", "imports", "names", "chain"):
        return None if _strings(value) else "must be a list of strings"
    if key == "line":
        return None if isinstance(value, int) and not isinstance(value, bool) else \
            "must be a line number"
    if key == "enabled":
        return None if isinstance(value, bool) else "must be true or false"
    if key in ("columns", "rename") and table == "conflicts":
        return None if isinstance(value, dict) and all(
            isinstance(v, str) for v in value.values()) else "must be a table of strings"
    return None if isinstance(value, str) else "must be a string"


def structure(data: dict[str, Any], lines: Lines) -> list[Problem]:
    problems = []
    for key, kind in _TOP.items():
        if key not in data:
            problems.append(Problem(1, f"missing key {key!r}", "write a new plan with `unify plan`"))
        elif not isinstance(data[key], kind):
            problems.append(Problem(lines.key(key), f"{key} must be a {kind.__name__}",
                                    "see the comments above it"))
    problems += _types(data, lines)
    if problems:
        return sorted(set(problems))
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
    for cycle, line in zip(data.get("cycles", []), lines.headers("cycles")):
        if cycle.get("fix") not in CYCLE_FIXES or not isinstance(cycle.get("module"), str):
            problems.append(Problem(lines.key("fix", line), "a cycle needs module and fix (one "
                                    f"of {', '.join(CYCLE_FIXES)})", "see the comments above it"))
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
    problems += generated_code(plan, lines)
    problems += _overwrites(plan, inv, repo, lines)
    problems += _conflicts(plan, lines)
    problems += _sections(plan, inv, lines)
    problems += _aliases(plan, lines)
    problems += _open_fixes(plan, lines)
    problems += _open_cycles(plan, lines)
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


def through_symlink(repo: Path, rel: str) -> str | None:
    """The first folder or file of ``rel`` (inside ``repo``) that is a symbolic link."""
    current = repo
    for part in Path(rel).parts:
        current = current / part
        if current.is_symlink():
            return current.relative_to(repo).as_posix()
    return None


def _paths(plan: Plan, repo: Path, lines: Lines) -> Iterator[Problem]:
    named = [("target", plan.target), ("compat", plan.compat)]
    named += [("sources", s) for s in plan.sources]
    for key, rel in named:
        line = lines.value(rel) if key == "sources" else lines.key(key)
        if not _inside(repo, rel):
            yield Problem(line, f"{key} path {rel!r} is outside the repository",
                          "use a path relative to the repository root, without ../")
        elif rel.replace("\\", "/").split("/")[0] == ".git" or "/.git/" in f"/{rel}":
            yield Problem(line, f"{key} path {rel!r} is inside .git/",
                          "name a module of the project")
        elif through_symlink(repo, rel):
            yield Problem(line, f"{key} path {rel!r} passes through the symlink "
                          f"{through_symlink(repo, rel)}",
                          "name the real path (unify never writes through a symlink)")
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


def _open_cycles(plan: Plan, lines: Lines) -> Iterator[Problem]:
    for cycle, line in zip(plan.cycles, lines.headers("cycles")):
        if cycle.fix == "?":
            yield Problem(lines.key("fix", line), f"import cycle through {cycle.module} "
                          f"({cycle.source}:{cycle.line}) is undecided (fix = \"?\")",
                          "set fix to function, type_checking or keep")


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


# -- strings that reach generated code -------------------------------------------

#: What a title or header cannot hold: it becomes a comment line and part of the
#: module docstring, so no line break, and nothing that could close or escape
#: the string (three quotes, a backslash). A single quote character is fine.
_NOT_IN_TEXT = re.compile(r'[\x00-\x1f\x7f\x85\u2028\u2029\\]|"""|\'\'\'')
_TABLE_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){1,2}")
_DENIED_CALLS = {"eval", "exec", "compile", "open", "getattr", "setattr", "delattr",
                 "globals", "locals", "vars", "input", "breakpoint", "exit", "quit",
                 "memoryview", "system", "popen"}
_SAFE_NODES = (ast.Expression, ast.Name, ast.Attribute, ast.Call, ast.keyword, ast.Constant,
               ast.Load, ast.Tuple, ast.List, ast.Dict, ast.Set, ast.Subscript, ast.UnaryOp,
               ast.BinOp, ast.Compare, ast.BoolOp, ast.operator, ast.unaryop, ast.cmpop,
               ast.boolop)


def identifier(name: object) -> bool:
    """A Python name a class or attribute can have: not a keyword (None, class, ...)."""
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def one_line_text(text: str) -> bool:
    return not _NOT_IN_TEXT.search(text)


def safe_expression(code: str) -> bool:
    """A declaration expression (``db.String(120)``, ``Column(Integer, nullable=False)``):
    names, attributes, calls, literals; no lambda, comprehension, f-string, walrus,
    dunder name or attribute, nor a call of eval/exec/open/getattr/..."""
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    return _safe(tree)


def _safe(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if not isinstance(node, _SAFE_NODES):
            return False
        name = node.id if isinstance(node, ast.Name) else \
            node.attr if isinstance(node, ast.Attribute) else None
        if name is not None and (name.startswith("__") or name in _DENIED_CALLS):
            return False
    return True


def _safe_statement(stmt: ast.stmt) -> bool:
    """One class-level declaration of a stub or an added column."""
    if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and
                                      isinstance(stmt.value, ast.Constant)):
        return True
    if isinstance(stmt, ast.Assign):
        return all(isinstance(t, ast.Name) for t in stmt.targets) and _safe(stmt.value)
    if isinstance(stmt, ast.AnnAssign):
        return isinstance(stmt.target, ast.Name) and _safe(stmt.annotation) and \
            (stmt.value is None or _safe(stmt.value))
    return False


def generated_code(plan: Plan, lines: Lines) -> Iterator[Problem]:
    """Every plan string apply writes into code is what it claims to be: apply emits
    them as names, comments and literals, so none of them can become code."""
    texts = [("header", plan.header, lines.key("header"))]
    texts += [("title", s.title, line) for s, line in
              zip(plan.sections, lines.headers("sections"))]
    for key, text, line in texts:
        if not one_line_text(text):
            where = lines.key("title", line) if key == "title" else line
            yield Problem(where, f"{key} {text!r} must be one line of text without \"\"\" or \\",
                          "it becomes a comment and part of the module docstring")
    for alias in plan.aliases:
        if not identifier(alias.old) or not identifier(alias.new):
            yield Problem(lines.key(alias.old), f"alias {alias.old} = {alias.new!r}: both "
                          "must be class names, not a keyword (class, None, ...)",
                          'e.g. MVPUser = "User"')
    for conflict, line in zip(plan.conflicts, lines.headers("conflicts")):
        for ref, new in conflict.renames:
            if not identifier(new):
                yield Problem(lines.key(ref, line), f"conflict {conflict.name}: rename "
                              f"{new!r} is not a class name", "use a Python class name")
    yield from _fix_values(plan, lines)
    for stub, line in zip(plan.stubs, lines.headers("stubs")):
        if not identifier(stub.name):
            yield Problem(lines.key("name", line), f"stub {stub.name!r} is not a class name",
                          "use a Python class name")
        body = _parse(stub.code)
        cls = body[0] if body and len(body) == 1 else None
        if isinstance(cls, ast.ClassDef) and not (
                not cls.decorator_list and all(_safe(b) for b in cls.bases) and
                all(_safe(k.value) for k in cls.keywords) and
                all(_safe_statement(s) for s in cls.body)):
            yield Problem(lines.key("code", line), f"stub {stub.name}: the class may hold "
                          "only declarations (name = expression of names, calls, literals)",
                          "add methods after apply, in the target module")
    for column, line in zip(plan.columns, lines.headers("columns")):
        if not identifier(column.model) or not identifier(column.attr):
            yield Problem(lines.key("attr", line), f"column {column.model}.{column.attr}: "
                          "model and attr must be Python names", "e.g. model = \"User\"")
        body = _parse(column.code)
        if column.enabled and body and len(body) == 1 and not _safe_statement(body[0]):
            yield Problem(lines.key("code", line), f"column {column.model}.{column.attr}: the "
                          "code must be a declaration (names, calls, literals)",
                          f"e.g. {column.attr} = db.Column(db.Integer)")


def _fix_values(plan: Plan, lines: Lines) -> Iterator[Problem]:
    for fix, line in zip(plan.fixes, lines.headers("fixes")):
        if not fix.enabled:
            continue
        if not identifier(fix.model) or not identifier(fix.attr):
            yield Problem(lines.key("attr", line), f"fix {fix.model}.{fix.attr}: model and "
                          "attr must be Python names", "keep them as unify wrote them")
        for key, value in (("from", fix.old), ("to", fix.new)):
            if value in ("", "?"):
                continue
            if fix.kind == "foreign_key":
                ok, shape = bool(_TABLE_COLUMN.fullmatch(value)), "table.column"
            elif fix.kind == "column_type":
                ok, shape = safe_expression(value), "a column type such as String(120)"
            elif fix.kind == "add_back_populates" and key == "to":
                cls, _, attr = value.partition(".")
                ok, shape = identifier(cls) and identifier(attr), "Class.attribute"
            else:
                continue
            if not ok:
                yield Problem(lines.key(key, line), f"fix of {fix.model}.{fix.attr}: "
                              f"{key} = {value!r} is not {shape}", "keep the form unify wrote")


# -- files unify would overwrite -------------------------------------------------

COMPAT_MARK = "Temporary compatibility module, generated by unify."


def _overwrites(plan: Plan, inv: Inventory, repo: Path, lines: Lines) -> Iterator[Problem]:
    """unify never overwrites or deletes a file whose content it did not generate."""
    models = set(inv.model_modules)
    for source in plan.sources:
        if source != plan.target and (repo / source).is_file() and source not in models:
            yield Problem(lines.value(source), f"source {source!r} defines no models: "
                          f"retire = {plan.retire} would {_verb(plan.retire)} it",
                          "remove it from sources")
    compat = repo / plan.compat
    if compat.is_file() and COMPAT_MARK not in compat.read_text("utf-8", "replace"):
        yield Problem(lines.key("compat"), f"compat {plan.compat!r} already exists and unify "
                      "did not write it: apply would replace it",
                      "name a file that does not exist, e.g. models_compat.py")
    target = repo / plan.target
    if plan.target not in plan.sources and target.is_file():
        kept = _foreign_code(target, plan, inv)
        if kept:
            yield Problem(lines.key("target"), f"target {plan.target!r} already holds code "
                          f"that is not merged (line {kept}): apply would replace it",
                          "add it to sources if it defines models, or name a new file")
    if plan.retire == "archive":
        for source in plan.sources:
            archived = Path("archive") / source
            if source != plan.target and (repo / archived).exists():
                yield Problem(lines.key("retire"), f"{archived.as_posix()} already exists: "
                              "retire = archive would overwrite it",
                              "move that file, or use retire = shim")


def _verb(retire: str) -> str:
    return {"shim": "replace", "archive": "move", "delete": "delete"}.get(retire, "replace")


def _foreign_code(path: Path, plan: Plan, inv: Inventory) -> int | None:
    """The first line of ``path`` that is neither a docstring, an import (re-exports:
    the merged module imports what its models use; verification checks every name
    still resolves) nor ``__all__``; None if there is none."""
    try:
        body = ast.parse(path.read_bytes()).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 1
    for stmt in body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, ast.Assign) and [getattr(t, "id", "") for t in stmt.targets] == \
                ["__all__"]:
            continue
        return stmt.lineno
    return None
