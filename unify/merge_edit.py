"""The small libcst edits the merge is made of: renames, imports, banners, fixes."""

from __future__ import annotations

import ast
import re
from typing import Sequence

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.rename_string_refs import RenameStringRefsCommand
from unify.plan import Plan
from unify.sqltypes import normalise_type

RULE = "# " + "=" * 77


def banner(number: int, title: str) -> list[cst.EmptyLine]:
    return [
        cst.EmptyLine(comment=cst.Comment(RULE)),
        cst.EmptyLine(comment=cst.Comment(f"# SECTION {number}: {title}")),
        cst.EmptyLine(comment=cst.Comment(RULE)),
    ]


# -- names --------------------------------------------------------------------------


def free_names(stmt: cst.BaseStatement) -> frozenset[str]:
    """Names a top-level statement reads while the module loads (not inside functions)."""
    try:
        tree = ast.parse(cst.Module([stmt]).code)
    except SyntaxError:
        return frozenset()
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for part in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                if part is not None:
                    walk(part)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.add(node.id)
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(tree)
    return frozenset(found)


class RenameNames(cst.CSTTransformer):
    """Rename class names in moved code; ``src_module.Name`` becomes ``Name``.

    Attribute names, keyword-argument names and parameters are never renamed;
    string annotations (``Mapped[List["MVPUser"]]``) are.
    """

    def __init__(self, renames: dict[str, str], source_modules: set[str]) -> None:
        super().__init__()
        self.renames = renames
        self.source_modules = source_modules
        self.skip: set[int] = set()
        self.annotation_depth = 0
        self.pattern = re.compile(
            r"(?<![\w.])(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True)))
            + r")(?!\w)"
        ) if renames else None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self.skip.add(id(node.name))

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.annotation_depth += 1

    def leave_Annotation(self, original, updated):
        self.annotation_depth -= 1
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if id(original) in self.skip:
            return updated
        new = self.renames.get(updated.value)
        return updated.with_changes(value=new) if new else updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute):
        if isinstance(updated.value, cst.Name) and updated.value.value in self.source_modules:
            name = original.attr.value
            return cst.Name(self.renames.get(name, name))
        return updated

    def leave_SimpleString(self, original, updated: cst.SimpleString):
        if not self.annotation_depth or self.pattern is None:
            return updated
        value = self.pattern.sub(lambda m: self.renames[m.group(1)], updated.value)
        return updated.with_changes(value=value)


# -- imports --------------------------------------------------------------------------------


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _absolute(module: str, level: int, own: str, is_package: bool) -> str:
    if not level:
        return module
    parts = own.split(".") if own else []
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*parts, module] if module else parts)


def import_entries(stmt: cst.BaseStatement, own_module: str, is_package: bool) -> list[tuple]:
    """("import", name, asname) / ("from", module, name, asname) for each imported name."""
    entries: list[tuple] = []
    for small in getattr(stmt, "body", ()):
        if isinstance(small, cst.Import):
            for alias in small.names:
                asname = _code(alias.asname.name) if alias.asname else None
                entries.append(("import", _code(alias.name), asname))
        elif isinstance(small, cst.ImportFrom):
            module = _code(small.module) if small.module else ""
            module = _absolute(module, len(small.relative), own_module, is_package)
            if isinstance(small.names, cst.ImportStar):
                entries.append(("from", module, "*", None))
                continue
            for alias in small.names:
                asname = _code(alias.asname.name) if alias.asname else None
                entries.append(("from", module, _code(alias.name), asname))
    return entries


def _bound(entry: tuple) -> str:
    if entry[0] == "import":
        return entry[2] or entry[1].split(".")[0]
    return entry[3] or entry[2]


def render_imports(entries: Sequence[tuple], notes: list[str]) -> list[cst.BaseStatement]:
    """De-duplicated imports, ``import`` lines first, then one ``from`` line per module.

    A name bound by two different imports (``LeadSource`` from the new and the old
    enums) keeps the first; the other is dropped and reported.
    """
    plain: list[str] = []
    froms: dict[str, list[str]] = {}
    owner: dict[str, tuple] = {}
    for entry in entries:
        name = _bound(entry)
        first = owner.setdefault(name, entry)
        if name != "*" and first != entry and not (entry[0] == first[0] == "import"):
            notes.append(f"import of {name} from {entry[1]} dropped: the target already "
                         f"imports {name} from {first[1]}")
            continue
        if entry[0] == "import":
            text = entry[1] + (f" as {entry[2]}" if entry[2] else "")
            if text not in plain:
                plain.append(text)
        else:
            text = entry[2] + (f" as {entry[3]}" if entry[3] else "")
            names = froms.setdefault(entry[1], [])
            if text not in names:
                names.append(text)
    lines = [f"import {text}" for text in plain]
    lines += [f"from {module} import {', '.join(names)}" for module, names in froms.items()]
    return [cst.parse_statement(line + "\n") for line in lines]


# -- fixes -------------------------------------------------------------------------------------


def global_renames(plan: Plan) -> dict[str, str]:
    """Class renames valid everywhere: enabled aliases and keep/merge losers."""
    renames = {a.old: a.new for a in plan.aliases if a.enabled}
    for conflict in plan.conflicts:
        if conflict.resolution in ("keep", "merge") and conflict.keep:
            keep_cls = conflict.keep.split(":", 1)[1]
            for cand in conflict.candidates:
                cls = cand.ref.split(":", 1)[1]
                if cls != keep_cls:
                    renames[cls] = keep_cls
    return {old: new for old, new in renames.items() if old != new}


def apply_fixes(module: cst.Module, plan: Plan, notes: list[str]) -> cst.Module:
    fixes = [f for f in plan.fixes if f.enabled]
    module = module.visit(ClassFixes([f for f in fixes if f.kind != "foreign_key"], notes))
    fk = {}
    for fix in fixes:
        if fix.kind == "foreign_key" and fix.old and fix.new:
            fk.setdefault(fix.old, fix.new)
    renames = global_renames(plan)
    if not fk and not renames:
        return module
    command = RenameStringRefsCommand(CodemodContext(), rename_class=renames, fix_foreign_key=fk)
    return command.transform_module(module)


class ClassFixes(cst.CSTTransformer):
    """column_type, drop_relationship and add_back_populates fixes, class by class."""

    def __init__(self, fixes, notes: list[str]) -> None:
        super().__init__()
        self.fixes = fixes
        self.notes = notes
        self.done: set[int] = set()

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        mine = [f for f in self.fixes if f.model == updated.name.value]
        if not mine:
            return updated
        body = list(updated.body.body)
        for fix in mine:
            body = self._apply(fix, updated, body)
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def _apply(self, fix, cls: cst.ClassDef, body: list) -> list:
        index = next((i for i, s in enumerate(body) if _member(s) == fix.attr), None)
        if fix.kind == "add_back_populates":
            if index is not None:
                return body
            self.notes.append(f"added {fix.model}.{fix.attr} (partner of {fix.new})")
            return body + [_partner(cls, fix)]
        if index is None:
            self.notes.append(f"fix {fix.kind} {fix.model}.{fix.attr}: attribute not found")
            return body
        if fix.kind == "column_type":
            body[index] = _retype(body[index], fix.old, fix.new)
        elif fix.kind == "drop_relationship":
            body = body[:index] + _commented(body[index], fix, body[index + 1:])
        return body


def add_member(cls: cst.ClassDef, stmt: cst.BaseStatement, name: str, comment: str,
               notes: list[str]) -> cst.ClassDef:
    """``stmt`` in the class body, after its last column (unless ``name`` is already there)."""
    body = list(cls.body.body)
    if any(_member(s) == name for s in body):
        notes.append(f"{cls.name.value}.{name} already exists; not added again")
        return cls
    columns = [i for i, s in enumerate(body) if _is_column(s)]
    at = columns[-1] + 1 if columns else len(body)
    body.insert(at, stmt.with_changes(leading_lines=[cst.EmptyLine(comment=cst.Comment(comment))]))
    notes.append(f"{cls.name.value}.{name}: column added from the database")
    return cls.with_changes(body=cls.body.with_changes(body=body))


def _is_column(stmt) -> bool:
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return False
    value = getattr(stmt.body[0], "value", None)
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    return name in ("Column", "mapped_column")


def _member(stmt) -> str | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
            return small.targets[0].target.value
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return small.target.value
    return None


class _Retype(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if updated.keyword is not None:
            return updated
        code = _code(updated.value)
        normal = normalise_type(code)
        if normal != self.old:
            return updated
        prefix = code[: len(code) - len(normal)]  # keep the project's `db.` / `sa.` style
        return updated.with_changes(value=cst.parse_expression(prefix + self.new))


def _retype(stmt, old: str, new: str):
    return stmt.visit(_Retype(old, new))


def _commented(stmt, fix, rest: list) -> list:
    code = cst.Module([stmt]).code.rstrip("\r\n").splitlines()
    comments = [cst.EmptyLine(comment=cst.Comment(
        f"# unify: dropped by the plan ({fix.reason.split(':')[0] or fix.kind}): "
        "the relationship cannot work"))]
    comments += [cst.EmptyLine(comment=cst.Comment("# " + line.strip())) for line in code
                 if line.strip() and not line.strip().startswith("#")]
    if rest:
        first = rest[0]
        return [first.with_changes(leading_lines=[*stmt.leading_lines, *comments,
                                                  *first.leading_lines]), *rest[1:]]
    return [cst.SimpleStatementLine([cst.Pass()], leading_lines=[*stmt.leading_lines, *comments])]


def _partner(cls: cst.ClassDef, fix) -> cst.BaseStatement:
    source_cls, _, back = fix.new.partition(".")
    code = cst.Module([cls]).code
    func = "db.relationship" if "db.relationship(" in code or "db.Column(" in code \
        else "relationship"
    line = f'{fix.attr} = {func}("{source_cls}", back_populates="{back}")\n'
    stmt = cst.parse_statement(line)
    return stmt.with_changes(leading_lines=[cst.EmptyLine(comment=cst.Comment(
        f"# added by unify: partner of {fix.new} (back_populates)"))])
