"""Stage 2: the inventory. Which classes are models, which files depend on them.

Input: the per-file facts from :mod:`unify.scan`. Output: :class:`Inventory`,
frozen plain data that ``check`` and ``plan`` read and ``scan --json`` prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unify.classify import Classifier
from unify.facts import ClassFact, ColumnFact, ModuleFacts, RelationshipFact
from unify.resolve import ClassRef, ModuleIndex
from unify.roots import Root, Skipped
from unify.scan import ScanResult


@dataclass(frozen=True)
class HelperInfo:
    name: str
    path: str
    line: int
    kind: str  # enum | mixin | abstract | table | constant | function | class | imported


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: str
    line: int
    end_line: int
    module: str  # dotted module name under the project's root
    base: str  # the declarative base it maps through, "path:expr"
    tablename: str | None
    tablename_source: str  # explicit | default | inherited | missing | dynamic
    schema: str | None
    parent: str | None  # the model it inherits from (joined / single-table)
    bases: tuple[str, ...]
    docstring: str | None
    columns: tuple[ColumnFact, ...]  # own, then inherited from mixins / abstract bases
    relationships: tuple[RelationshipFact, ...]
    table_args: str | None
    helpers: tuple[str, ...]  # names of module-level helpers it uses
    #: attributes built by calls unify cannot evaluate ("slug = slug_column() (path:line)"):
    #: its column set is unknown, so nothing destructive is guessed from it
    unknown: tuple[str, ...] = ()

    @property
    def qualified_table(self) -> str | None:
        if self.tablename is None:
            return None
        return f"{self.schema}.{self.tablename}" if self.schema else self.tablename


@dataclass(frozen=True)
class TableInfo:
    name: str
    variable: str
    path: str
    line: int
    schema: str | None
    columns: tuple[ColumnFact, ...]


@dataclass(frozen=True)
class ImportSite:
    path: str  # the importing file
    line: int
    module: str  # as written ("models", ".models", "app.models.user")
    target: str  # path of the model / re-export module it reaches
    form: str  # from | import | star
    names: tuple[tuple[str, str | None], ...]
    scope: str  # module | function | class
    flags: tuple[str, ...]  # relative, aliased, lazy, try, type_checking, all, submodule,
    # attribute (form "attribute": `pkg.old.Name` through a package, line is the use's)


@dataclass(frozen=True)
class StringRef:
    path: str
    line: int
    kind: str
    value: str


@dataclass(frozen=True)
class DynamicImport:
    path: str
    line: int
    call: str
    argument: str
    target: str | None  # the model module it names, when known


@dataclass(frozen=True)
class Unresolved:
    """An import that cannot work: a missing local module, or a name a model module lacks."""

    path: str
    line: int
    module: str  # as written
    name: str | None  # None: the module itself is missing


@dataclass(frozen=True)
class ParseError:
    path: str
    line: int
    message: str
    hint: str


@dataclass(frozen=True)
class Inventory:
    repo: str
    scope: str
    files_scanned: int
    model_modules: tuple[str, ...]
    reexport_modules: tuple[str, ...]
    bases: tuple[str, ...]
    models: tuple[ModelInfo, ...]
    tables: tuple[TableInfo, ...]
    helpers: tuple[HelperInfo, ...]
    dependents: tuple[ImportSite, ...]
    string_refs: tuple[StringRef, ...]
    dynamic_imports: tuple[DynamicImport, ...]
    unresolved: tuple[Unresolved, ...]
    parse_errors: tuple[ParseError, ...]
    module_docs: tuple[tuple[str, str], ...] = ()  # (model module, its docstring)
    generated: tuple[str, ...] = ()  # compat modules and shims unify wrote
    roots: tuple[Root, ...] = ()  # the import roots resolution used (unify.roots)
    skipped: tuple[Skipped, ...] = ()  # environment trees not scanned
    not_imported: tuple[tuple[str, str], ...] = ()  # (folder, why): scanned, never rewritten


    def archive_of(self, path: str) -> str:
        """The not-imported folder holding ``path`` ("" for live code)."""
        return next((f for f, _ in self.not_imported if path.startswith(f)), "")

    @property
    def live_model_modules(self) -> tuple[str, ...]:
        """Model modules outside not-imported folders (all of them when none is outside):
        what a plan merges by default."""
        live = tuple(p for p in self.model_modules if not self.archive_of(p))
        return live or self.model_modules

    @property
    def dependent_files(self) -> tuple[str, ...]:
        return tuple(sorted({site.path for site in self.dependents}))


# ---------------------------------------------------------------------------


def module_dotted(path: str, scope: str) -> str:
    rel = path[len(scope) + 1 :] if scope and path.startswith(scope + "/") else path
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def snake_case(name: str) -> str:
    """Flask-SQLAlchemy's default table name: ``StrategyTemplate`` -> ``strategy_template``."""
    return _CAMEL.sub(r"_\1", name).lower().lstrip("_")


def build_inventory(result: ScanResult) -> Inventory:
    parsed = [m for m in result.modules if m.error is None]
    index = ModuleIndex(parsed, result.layout)
    classifier = Classifier(index)
    models = _models(index, classifier, result.scope)
    model_modules = tuple(sorted(model_module_paths(models, parsed)))
    reexports = _reexport_modules(index, classifier, set(model_modules))
    targets = set(model_modules) | set(reexports)
    return Inventory(
        repo=str(result.repo),
        scope=result.scope,
        files_scanned=len(result.modules),
        model_modules=model_modules,
        reexport_modules=reexports,
        bases=tuple(sorted(classifier.roots)),
        models=models,
        tables=_tables(parsed),
        helpers=_helpers(index, classifier, models),
        dependents=tuple(s for m in parsed for s in _sites(index, m, targets, reexports)),
        string_refs=tuple(
            StringRef(m.path, r.line, r.kind, r.value) for m in parsed for r in m.string_refs
        ),
        dynamic_imports=tuple(
            DynamicImport(
                m.path, d.line, d.call, d.argument,
                _dynamic_target(index, m.path, d.literal, targets),
            )
            for m in parsed
            for d in m.dynamic_imports
        ),
        unresolved=tuple(u for m in parsed for u in _unresolved(index, m, targets)),
        parse_errors=tuple(
            ParseError(m.path, *m.error) for m in result.modules if m.error is not None
        ),
        module_docs=tuple(
            (p, index.by_path[p].docstring or "") for p in model_modules
        ),
        generated=tuple(m.path for m in parsed if is_generated(m.docstring)),
        roots=tuple(index.roots.roots),
        skipped=result.layout.skipped,
        not_imported=index.not_imported(),
    )


def model_module_paths(models, modules) -> set[str]:
    """Files defining models, plus files holding only tables (association tables and
    their indexes): their tables move like models (a source candidate, never overwritten)."""
    return {m.path for m in models} | {
        m.path for m in modules if m.tables and not m.classes and not is_generated(m.docstring)}


GENERATED_MARKS = ("Temporary compatibility module, generated by unify",
                   "`unify finalize` removes this shim")


def is_generated(docstring: str | None) -> bool:
    """A compat module or shim written by unify apply (their star imports are meant)."""
    return bool(docstring) and any(mark in docstring for mark in GENERATED_MARKS)


# -- models ----------------------------------------------------------------


def _models(index: ModuleIndex, classifier: Classifier, scope: str) -> tuple[ModelInfo, ...]:
    models = []
    for path, facts in sorted(index.by_path.items()):
        for cls in facts.classes:
            if classifier.kind(ClassRef(path, cls.name)) == "model":
                models.append(_model_info(index, classifier, facts, cls, scope))
    return tuple(models)


def _model_info(
    index: ModuleIndex, classifier: Classifier, facts: ModuleFacts, cls: ClassFact, scope: str
) -> ModelInfo:
    ref = ClassRef(facts.path, cls.name)
    parent = classifier.parent_model(ref)
    columns, relationships = classifier.inherited_members(ref)
    tablename, source = cls.tablename, "explicit"
    schema = cls.schema
    if cls.tablename_dynamic:
        tablename, source = None, "dynamic"
    elif tablename is None:
        parent_fact = classifier.class_fact(parent) if parent else None
        own_pk = any(c.primary_key for c in cls.columns)
        if parent_fact is not None and not own_pk:
            parent_info = _model_info(index, classifier, index.by_path[parent.path], parent_fact, scope)
            tablename, source, schema = parent_info.tablename, "inherited", parent_info.schema
        elif classifier.flavour(ref) == "flask_sqlalchemy":
            tablename, source = snake_case(cls.name), "default"
        elif classifier.flavour(ref) == "sqlmodel":
            tablename, source = cls.name.lower(), "default"
        else:
            source = "missing"
    return ModelInfo(
        name=cls.name,
        path=facts.path,
        line=cls.line,
        end_line=cls.end_line,
        module=module_dotted(facts.path, scope),
        base=classifier.root_of(ref) or "?",
        tablename=tablename,
        tablename_source=source,
        schema=schema,
        parent=parent.name if parent else None,
        bases=cls.bases,
        docstring=cls.docstring,
        columns=columns,
        relationships=relationships,
        table_args=cls.table_args,
        helpers=tuple(
            name for name in cls.names_used if _is_helper(index, classifier, facts.path, name)
        ),
        unknown=classifier.unknown_members(ref),
    )


def _is_helper(index: ModuleIndex, classifier: Classifier, path: str, name: str) -> bool:
    bindings = index.module_bindings(path).get(name)
    if not bindings:
        return False
    ref = index.resolve_name(path, name)
    if isinstance(ref, ClassRef):
        return classifier.kind(ref) in ("plain", "abstract")
    return ref is None or not classifier.is_base_ref(ref)


def _helpers(
    index: ModuleIndex, classifier: Classifier, models: tuple[ModelInfo, ...]
) -> tuple[HelperInfo, ...]:
    seen: dict[tuple[str, str], HelperInfo] = {}
    for model in models:
        facts = index.by_path[model.path]
        for name in model.helpers:
            if (model.path, name) not in seen:
                seen[(model.path, name)] = _helper_info(index, classifier, facts, name, model)
    return tuple(sorted(seen.values(), key=lambda h: (h.path, h.line, h.name)))


def _helper_info(
    index: ModuleIndex, classifier: Classifier, facts: ModuleFacts, name: str, model: ModelInfo
) -> HelperInfo:
    binding = index.module_bindings(facts.path)[name][-1]
    kind = {"function": "function", "import": "imported", "from": "imported"}.get(binding.kind)
    if binding.kind == "class":
        cls = next(c for c in facts.classes if c.name == name)
        if classifier.kind(ClassRef(facts.path, name)) == "abstract":
            kind = "abstract"
        elif any(b.split(".")[-1] in ("Enum", "IntEnum", "StrEnum") for b in cls.bases):
            kind = "enum"
        elif any(b.split(".")[-1] == name or b == name for b in model.bases):
            kind = "mixin"
        else:
            kind = "class"
    elif binding.kind == "assign":
        is_table = any(t.variable == name for t in facts.tables)
        kind = "table" if is_table else "constant"
    return HelperInfo(name, facts.path, binding.line, kind or "constant")


def _tables(parsed: list[ModuleFacts]) -> tuple[TableInfo, ...]:
    return tuple(
        TableInfo(t.name, t.variable, m.path, t.line, t.schema, t.columns)
        for m in parsed
        for t in m.tables
    )


def _reexport_modules(
    index: ModuleIndex, classifier: Classifier, model_modules: set[str]
) -> tuple[str, ...]:
    found: set[str] = set()
    changed = True
    while changed:  # a re-export of a re-export is one too
        changed = False
        for path, facts in index.by_path.items():
            if path in model_modules or path in found:
                continue
            if _reexports(index, classifier, facts, model_modules | found):
                found.add(path)
                changed = True
    return tuple(sorted(found))


def _reexports(
    index: ModuleIndex, classifier: Classifier, facts: ModuleFacts, targets: set[str]
) -> bool:
    is_package = facts.path.endswith("__init__.py")
    exported = set(facts.dunder_all or ())
    if not is_package and not exported:
        return False
    for name, bindings in index.module_bindings(facts.path).items():
        if not any(b.kind in ("import", "from") for b in bindings):
            continue
        if not is_package and name not in exported:
            continue
        ref = index.resolve_name(facts.path, name)
        if isinstance(ref, ClassRef) and classifier.kind(ref) == "model":
            return True
    if is_package:
        return any(src in targets for src in index.star_sources(facts.path))
    return False


# -- dependents --------------------------------------------------------------


def _sites(index: ModuleIndex, facts: ModuleFacts, targets: set[str], reexports) -> list[ImportSite]:
    sites: list[ImportSite] = []
    if index.is_not_imported(facts.path):  # an archive: never a dependent of live sources
        targets = {t for t in targets if _same_archive(index, facts.path, t)}
    exported = set(facts.dunder_all or ())
    for imp in facts.imports:
        flags = []
        if imp.level:
            flags.append("relative")
        if any(asname for _, asname in imp.names):
            flags.append("aliased")
        if imp.scope == "function":
            flags.append("lazy")
        if imp.in_try or imp.in_except:
            flags.append("try")
        if imp.type_checking:
            flags.append("type_checking")
        if exported & {asname or name for name, asname in imp.names}:
            flags.append("all")
        form = "star" if imp.star else imp.kind
        if imp.kind == "import":
            for name, _ in imp.names:
                target = index.resolve_module(facts.path, name)
                if target in targets and target != facts.path:
                    sites.append(_site(facts, imp, name, target, form, imp.names, flags))
            continue
        target = index.resolve_module(facts.path, imp.module, imp.level)
        if target is None:
            continue
        if target in targets and target != facts.path:
            sites.append(_site(facts, imp, imp.module, target, form, imp.names, flags))
            continue
        for name, asname in imp.names:
            sub = index.submodule(target, name)
            # in the package's own __init__, `from . import models` is the submodule
            # (its binding is this very import), not a name the package defines
            own = target == facts.path
            if sub in targets and sub != facts.path and (own or not _binds(index, target, name)):
                sites.append(
                    _site(facts, imp, imp.module, sub, form, ((name, asname),), flags + ["submodule"])
                )
    return sites + attribute_sites(index, facts, targets)


def _package_bindings(index: ModuleIndex, facts: ModuleFacts) -> dict[str, list]:
    """Name -> [(import, package path)] for every import binding a name to a package."""
    found: dict[str, list] = {}
    for imp in facts.imports:
        for name, asname in imp.names:
            if imp.kind == "import":
                bound = asname or name.split(".")[0]
                package = index.resolve_module(facts.path, name if asname else bound)
            elif name != "*":
                bound = asname or name
                parent = index.resolve_module(facts.path, imp.module, imp.level)
                package = index.submodule(parent, name) if parent else None
            else:
                continue
            if package and (package.endswith("/") or package.endswith("/__init__.py")):
                found.setdefault(bound, []).append((imp, package))
    return found


def attribute_sites(index: ModuleIndex, facts: ModuleFacts, targets: set[str]) -> list[ImportSite]:
    """Uses of a target module through its package: ``pkg.old.Name`` after ``import pkg``
    or ``from parent import pkg`` (the attribute exists only while something imports
    ``pkg.old``). One site per use; ``names`` is the name used, or () for the module."""
    uses = [(line, text.split(".")) for line, text in facts.attribute_uses]
    packages = _package_bindings(index, facts) if uses else {}
    imported = {name for imp in facts.imports if imp.kind == "import" for name, _ in imp.names}
    sites = []
    for line, parts in uses:
        for imp, package in packages.get(parts[0], [])[:1]:
            current = package
            for i, part in enumerate(parts[1:], start=1):
                sub = index.submodule(current, part)
                if sub is None:
                    break
                if sub in targets and sub != facts.path:
                    if ".".join(parts[: i + 1]) in imported:  # `import pkg.old`: a site already
                        break
                    names = ((parts[i + 1], None),) if i + 1 < len(parts) else ()
                    sites.append(ImportSite(facts.path, line, ".".join(parts[: i + 1]), sub,
                                            "attribute", names, imp.scope, ("attribute",)))
                    break
                current = sub
    return sites


def _same_archive(index: ModuleIndex, path: str, target: str) -> bool:
    return any(path.startswith(f) and target.startswith(f) for f, _ in index.not_imported())


def _binds(index: ModuleIndex, package: str, name: str) -> bool:
    return not package.endswith("/") and name in index.module_bindings(package)


def _site(facts, imp, module, target, form, names, flags) -> ImportSite:
    return ImportSite(
        path=facts.path,
        line=imp.line,
        module=module,
        target=target,
        form=form,
        names=tuple(names),
        scope=imp.scope,
        flags=tuple(flags),
    )


def _unresolved(index: ModuleIndex, facts: ModuleFacts, targets: set[str]) -> list[Unresolved]:
    found = []
    for imp, module, target in index.imports_of(facts.path):
        local = imp.level > 0 or index.local_top_level(module.split(".")[0], facts.path)
        if target is None and local:
            found.append(Unresolved(facts.path, imp.line, module, None))
        elif imp.kind == "from" and target in targets and not imp.star:
            found += [Unresolved(facts.path, imp.line, module, name)
                      for name, _ in imp.names if index.defines(target, name) is False]
    return found


def _dynamic_target(index: ModuleIndex, path: str, literal: str | None, targets: set[str]):
    if literal is None:
        return None
    level = len(literal) - len(literal.lstrip("."))
    target = index.resolve_module(path, literal, level)
    return target if target in targets else None


__all__ = [
    "DynamicImport",
    "HelperInfo",
    "ImportSite",
    "Inventory",
    "ModelInfo",
    "ParseError",
    "Unresolved",
    "StringRef",
    "TableInfo",
    "build_inventory",
    "snake_case",
]
