"""Step 1 of apply: build the sectioned target module from the source files.

Every source is parsed with libcst and its top-level statements sorted into
pieces: ``__future__`` imports, other imports (merged and de-duplicated),
imports of other sources (dropped: the names are local now), fallbacks that
only dodged circular imports (dropped), model classes (placed by the plan's
sections, merged per the conflicts), helpers (enums, constants, mixins,
tables, functions, the ``db``/``Base`` definitions: all come along, in
dependency order) and module-level code that needs the models at import time
(placed after them). Moved code keeps its comments, docstrings and methods.
"""

from __future__ import annotations

import ast
import posixpath
import re
import textwrap
from dataclasses import dataclass, field

import libcst as cst

from unify import scaffold
from unify.cycles_fix import break_cycles
from unify.headings import strip_heading_lines
from unify.merge_edit import (
    RenameNames,
    add_member,
    apply_fixes,
    banner,
    free_names,
    import_entries,
    render_imports,
)
from unify.errors import Refused
from unify.plan import Conflict, Plan
from unify.resolve import ModuleIndex


@dataclass
class Piece:
    source: str
    kind: str  # future | import | model | helper | late
    node: cst.BaseStatement
    binds: tuple[str, ...] = ()
    uses: frozenset[str] = frozenset()
    name: str = ""  # class name in the target (models)
    original: str = ""  # class name in its source file


@dataclass
class Merged:
    text: str
    notes: list[str] = field(default_factory=list)  # things a reviewer should know


@dataclass(frozen=True)
class MergeInput:
    plan: Plan
    sources: dict[str, str]  # path -> source text (at the plan's base)
    model_names: dict[str, tuple[str, ...]]  # path -> model classes it defines
    index: ModuleIndex  # to tell imports of sources from other imports
    module_names: dict[str, str]  # path -> dotted module name (for relative imports)


def source_order(plan: Plan) -> list[str]:
    """The target's own source first (it is the file being rewritten), then the rest."""
    return sorted(plan.sources, key=lambda p: (p != plan.target, plan.sources.index(p)))


def merge(inp: MergeInput) -> Merged:
    notes: list[str] = []
    pieces: list[Piece] = []
    for path in source_order(inp.plan):
        pieces += _pieces(inp, path, notes)
    models = _resolve_models(inp, pieces, notes)
    _add_from_database(inp.plan, models, notes)
    helpers = _dedupe_helpers(inp.plan, [p for p in pieces if p.kind == "helper"], notes)
    late = [p for p in pieces if p.kind == "late"]
    body = _assemble(inp, pieces, helpers, models, late, notes)
    module = cst.Module(body=body, default_newline=_newline(inp), header=_coding(inp))
    module = apply_fixes(module, inp.plan, notes)
    module = break_cycles(module, inp.plan.cycles, notes)
    module = _keep_old_names(inp, module, notes)
    _no_source_imports_left(inp, module)
    return Merged(module.code, notes)


def _newline(inp: MergeInput) -> str:
    first = inp.sources[source_order(inp.plan)[0]]
    return "\r\n" if "\r\n" in first.split("\n", 1)[0] + "\n" else "\n"


# -- classifying statements --------------------------------------------------------


def renames_for(plan: Plan, path: str) -> dict[str, str]:
    """Names to rename in code from ``path``: aliases, merged and renamed classes."""
    renames = {a.old: a.new for a in plan.aliases if a.enabled}
    for conflict in plan.conflicts:
        renames.update(_conflict_renames(conflict, path))
    return {old: new for old, new in renames.items() if old != new}


def _conflict_renames(conflict: Conflict, path: str) -> dict[str, str]:
    found = {}
    keep_cls = (conflict.keep or "").split(":", 1)[-1]
    for cand in conflict.candidates:
        cand_path, cls = cand.ref.split(":", 1)
        if conflict.resolution in ("keep", "merge") and cls != keep_cls:
            found[cls] = keep_cls
        if conflict.resolution == "rename" and cand_path == path:
            new = dict(conflict.renames).get(cand.ref)
            if new:
                found[cls] = new
    return found


def _pieces(inp: MergeInput, path: str, notes: list[str]) -> list[Piece]:
    module = cst.parse_module(inp.sources[path])
    models = set(inp.model_names.get(path, ()))
    source_aliases: set[str] = set()
    kept: list[tuple[str, cst.BaseStatement]] = []
    dead = _scaffolding(inp, path, module)
    for index, stmt in enumerate(module.body):
        if index == 0 and _is_docstring(stmt):
            continue
        if index in dead:
            notes.append(f"{path}: dropped circular-import scaffolding: {dead[index]}")
            continue
        kind = _classify(inp, path, stmt, models, source_aliases)
        if kind != "drop":
            kept.append((kind, stmt))
    dropper = DropSourceImports(inp, path, source_aliases)
    kept = [(k, s if k in ("import", "future") else s.visit(dropper)) for k, s in kept]
    renamer = RenameNames(renames_for(inp.plan, path), source_aliases)
    pieces = []
    for kind, stmt in kept:
        original = stmt.name.value if isinstance(stmt, cst.ClassDef) else ""
        if kind not in ("import", "future"):
            stmt = stmt.visit(renamer)
        if kind == "model":  # its heading becomes the section banner (unify.headings)
            stmt = stmt.with_changes(leading_lines=strip_heading_lines(stmt.leading_lines))
        name = stmt.name.value if isinstance(stmt, cst.ClassDef) else ""
        pieces.append(Piece(path, kind, stmt, _binds(stmt), free_names(stmt), name, original))
    models_now = _all_model_names(inp)
    for piece in pieces:  # code that touches models while the module loads goes after them
        if piece.kind == "helper" and piece.uses & models_now - set(piece.binds):
            piece.kind = "late"
    return pieces


def _all_model_names(inp: MergeInput) -> set[str]:
    names = {n for names in inp.model_names.values() for n in names}
    for conflict in inp.plan.conflicts:
        if conflict.kind != "helper":
            names |= {new for _, new in conflict.renames}
    return names


# -- circular-import scaffolding and lazy imports of sources ------------------------


def _as_cst_import(node: ast.stmt) -> cst.BaseSmallStatement | None:
    try:
        stmt = cst.parse_statement(ast.unparse(node) + "\n")
    except cst.ParserSyntaxError:
        return None
    return stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) else None


def _ast_is_source_import(inp: MergeInput, path: str):
    def check(node: ast.stmt) -> bool:
        small = _as_cst_import(node)
        return small is not None and _is_source_import(inp, path, small, set())
    return check


def _ast_body(module: cst.Module) -> ast.Module:
    """One ast statement per libcst statement (``a; b`` lines: a ``pass`` stand-in)."""
    body: list[ast.stmt] = []
    for stmt in module.body:
        try:
            parsed = ast.parse(cst.Module([stmt]).code).body
        except SyntaxError:
            parsed = []
        body.append(parsed[0] if len(parsed) == 1 else ast.Pass())
    return ast.Module(body=body, type_ignores=[])


def _scaffolding(inp: MergeInput, path: str, module: cst.Module) -> dict[int, str]:
    elsewhere: set[str] = set()
    for other in inp.plan.sources:
        if other != path:
            try:
                elsewhere |= scaffold.defined_names(ast.parse(inp.sources[other]))
            except SyntaxError:
                continue
    models = _all_model_names(inp) | {
        a.new for a in inp.plan.aliases if a.enabled} - set(inp.model_names.get(path, ()))
    return scaffold.find(_ast_body(module), _ast_is_source_import(inp, path), elsewhere, models)


class DropSourceImports(cst.CSTTransformer):
    """Imports of other sources inside moved functions go: the names are module-level now.
    ``from src import A as B`` becomes ``B = A``; ``import src as m`` makes ``m.A`` read
    ``A`` (via the renamer's source modules)."""

    def __init__(self, inp: MergeInput, path: str, source_aliases: set[str]) -> None:
        super().__init__()
        self.inp, self.path, self.aliases = inp, path, source_aliases

    def leave_SimpleStatementLine(self, original, updated):
        if not all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in updated.body):
            return updated
        if not all(_is_source_import(self.inp, self.path, s, self.aliases) for s in updated.body):
            return updated
        binds = []
        for small in updated.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if alias.asname and _code_of(alias.asname.name) != _code_of(alias.name):
                        binds.append(cst.Assign([cst.AssignTarget(alias.asname.name)],
                                                alias.name))
        return updated.with_changes(body=binds or [cst.Pass()])


def _code_of(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _no_source_imports_left(inp: MergeInput, module: cst.Module) -> None:
    """Internal check of step 1: the target imports no source module, anywhere."""
    left = []
    for node in ast.walk(ast.parse(module.code)):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and \
                _ast_is_source_import(inp, inp.plan.target)(node):
            left.append(f"line {node.lineno}: {ast.unparse(node)}")
    if left:
        raise Refused(f"internal check failed: the merged {inp.plan.target} still imports a "
                      f"source module ({'; '.join(left[:3])})",
                      "nothing was committed; please report this with the plan")


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _classify(inp, path, stmt, models, source_aliases) -> str:
    if isinstance(stmt, cst.ClassDef) and stmt.name.value in models:
        return "model"
    if isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    ):
        return _classify_import(inp, path, stmt, source_aliases)
    if isinstance(stmt, cst.Try) and _only_source_imports(inp, path, stmt.body):
        return "drop"  # a fallback that only dodged a circular import
    if isinstance(stmt, cst.If) and _is_type_checking(stmt):
        return "drop" if _only_source_imports(inp, path, stmt.body) else "helper"
    return "helper"


def _classify_import(inp, path, stmt: cst.SimpleStatementLine, source_aliases) -> str:
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and _module_text(small) == "__future__":
            return "future"
    if all(_is_source_import(inp, path, small, source_aliases) for small in stmt.body):
        return "drop"
    return "import"


def _module_text(node: cst.ImportFrom) -> str:
    dots = "." * len(node.relative)
    return dots + (cst.Module([]).code_for_node(node.module) if node.module else "")


def _targets(inp: MergeInput) -> set[str]:
    return set(inp.plan.sources) | {inp.plan.target}


def _is_source_import(inp, path, node, source_aliases: set[str]) -> bool:
    """Does this import statement only bring in names from the sources (or the target)?"""
    targets = _targets(inp) | _reexports_of_sources(inp)
    if isinstance(node, cst.Import):
        hits = []
        for alias in node.names:
            name = cst.Module([]).code_for_node(alias.name)
            hit = inp.index.resolve_module(path, name) in targets
            if hit:
                bound = alias.asname.name.value if alias.asname else name.split(".")[0]
                source_aliases.add(bound)
            hits.append(hit)
        return all(hits)
    module = _module_text(node)
    level = len(node.relative)
    resolved = inp.index.resolve_module(path, module, level)
    if resolved in targets:
        return True
    if resolved is None or isinstance(node.names, cst.ImportStar):
        return False
    subs = [inp.index.submodule(resolved, a.name.value) for a in node.names]  # type: ignore
    if subs and all(s in targets for s in subs):
        for alias in node.names:  # type: ignore[union-attr]
            source_aliases.add(alias.asname.name.value if alias.asname else alias.name.value)
        return True
    return False


def _reexports_of_sources(inp: MergeInput) -> set[str]:
    """Package ``__init__`` files beside the sources (``from app.models import X``)."""
    folders = {posixpath.dirname(s) for s in inp.plan.sources}
    inits = {posixpath.join(f, "__init__.py") for f in folders if f} & set(inp.index.by_path)
    return {p for p in inits if _only_imports(inp.index.by_path[p])}  # not an app factory


def _only_imports(facts) -> bool:
    return not (facts.classes or facts.functions or facts.tables
                or any(a.name != "__all__" for a in facts.assigns))


def _only_source_imports(inp, path, block) -> bool:
    stmts = list(block.body) if hasattr(block, "body") else []
    found = False
    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            if not all(_is_source_import(inp, path, s, set()) for s in stmt.body):
                return False
            found = True
        elif not (isinstance(stmt, cst.SimpleStatementLine)
                  and all(isinstance(s, cst.Pass) for s in stmt.body)):
            return False
    return found


def _is_type_checking(stmt: cst.If) -> bool:
    code = cst.Module([]).code_for_node(stmt.test)
    return code.endswith("TYPE_CHECKING")


def _binds(stmt: cst.BaseStatement) -> tuple[str, ...]:
    if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
        return (stmt.name.value,)
    names = []
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            targets = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                targets = [small.target]
            for target in targets:
                names += [n.value for n in _names_in(target)]
    return tuple(names)


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for el in node.elements for n in _names_in(el.value)]
    return []


# -- models: winners, merges, renames ---------------------------------------------------


def _resolve_models(inp: MergeInput, pieces: list[Piece], notes) -> dict[str, Piece]:
    """Final class name -> its piece, after keep/merge/rename and alias merges."""
    by_ref = {f"{p.source}:{p.original}": p for p in pieces if p.kind == "model"}
    final: dict[str, Piece] = {}
    dropped: set[str] = set()
    for conflict in inp.plan.conflicts:
        if conflict.resolution not in ("keep", "merge") or conflict.keep not in by_ref:
            continue
        winner = by_ref[conflict.keep]
        losers = [by_ref[c.ref] for c in conflict.candidates
                  if c.ref != conflict.keep and c.ref in by_ref]
        if conflict.resolution == "merge":
            choices = {c.column: c.choice for c in conflict.columns}
            winner.node = _merge_class(winner, losers, choices, notes)
        dropped |= {id(p) for p in losers}
    for piece in pieces:
        if piece.kind == "model" and id(piece) not in dropped:
            if piece.name in final:
                notes.append(f"{piece.source}: a second class {piece.name} was dropped; "
                             "settle it as a conflict in the plan")
                continue
            final[piece.name] = piece
    for alias in (a for a in inp.plan.aliases if a.enabled):
        if alias.old in final and alias.new in final:  # a probable duplicate turned on
            keep = final[alias.new]
            keep.node = _merge_class(keep, [final.pop(alias.old)], {}, notes)
            notes.append(f"{alias.old} is merged into {alias.new} (alias); its table mapping "
                         "is gone and its columns were added")
    return final


def _member_name(stmt: cst.BaseStatement) -> str | None:
    if isinstance(stmt, cst.FunctionDef):
        return stmt.name.value
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            return target.value if isinstance(target, cst.Name) else None
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return small.target.value
    return None


def _merge_class(winner: Piece, losers: list[Piece], choices: dict[str, str], notes):
    """The winner's class plus members only the losers have; chosen column definitions."""
    node: cst.ClassDef = winner.node  # type: ignore[assignment]
    body = list(node.body.body)
    names = {_member_name(s): i for i, s in enumerate(body) if _member_name(s)}
    added: list[cst.BaseStatement] = []
    for loser in losers:
        loser_ref = f"{loser.source}:{loser.original}"
        for stmt in loser.node.body.body:  # type: ignore[union-attr]
            member = _member_name(stmt)
            if member is None or member.startswith("__") or _is_docstring(stmt):
                continue
            if member in names:
                if choices.get(member) == loser_ref:
                    body[names[member]] = stmt.with_changes(
                        leading_lines=list(body[names[member]].leading_lines))
                    notes.append(f"{node.name.value}.{member}: definition from {loser_ref}")
                continue
            names[member] = -1
            added.append(stmt)
        if added:
            first = added[0]
            added[0] = first.with_changes(leading_lines=[
                *first.leading_lines,
                cst.EmptyLine(comment=cst.Comment(f"# merged from {loser_ref} by unify")),
            ])
            notes.append(f"{node.name.value}: merged {len(added)} members from {loser_ref}")
            body += added
            added = []
    return node.with_changes(body=node.body.with_changes(body=body))


def _add_from_database(plan: Plan, models: dict[str, Piece], notes: list[str]) -> None:
    """The plan's generated models (placed by the sections) and columns added to models."""
    for stub in plan.stubs:
        if stub.name in models:
            notes.append(f"stub {stub.name} skipped: the sources already define {stub.name}")
            continue
        node = cst.parse_statement(stub.code)
        models[stub.name] = Piece(plan.target, "model", node, (stub.name,), free_names(node),
                                  stub.name, stub.name)
        notes.append(f"{stub.name}: new model for table {stub.table}, from the database")
    for column in (c for c in plan.columns if c.enabled):
        piece = models.get(column.model)
        if piece is None:
            notes.append(f"column {column.model}.{column.attr} skipped: no class {column.model}")
            continue
        piece.node = add_member(piece.node, cst.parse_statement(column.code.strip() + "\n"),
                                column.attr, f"# added by unify: column {column.attr} "
                                "exists in the database", notes)


# -- helpers ----------------------------------------------------------------------------


def _dedupe_helpers(plan: Plan, helpers: list[Piece], notes) -> list[Piece]:
    """Same code twice -> once. Same name, different code: the plan's ``helper``
    conflicts rename (before this point) or keep one; an unsettled clash keeps the
    first, with a note (plan --check refuses such a plan before apply gets here)."""
    losers = _helper_losers(plan)
    seen_code: set[str] = set()
    bound: dict[str, Piece] = {}
    kept = []
    alls = [p for p in helpers if "__all__" in p.binds]
    if alls and len(plan.sources) > 1:
        notes.append("__all__ of " + ", ".join(dict.fromkeys(p.source for p in alls))
                     + " not carried over: the merged module exports every public name "
                     "(the shims re-export them all)")
        helpers = [p for p in helpers if p not in alls]
    for piece in helpers:
        if any((piece.source, n) in losers for n in piece.binds):
            notes.append(f"{piece.source}: {', '.join(piece.binds)} dropped: the plan keeps "
                         f"the definition from {losers[(piece.source, piece.binds[0])]}")
            continue
        code = cst.Module([piece.node]).code.strip()
        if code in seen_code:
            continue
        clash = [n for n in piece.binds if n in bound and not n.startswith("_")]
        if clash and isinstance(piece.node, (cst.ClassDef, cst.FunctionDef)):
            notes.append(f"{piece.source}: {', '.join(clash)} also defined in "
                         f"{bound[clash[0]].source}; kept the first definition")
            continue
        seen_code.add(code)
        for name in piece.binds:
            bound.setdefault(name, piece)
        kept.append(piece)
    return _dependency_order(kept)


def _helper_losers(plan: Plan) -> dict[tuple[str, str], str]:
    """(source, helper name) -> the source whose definition a ``keep`` conflict keeps."""
    losers = {}
    for conflict in plan.conflicts:
        if conflict.kind == "helper" and conflict.resolution == "keep" and conflict.keep:
            keep_path = conflict.keep.split(":", 1)[0]
            for cand in conflict.candidates:
                path, name = cand.ref.split(":", 1)
                if path != keep_path:
                    losers[(path, name)] = keep_path
    return losers


def _dependency_order(pieces: list[Piece]) -> list[Piece]:
    """Stable order in which each piece comes after the pieces whose names it uses."""
    binders = {name: p for p in pieces for name in p.binds}
    ordered: list[Piece] = []
    placed: set[int] = set()

    def place(piece: Piece, stack: set[int]) -> None:
        if id(piece) in placed or id(piece) in stack:
            return
        stack.add(id(piece))
        for name in sorted(piece.uses):
            dep = binders.get(name)
            if dep is not None and dep is not piece:
                place(dep, stack)
        placed.add(id(piece))
        ordered.append(piece)

    for piece in pieces:
        place(piece, set())
    return ordered


# -- assembling -----------------------------------------------------------------------------


def _assemble(inp: MergeInput, pieces, helpers, models: dict[str, Piece], late, notes):
    body: list[cst.BaseStatement] = []
    body += _docstring(inp)
    futures = [p.node for p in pieces if p.kind == "future"]
    if futures:
        body.append(futures[0].with_changes(body=[cst.ImportFrom(
            module=cst.Name("__future__"),
            names=[cst.ImportAlias(cst.Name(n)) for n in sorted(_future_names(futures))],
        )], leading_lines=[]))
    entries = []
    for piece in pieces:
        if piece.kind == "import":
            entries += _renamed_imports(inp.plan, piece.source, import_entries(
                piece.node, inp.module_names.get(piece.source, ""),
                piece.source.endswith("__init__.py")))
    generated = [*(i for s in inp.plan.stubs for i in s.imports),
                 *(i for c in inp.plan.columns if c.enabled for i in c.imports)]
    for text in dict.fromkeys(generated):
        entries += import_entries(cst.parse_statement(text + "\n"), "", False)
    body += render_imports(entries, notes)
    number = 1
    about = _provenance(inp)
    placed = _first_sections(inp, models, about)
    body += _section(banner(number, inp.plan.header) + placed.pop(None, []),
                     [p.node for p in helpers])
    emitted: set[str] = set()
    for index, section in enumerate(inp.plan.sections):
        classes = []
        for name in section.models:
            classes += _with_dependencies(name, models, emitted, notes)
        if classes:
            number += 1
            body += _section(banner(number, section.title) + placed.pop(index, []), classes)
    leftovers = [n for n in models if n not in emitted]
    if leftovers:
        notes.append(f"not in any section, added at the end: {', '.join(leftovers)}")
        number += 1
        body += _section(banner(number, "Other models"),
                         [c for n in leftovers for c in _with_dependencies(n, models, emitted, notes)])
    if late:
        number += 1
        body += _section(banner(number, "Module-level code that uses the models"),
                         [p.node for p in late])
    return body


def _provenance(inp: MergeInput) -> dict[str, list[str]]:
    """path -> what its top said (comments before the code: license, coding line; the
    module docstring), as comment lines for the banner of the section it went to."""
    about = {}
    for path in source_order(inp.plan):
        module = cst.parse_module(inp.sources[path])
        lines = [f"#   {line.comment.value[1:].strip()}".rstrip() for line in module.header
                 if line.comment is not None and not line.comment.value.startswith("#!")]
        if module.body and _is_docstring(module.body[0]):
            doc = module.body[0].body[0].value  # type: ignore[attr-defined]
            text = doc.evaluated_value if isinstance(doc, cst.SimpleString) else None
            if isinstance(text, str) and text.strip():
                lines += [f"#   {line}".rstrip() for line in
                          textwrap.dedent(text.strip("\n")).splitlines()]
        if lines:
            about[path] = [f"# From {path}:", *lines]
    return about


def _first_sections(inp: MergeInput, models: dict[str, Piece], about) -> dict:
    """Section index (None: the helpers' section) -> the banner lines of the sources
    whose models first appear in it."""
    placed: dict = {}
    for path, lines in about.items():
        index = next((i for i, s in enumerate(inp.plan.sections)
                      if any(models[n].source == path for n in s.models if n in models)), None)
        placed.setdefault(index, []).extend(
            cst.EmptyLine(comment=cst.Comment(line)) for line in lines)
    return placed


def _coding(inp: MergeInput) -> list[cst.EmptyLine]:
    """A source's ``# -*- coding: utf-8 -*-`` line heads the target (written as UTF-8);
    another encoding's line is only quoted in the banner (the target is UTF-8)."""
    for path in source_order(inp.plan):
        for line in inp.sources[path].splitlines()[:2]:
            match = _CODING.match(line)
            if match and match.group(1).lower().replace("_", "-") in ("utf-8", "utf8"):
                return [cst.EmptyLine(indent=False, comment=cst.Comment(line.strip()))]
    return []


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _keep_old_names(inp: MergeInput, module: cst.Module, notes) -> cst.Module:
    """When the target is also a source, every public name that source bound (a class
    the plan renames, a model imported under an alias) is still bound by it."""
    from unify.nothing_lost import _effective, bindings

    target = inp.plan.target
    if target not in inp.plan.sources:
        return module
    before, _ = bindings(ast.parse(inp.sources[target]))
    after, _ = bindings(ast.parse(module.code))
    renames = renames_for(inp.plan, target)
    lines = []
    for name, found in before.items():
        if name.startswith("_") or name in after:
            continue
        new = renames.get(name)
        stmt = _effective(found)
        if new is None and isinstance(stmt, ast.ImportFrom):
            imported = next(a.name for a in stmt.names if (a.asname or a.name) == name)
            new = renames.get(imported, imported)
        if new and new in after and new != name:
            lines.append(f"{name} = {new}")
    if not lines:
        return module
    notes.append(f"{target} keeps its old names importable: {', '.join(lines)}")
    number = module.code.count("# SECTION ") + 1
    stmts = _section(banner(number, f"Old names {target} exported (kept importable)"),
                     [cst.parse_statement(line + "\n") for line in lines])
    return module.with_changes(body=[*module.body, *stmts])


def helper_renames(plan: Plan, path: str) -> dict[str, str]:
    """The plan's ``helper`` conflict renames of the names ``path`` defines."""
    return {cand_ref.split(":", 1)[1]: new for c in plan.conflicts
            if c.kind == "helper" and c.resolution == "rename"
            for cand_ref, new in c.renames if cand_ref.split(":", 1)[0] == path}


def _renamed_imports(plan: Plan, path: str, entries: list[tuple]) -> list[tuple]:
    """An import a helper conflict renames binds the new name (``import x as new``)."""
    renames = helper_renames(plan, path)
    out = []
    for entry in entries:
        if entry[0] == "import":
            bound = entry[2] or entry[1].split(".")[0]
            if bound in renames:
                entry = ("import", entry[1] if entry[2] else bound, renames[bound])
        elif entry[2] != "*" and (entry[3] or entry[2]) in renames:
            entry = (*entry[:3], renames[entry[3] or entry[2]])
        out.append(entry)
    return out


def _future_names(futures) -> set[str]:
    names = set()
    for stmt in futures:
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                names |= {a.name.value for a in small.names}  # type: ignore[union-attr]
    return names


def _docstring(inp: MergeInput) -> list[cst.BaseStatement]:
    about = (f"Merged by unify from {', '.join(inp.plan.sources)}. Sections: "
             f"{'; '.join(s.title for s in inp.plan.sections)}.")
    about = about.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')  # never ends the string
    wrapped = "\n".join(textwrap.wrap(about, 79, break_on_hyphens=False,
                                        break_long_words=False))
    text = f'"""Unified ORM models.\n\n{wrapped}\n"""'
    return [cst.SimpleStatementLine([cst.Expr(cst.SimpleString(text))])]


def _with_dependencies(name: str, models: dict[str, Piece], emitted: set[str], notes) -> list:
    """The class, preceded by any model it needs at class-creation time (its bases)."""
    piece = models.get(name)
    if piece is None or name in emitted:
        return []
    emitted.add(name)
    out = []
    for dep in sorted(piece.uses & set(models)):
        if dep not in emitted and _is_base_of(piece.node, dep):
            notes.append(f"{dep} moved before {name}: {name} subclasses it")
            out += _with_dependencies(dep, models, emitted, notes)
    return out + [piece.node]


def _is_base_of(node: cst.BaseStatement, name: str) -> bool:
    if not isinstance(node, cst.ClassDef):
        return False
    return any(isinstance(b.value, cst.Name) and b.value.value == name for b in node.bases)


def _section(title_lines: list[cst.EmptyLine], stmts: list[cst.BaseStatement]) -> list:
    if not stmts:
        return []
    first = stmts[0]
    leading = [cst.EmptyLine(), cst.EmptyLine(), *title_lines, cst.EmptyLine()]
    kept = [line for line in first.leading_lines if line.comment is not None]
    return [first.with_changes(leading_lines=leading + kept), *stmts[1:]]

