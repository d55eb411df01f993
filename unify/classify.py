"""Is this class a model? Follow its bases to a declarative base, across files."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from unify import helpercols
from unify.facts import ClassFact, ColumnFact, RelationshipFact, dotted
from unify.resolve import AttrRef, ClassRef, ExtRef, ModuleIndex, Ref, ValueRef

_DECLARATIVE_ROOTS = {"DeclarativeBase", "DeclarativeBaseNoMeta"}


@lru_cache(maxsize=4096)
def _expression(text: str) -> ast.expr | None:
    """The parsed expression (read only: shared), None when it does not parse; the same
    few texts (``SQLAlchemy()``, ``logging.getLogger(__name__)``) recur in every file."""
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


@dataclass(frozen=True)
class BaseKind:
    """What one base expression of a class turned out to be."""

    category: str  # ROOT | BASE | MODEL | SQLMODEL | PLAIN | UNKNOWN
    root: str | None = None  # id of the declarative base, "path:expr"
    flavour: str | None = None  # flask_sqlalchemy | declarative | sqlmodel
    cls: ClassRef | None = None  # the project class behind it, if any


class Classifier:
    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.roots: set[str] = set()
        self._kinds: dict[ClassRef, str] = {}
        self._active: set[ClassRef] = set()
        self._flavours: dict[ValueRef, str | None] = {}

    def class_fact(self, ref: ClassRef) -> ClassFact | None:
        facts = self.index.by_path.get(ref.path)
        if facts is None:
            return None
        found = [c for c in facts.classes if c.name == ref.name]
        return ([c for c in found if not c.in_except] or found or [None])[-1]

    # -- kinds ----------------------------------------------------------------
    def kind(self, ref: ClassRef) -> str:
        """model | abstract | declarative_base | sqlmodel_base | plain"""
        if ref in self._kinds:
            return self._kinds[ref]
        if ref in self._active:
            return "plain"
        self._active.add(ref)
        try:
            result = self._kind(ref)
        finally:
            self._active.discard(ref)
        self._kinds[ref] = result
        return result

    def _kind(self, ref: ClassRef) -> str:
        cls = self.class_fact(ref)
        if cls is None:
            return "plain"
        categories = {k.category for k in self.base_kinds(ref)}
        if "ROOT" in categories:
            self.roots.add(f"{ref.path}:{ref.name}")
            return "declarative_base"
        if categories & {"BASE", "MODEL"}:
            return "abstract" if cls.abstract else "model"
        if "SQLMODEL" in categories:
            return "model" if dict(cls.keywords).get("table") == "True" else "sqlmodel_base"
        return "plain"

    def base_kinds(self, ref: ClassRef) -> list[BaseKind]:
        cls = self.class_fact(ref)
        return [self.base_kind(ref.path, text) for text in (cls.bases if cls else ())]

    def base_kind(self, path: str, text: str) -> BaseKind:
        ref = self.index.resolve_expr(path, text)
        if ref is None:
            if text == "db.Model" or text.endswith(".db.Model"):
                return BaseKind("BASE", f"{path}:{text}", "flask_sqlalchemy")
            return BaseKind("UNKNOWN")
        return self.ref_kind(ref, text)

    def ref_kind(self, ref: Ref, text: str = "") -> BaseKind:
        if isinstance(ref, ClassRef):
            kind = self.kind(ref)
            if kind == "declarative_base":
                return BaseKind("BASE", f"{ref.path}:{ref.name}", "declarative", ref)
            if kind == "abstract":
                inner = self._root_kind(ref)
                return BaseKind("BASE", inner.root, inner.flavour, ref)
            if kind == "model":
                inner = self._root_kind(ref)
                return BaseKind("MODEL", inner.root, inner.flavour, ref)
            if kind == "sqlmodel_base":
                return BaseKind("SQLMODEL", "sqlmodel.SQLModel", "sqlmodel", ref)
            return BaseKind("PLAIN", cls=ref)
        if isinstance(ref, ExtRef):
            last = ref.qualname.rsplit(".", 1)[-1]
            if last in _DECLARATIVE_ROOTS:
                return BaseKind("ROOT")
            if last == "SQLModel":
                return BaseKind("SQLMODEL", "sqlmodel.SQLModel", "sqlmodel")
            if ref.qualname.endswith("db.Model"):
                return BaseKind("BASE", ref.qualname, "flask_sqlalchemy")
            return BaseKind("UNKNOWN")
        if isinstance(ref, ValueRef):
            flavour = self.value_flavour(ref)
            if flavour == "declarative":
                self.roots.add(f"{ref.path}:{ref.name}")
                return BaseKind("BASE", f"{ref.path}:{ref.name}", flavour)
            return BaseKind("UNKNOWN")
        if isinstance(ref, AttrRef) and ref.attr == "Model" and isinstance(ref.base, ValueRef):
            if self.value_flavour(ref.base) == "flask_sqlalchemy":
                root = f"{ref.base.path}:{ref.base.name}.Model"
                self.roots.add(root)
                return BaseKind("BASE", root, "flask_sqlalchemy")
        return BaseKind("UNKNOWN")

    def _root_kind(self, ref: ClassRef) -> BaseKind:
        for kind in self.base_kinds(ref):
            if kind.category in ("BASE", "MODEL", "SQLMODEL"):
                return kind
        return BaseKind("UNKNOWN")

    def value_flavour(self, ref: ValueRef) -> str | None:
        """flask_sqlalchemy for ``SQLAlchemy()``, declarative for ``declarative_base()``."""
        if ref not in self._flavours:  # asked once per importer of ``db``: parse it once
            self._flavours[ref] = self._value_flavour(ref)
        return self._flavours[ref]

    def _value_flavour(self, ref: ValueRef) -> str | None:
        node = _expression(ref.value)
        if node is None:
            return None
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "generate_base":
            return "declarative"
        name = dotted(func)
        target = self.index.resolve_expr(ref.path, name) if name else None
        qualname = target.qualname if isinstance(target, ExtRef) else (name or "")
        last = qualname.rsplit(".", 1)[-1]
        if last == "declarative_base":
            return "declarative"
        if last == "SQLAlchemy":
            return "flask_sqlalchemy"
        return None

    def is_base_ref(self, ref: Ref) -> bool:
        """Is this the ``db`` object, a ``Base``, or ``db.Model`` itself?"""
        if isinstance(ref, ValueRef):
            return self.value_flavour(ref) is not None
        if isinstance(ref, ClassRef):
            return self.kind(ref) == "declarative_base"
        if isinstance(ref, AttrRef):
            return self.ref_kind(ref).category == "BASE"
        return False

    # -- facts about a model ----------------------------------------------------
    def root_of(self, ref: ClassRef) -> str | None:
        return self._root_kind(ref).root

    def flavour(self, ref: ClassRef) -> str | None:
        return self._root_kind(ref).flavour

    def parent_model(self, ref: ClassRef) -> ClassRef | None:
        for kind in self.base_kinds(ref):
            if kind.category == "MODEL":
                return kind.cls
        return None

    def inherited_members(
        self, ref: ClassRef
    ) -> tuple[tuple[ColumnFact, ...], tuple[RelationshipFact, ...]]:
        """Own columns and relationships, then those of mixins and abstract bases,
        including those built by project helpers and ``@declared_attr`` methods."""
        columns: dict[str, ColumnFact] = {}
        relationships: dict[str, RelationshipFact] = {}
        for source, cls in self._member_sources(ref, set()):
            for column in cls.columns:
                columns.setdefault(column.name, column)
            for rel in cls.relationships:
                relationships.setdefault(rel.name, rel)
            for call in cls.calls:
                member = helpercols.evaluate(self.index, source.path, call)
                if isinstance(member, ColumnFact):
                    columns.setdefault(member.name, member)
                elif isinstance(member, RelationshipFact):
                    relationships.setdefault(member.name, member)
        return tuple(columns.values()), tuple(relationships.values())

    def unknown_members(self, ref: ClassRef) -> tuple[str, ...]:
        """The attributes (own or inherited) built by calls unify cannot evaluate."""
        found: dict[str, str] = {}
        for source, cls in self._member_sources(ref, set()):
            for call in cls.calls:
                if helpercols.evaluate(self.index, source.path, call) is None:
                    found.setdefault(call.name, helpercols.unknown_reason(source.path, call))
        return tuple(found.values())

    def _member_sources(self, ref: ClassRef, seen: set[ClassRef]) -> list[tuple[ClassRef, ClassFact]]:
        cls = self.class_fact(ref)
        if cls is None or ref in seen:
            return []
        seen.add(ref)
        sources = [(ref, cls)]
        for kind in self.base_kinds(ref):
            if kind.cls is not None and kind.category in ("PLAIN", "BASE"):
                sources += self._member_sources(kind.cls, seen)
        return sources
