"""Turn one file's bytes into :class:`unify.facts.ModuleFacts` (one AST walk)."""

from __future__ import annotations

import ast
import warnings

from unify.facts import (
    RELATIONSHIP_CALLS,
    AssignFact,
    ClassFact,
    DynamicImportFact,
    HelperFact,
    ImportFact,
    ModuleFacts,
    StringRefFact,
    TableFact,
    call_name,
    class_fact,
    const_str,
    dotted,
    helper_fact,
    table_fact,
)

_DYNAMIC = {
    "importlib.import_module": "importlib.import_module",
    "import_module": "importlib.import_module",
    "__import__": "__import__",
}
_STRING_KWARGS = {
    "back_populates": "back_populates",
    "backref": "backref",
    "secondary": "secondary",
    "primaryjoin": "expression",
    "secondaryjoin": "expression",
    "foreign_keys": "expression",
    "order_by": "expression",
    "remote_side": "expression",
}
_FIRST_ARG = {"ForeignKey": "foreign_key", "backref": "backref",
              **dict.fromkeys(RELATIONSHIP_CALLS, "relationship")}


def parse_error(exc: BaseException) -> tuple[int, str, str]:
    """(line, message, hint) for a file that does not parse."""
    line = getattr(exc, "lineno", None) or 1
    msg = getattr(exc, "msg", None) or str(exc)
    text = getattr(exc, "text", None) or ""
    if "Missing parentheses in call to" in msg or _looks_python2(text):
        return line, f"Python 2 syntax: {msg}", "port the file to Python 3 or remove it from git"
    if isinstance(exc, (UnicodeDecodeError, ValueError)) or "decode" in msg or "utf-8" in msg.lower():
        return line, f"cannot decode the file: {msg}", (
            "save it as UTF-8 or declare its encoding (# -*- coding: ... -*-)"
        )
    return line, f"syntax error: {msg}", "fix the syntax error; the file was skipped"


def _looks_python2(text: str) -> bool:
    stripped = text.strip()
    return (
        stripped.startswith("print ")
        or stripped.startswith("exec ")
        or (stripped.startswith("except ") and ", " in stripped and " as " not in stripped)
        or "ur'" in stripped
    )


def extract(path: str, source: bytes) -> ModuleFacts:
    """Facts of one file. A file that does not parse yields only ``error``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
        walker = _Walker()
        walker.visit(tree)
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        return ModuleFacts(path=path, error=parse_error(exc))
    except (RecursionError, MemoryError):  # nested too deep for Python's parser
        return ModuleFacts(path=path, error=(1, "nested too deeply for Python's parser",
                                             "split the expression; the file was skipped"))
    return ModuleFacts(
        path=path,
        classes=tuple(walker.classes),
        assigns=tuple(walker.assigns),
        tables=tuple(walker.tables),
        functions=tuple(walker.functions),
        helpers=tuple(walker.helpers),
        imports=tuple(walker.imports),
        string_refs=tuple(walker.string_refs),
        dynamic_imports=tuple(walker.dynamic),
        dunder_all=walker.dunder_all,
        attribute_uses=walker.attribute_uses(),
        stored_names=tuple(sorted(walker.stored)),
        docstring=ast.get_docstring(tree),
    )


class _Walker(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = ["module"]
        self.in_try = 0
        self.in_except = 0
        self.type_checking = 0
        self.classes: list[ClassFact] = []
        self.assigns: list[AssignFact] = []
        self.tables: list[TableFact] = []
        self.functions: list[tuple[str, int]] = []
        self.helpers: list[HelperFact] = []
        self.imports: list[ImportFact] = []
        self.string_refs: list[StringRefFact] = []
        self.dynamic: list[DynamicImportFact] = []
        self.dunder_all: tuple[str, ...] | None = None
        self.stored: set[str] = set()
        self.chains: list[tuple[int, str]] = []

    def attribute_uses(self) -> tuple[tuple[int, str], ...]:
        bound = {asname or name.split(".")[0] for imp in self.imports for name, asname in imp.names}
        return tuple(c for c in self.chains if c[1].split(".", 1)[0] in bound)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        text = dotted(node)
        if text is None:
            self.generic_visit(node)
        elif text.count(".") >= 2 and isinstance(node.ctx, ast.Load):
            self.chains.append((node.lineno, text))  # the outermost chain only

    @property
    def at_module(self) -> bool:
        return self.scope == ["module"]

    def visit_Name(self, node: ast.Name) -> None:
        if self.at_module and isinstance(node.ctx, ast.Store):
            self.stored.add(node.id)

    # -- scopes -----------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.at_module:
            self.classes.append(class_fact(node, bool(self.in_except)))
        self._nested(node, "class")

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.at_module:
            self.functions.append((node.name, node.lineno))
            helper = helper_fact(node)
            if helper is not None:
                self.helpers.append(helper)
        self._nested(node, "function")

    visit_AsyncFunctionDef = visit_FunctionDef

    def _nested(self, node: ast.AST, kind: str) -> None:
        self.scope.append(kind)
        self.generic_visit(node)
        self.scope.pop()

    def visit_Try(self, node: ast.Try) -> None:
        self.in_try += 1
        for stmt in node.body:
            self.visit(stmt)
        self.in_try -= 1
        self.in_except += 1
        for handler in node.handlers:
            self.visit(handler)
        self.in_except -= 1
        for stmt in node.orelse + node.finalbody:
            self.visit(stmt)

    visit_TryStar = visit_Try

    def visit_If(self, node: ast.If) -> None:
        guarded = (dotted(node.test) or "").endswith("TYPE_CHECKING")
        self.visit(node.test)
        self.type_checking += guarded
        for stmt in node.body:
            self.visit(stmt)
        self.type_checking -= guarded
        for stmt in node.orelse:
            self.visit(stmt)

    # -- imports ------------------------------------------------------------
    def _import(self, node: ast.stmt, kind: str, module: str, level: int, names) -> None:
        self.imports.append(
            ImportFact(
                line=node.lineno,
                kind=kind,
                module=module,
                level=level,
                names=tuple(names),
                scope=self.scope[-1] if len(self.scope) > 1 else "module",
                in_try=bool(self.in_try),
                in_except=bool(self.in_except),
                type_checking=bool(self.type_checking),
            )
        )

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._import(node, "import", alias.name, 0, [(alias.name, alias.asname)])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        names = [(a.name, a.asname) for a in node.names]
        self._import(node, "from", module, node.level, names)

    # -- module-level bindings ----------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if self.at_module:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._bind(target.id, node.lineno, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if self.at_module and isinstance(node.target, ast.Name) and node.value is not None:
            self._bind(node.target.id, node.lineno, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if self.at_module and isinstance(node.target, ast.Name) and node.target.id == "__all__":
            self.dunder_all = (self.dunder_all or ()) + _string_list(node.value)
        self.generic_visit(node)

    def _bind(self, name: str, line: int, value: ast.AST) -> None:
        if name == "__all__":
            self.dunder_all = _string_list(value)
            return
        self.assigns.append(AssignFact(name, line, ast.unparse(value), bool(self.in_except)))
        if isinstance(value, ast.Call) and call_name(value) == "Table":
            table = table_fact(name, line, value)
            if table is not None:
                self.tables.append(table)

    # -- calls: string references and dynamic imports -------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = dotted(node.func)
        if func in _DYNAMIC and node.args:
            arg = node.args[0]
            self.dynamic.append(
                DynamicImportFact(node.lineno, _DYNAMIC[func], ast.unparse(arg), const_str(arg))
            )
        name = call_name(node)
        if name in _FIRST_ARG and node.args and const_str(node.args[0]) is not None:
            self.string_refs.append(
                StringRefFact(node.args[0].lineno, _FIRST_ARG[name], const_str(node.args[0]))
            )
        if name in RELATIONSHIP_CALLS or name == "backref":
            for kw in node.keywords:
                value = const_str(kw.value)
                if kw.arg in _STRING_KWARGS and value is not None:
                    self.string_refs.append(
                        StringRefFact(kw.value.lineno, _STRING_KWARGS[kw.arg], value)
                    )
        self.generic_visit(node)


def _string_list(node: ast.AST) -> tuple[str, ...]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(v for v in (const_str(e) for e in node.elts) if v is not None)
    return ()
