"""`unify plan --database URL`: model classes for tables no model maps, and missing columns.

:func:`extend_plan` takes a plan, the inventory, the live schema
(:mod:`unify.dbcheck`) and the source files' text, and returns the plan with
``stubs`` (a generated class per unmapped table, placed in a section),
``columns`` (columns the database has and a merged model lacks) and the
``add_back_populates`` fixes that give existing models the partner side of the
new relationships. The code follows the project's style: Flask-SQLAlchemy
``db.Column``, SQLAlchemy 2.0 ``Mapped[...] = mapped_column(...)``, or classic
``Column``, spelled with the names the sources already import.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import black

from unify.dbcheck import IGNORED_TABLES, LiveColumn, LiveForeignKey, LiveSchema, LiveTable
from unify.dbcheck import declared_tables, strip_parentheses
from unify.facts import RelationshipFact
from unify.inventory import Inventory
from unify.plan import ColumnAdd, Fix, Plan, Stub, table_classes, with_database

ORM_NAMES = {"Mapped", "mapped_column", "relationship"}
RESERVED = {"metadata", "query", "query_class", "registry"}
_PYTHON_TYPES = {
    "Integer": "int", "BigInteger": "int", "SmallInteger": "int",
    "String": "str", "Text": "str", "Unicode": "str", "UnicodeText": "str", "Enum": "str",
    "Boolean": "bool", "Float": "float", "Double": "float",
    "DateTime": "datetime.datetime", "Date": "datetime.date", "Time": "datetime.time",
    "Interval": "datetime.timedelta", "Numeric": "decimal.Decimal", "LargeBinary": "bytes",
    "Uuid": "uuid.UUID", "JSON": "typing.Any", "ARRAY": "list",
}


# -- the project's style ---------------------------------------------------------------


def _bindings(texts: dict[str, str]) -> dict[str, str]:
    """Module-level import bindings of the sources: local name -> what it is ("mod.attr")."""
    bound: dict[str, str] = {}
    for path in sorted(texts):
        try:
            tree = ast.parse(texts[path])
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    bound.setdefault(local, alias.name if alias.asname else local)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    bound.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
    return bound


@dataclass
class Spelling:
    """How the project writes SQLAlchemy and Python names; collects the imports it needs."""

    flavour: str  # flask | mapped | classic
    base: str  # the base class expression, e.g. "db.Model", "Base"
    db: str  # the Flask-SQLAlchemy object's name ("db")
    bound: dict[str, str]
    needed: list[str] = field(default_factory=list)

    def sql(self, name: str) -> str:
        """A SQLAlchemy name (``String``, ``relationship``, ``text``...)."""
        if self.flavour == "flask" and name not in ("Mapped", "mapped_column"):
            return f"{self.db}.{name}"
        module = "sqlalchemy.orm" if name in ORM_NAMES else "sqlalchemy"
        return self._spell(module, name, f"from {module} import {name}")

    def py(self, qualified: str) -> str:
        """A Python name such as ``datetime.datetime`` or ``typing.Optional``."""
        if "." not in qualified:
            return qualified
        module, name = qualified.rsplit(".", 1)
        plain = module != "typing" and self.bound.get(module, module) == module
        fallback = f"import {module}" if plain else f"from {module} import {name}"
        return self._spell(module, name, fallback)

    def _spell(self, module: str, name: str, fallback: str) -> str:
        for local, what in sorted(self.bound.items()):
            if what == f"{module}.{name}":
                return local
        for local, what in sorted(self.bound.items()):
            if what == module:
                return f"{local}.{name}"
        if module == "sqlalchemy.orm":
            for local, what in sorted(self.bound.items()):
                if what == "sqlalchemy":
                    return f"{local}.orm.{name}"
        if fallback not in self.needed:
            self.needed.append(fallback)
        return name if fallback.startswith("from ") else f"{module}.{name}"

    def take_imports(self) -> tuple[str, ...]:
        taken, self.needed = tuple(self.needed), []
        return taken


def detect_style(inv: Inventory, texts: dict[str, str]) -> Spelling:
    roots = Counter(m.base.split(":", 1)[-1] for m in inv.models if m.path in texts)
    base = min(roots, key=lambda r: (-roots[r], r)) if roots else "Base"
    source = "\n".join(texts[p] for p in sorted(texts))
    mapped = len(re.findall(r"\bmapped_column\(", source))
    classic = len(re.findall(r"(?<![\w.])(?:\w+\.)?Column\(", source))
    if mapped > classic:
        flavour = "mapped"
    elif base.endswith(".Model"):
        flavour = "flask"
    else:
        flavour = "classic"
    return Spelling(flavour, base, base.rsplit(".", 1)[0], _bindings(texts))


# -- names --------------------------------------------------------------------------------


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")) or re.search(r"[^aeiou]uses$", word):
        return word[:-2]  # addresses, boxes, statuses (causes and houses keep their e)
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def camel(snake: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", snake) if w)


def snake(name: str) -> str:
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


def attribute(column: str) -> str:
    name = re.sub(r"\W", "_", column)
    if not name or name[0].isdigit() or keyword.iskeyword(name) or name in RESERVED:
        name += "_"
    return name


def class_name(table: str, taken: set[str]) -> str:
    bare = table.rsplit(".", 1)[-1]
    words = bare.split("_")
    for candidate in (camel("_".join([*words[:-1], singular(words[-1])])), camel(bare)):
        if candidate and candidate not in taken and candidate.isidentifier():
            return candidate
    return camel(bare) + "Table"


# -- relationships ----------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One relationship to generate: ``owner.attr`` -> ``target``."""

    owner: str
    attr: str
    target: str
    back: str | None  # back_populates, None for a one-way relationship
    many: bool  # the owner holds a list (one-to-many side)
    nullable: bool = True  # many-to-one: the FK column is nullable
    extra: str = ""  # e.g. foreign_keys=[...] / remote_side=[...]


@dataclass
class Generated:
    """Everything the database adds, before it is turned into plan entries."""

    classes: dict[str, str]  # table -> class (existing ones and the new ones)
    new: dict[str, LiveTable]  # new class -> its table
    attrs: dict[str, set[str]]  # class -> attribute names taken
    added: dict[str, list[tuple[LiveColumn, LiveTable]]]  # existing class -> columns to add
    links: list[Link] = field(default_factory=list)
    joined: set[frozenset[str]] = field(default_factory=set)  # class pairs a FK will link


def _generated(inv: Inventory, plan: Plan, live: LiveSchema) -> Generated:
    classes = {live.canonical(t): c for t, c in table_classes(inv, plan).items()}
    declared = declared_tables(inv, live)
    attrs: dict[str, set[str]] = {}
    for model in inv.models:
        if model.path in plan.sources:
            name = classes.get(live.canonical(model.qualified_table or ""), model.name)
            attrs.setdefault(name, set()).update(
                {c.name for c in model.columns} | {r.name for r in model.relationships})
    taken = {m.name for m in inv.models} | set(classes.values())
    new: dict[str, LiveTable] = {}
    added: dict[str, list[tuple[LiveColumn, LiveTable]]] = {}
    for table in live.tables:
        if table.name in IGNORED_TABLES:
            continue
        if table.name not in declared:
            if table.view:
                continue  # a view no model maps is not drift
            name = class_name(table.name, taken)
            taken.add(name)
            classes[table.name] = name
            new[name] = table
            attrs[name] = {attribute(c.name) for c in table.columns}
        elif table.name in classes and declared[table.name].is_model:
            owner = classes[table.name]
            missing = [c for c in table.columns if c.name not in declared[table.name].columns]
            for col in missing:
                added.setdefault(owner, []).append((col, table))
                attrs.setdefault(owner, set()).add(attribute(col.name))
    gen = Generated(classes, new, attrs, added)
    gen.links = _links(inv, plan, live, gen)
    return gen


def _free(gen: Generated, owner: str, name: str) -> bool:
    return name not in gen.attrs.setdefault(owner, set())


def _links(inv: Inventory, plan: Plan, live: LiveSchema, gen: Generated) -> list[Link]:
    """Relationships for every FK into or out of a new class that the models will declare."""
    links: list[Link] = []
    fks: list[tuple[str, LiveForeignKey, bool]] = []  # (owner class, fk, column nullable)
    for name, table in sorted(gen.new.items()):
        for fk in table.foreign_keys:
            col = table.column(fk.columns[0])
            fks.append((name, fk, col.nullable if col else True))
    for owner, cols in sorted(gen.added.items()):
        for col, table in cols:
            for fk in table.foreign_keys:
                if fk.columns == (col.name,) and gen.classes.get(fk.table) in gen.new:
                    fks.append((owner, fk, col.nullable))
    fks += _existing_fks(inv, plan, live, gen)
    pairs = Counter((owner, gen.classes.get(fk.table)) for owner, fk, _ in fks)
    for owner, fk, nullable in fks:
        target = gen.classes.get(fk.table)
        if target is None or len(fk.columns) != 1:
            continue
        gen.joined.add(frozenset((owner, target)))
        existing = None if owner in gen.new else _relationship_to(inv, plan, gen, owner, target)
        links += _pair(gen, owner, fk, target, nullable, existing, pairs[(owner, target)] > 1)
    return links


def _relationship_to(inv: Inventory, plan: Plan, gen: Generated, owner: str,
                     target: str) -> RelationshipFact | None:
    """A relationship an existing model already has to a new class (U201 until now)."""
    for model in inv.models:
        if model.path in plan.sources and gen.classes.get(model.qualified_table or "") == owner:
            found = next((r for r in model.relationships if r.target == target), None)
            if found is not None:
                return found
    return None


def _existing_fks(inv, plan, live, gen: Generated) -> list[tuple[str, LiveForeignKey, bool]]:
    """Columns existing models already map with a ForeignKey into a new class's table."""
    found = []
    for model in inv.models:
        owner = gen.classes.get(live.canonical(model.qualified_table or ""))
        if model.path not in plan.sources or owner is None or owner in gen.new:
            continue
        for col in model.columns:
            table = live.canonical((col.foreign_key or "").rpartition(".")[0])
            if table and gen.classes.get(table) in gen.new:
                referred = (col.foreign_key or "").rpartition(".")[2]
                fk = LiveForeignKey((col.db_name or col.name,), table, (referred,))
                found.append((owner, fk, col.nullable is not False))
    return found


def _pair(gen: Generated, owner: str, fk: LiveForeignKey, target: str, nullable: bool,
          existing: RelationshipFact | None, ambiguous: bool) -> list[Link]:
    column = attribute(fk.columns[0])
    if existing is not None:  # the model already points at the new class: give it its partner
        back = existing.back_populates
        if back and _free(gen, target, back):
            gen.attrs[target].add(back)
            return [Link(target, back, owner, existing.name, many=True)]
        return []
    stem = column[:-3] if column.endswith("_id") and len(column) > 3 else snake(target)
    if not _free(gen, owner, stem):
        stem += "_rel"
    back = plural(snake(owner))
    two_way = owner != target and not ambiguous and _free(gen, target, back)
    if not _free(gen, owner, stem) or (owner not in gen.new and not two_way):
        return []  # an existing model only gets paired relationships (add_back_populates)
    gen.attrs[owner].add(stem)
    if not two_way:  # self-referential, several FKs to one table, or the name is taken
        extra = []
        pk = gen.new[owner].primary_key if owner == target else ()
        if len(pk) == 1:
            extra.append(f"remote_side=[{attribute(pk[0])}]")
        if ambiguous:
            extra.append(f"foreign_keys=[{column}]")
        return [Link(owner, stem, target, None, many=False, nullable=nullable,
                     extra=", ".join(extra))]
    gen.attrs[target].add(back)
    return [Link(owner, stem, target, back, many=False, nullable=nullable),
            Link(target, back, owner, stem, many=True)]


# -- code -----------------------------------------------------------------------------------


def _type(sp: Spelling, code: str) -> str:
    if not code:
        return sp.sql("String")
    head, _, rest = code.partition("(")
    if head == "ARRAY":
        return f"{sp.sql('ARRAY')}({_type(sp, rest[:-1])})"
    return sp.sql(head) + (f"({rest}" if rest else "")


def _annotation(sp: Spelling, code: str, optional: bool) -> str:
    python = _PYTHON_TYPES.get(code.partition("(")[0], "typing.Any")
    text = sp.py(python)
    return f"{sp.py('typing.Optional')}[{text}]" if optional else text


_LITERAL = re.compile(r"^('(?:[^']|'')*'|-?\d+(?:\.\d+)?)(?:::[\w ]+(?:\(\d+(?:,\s*\d+)?\))?)?$")


def _server_default(sp: Spelling, default: str) -> str:
    """The database's default as code; literals lose PostgreSQL's casts (SQLite reads them)."""
    text = default.strip()
    match = _LITERAL.match(text)
    if match:
        text = match.group(1)
    if text.lower() in ("now()", "current_timestamp", "current_timestamp()"):
        text = "CURRENT_TIMESTAMP"
    return f"{sp.sql('text')}({_quote(text)})"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def column_code(sp: Spelling, col: LiveColumn, table: LiveTable) -> str:
    attr = attribute(col.name)
    args = [_quote(col.name)] if attr != col.name else []
    args.append(_type(sp, col.type))
    fk = next((f for f in table.foreign_keys if f.columns == (col.name,)), None)
    if fk is not None:
        options = "".join(f", {k}={_quote(v)}" for k, v in
                          (("ondelete", fk.ondelete), ("onupdate", fk.onupdate)) if v)
        args.append(f"{sp.sql('ForeignKey')}({_quote(fk.table + '.' + fk.referred[0])}{options})")
    primary = col.name in table.primary_key
    if primary:
        args.append("primary_key=True")
    if not col.nullable and not primary and sp.flavour != "mapped":
        args.append("nullable=False")
    if any(u.columns == (col.name,) and u.unique for u in table.uniques):
        args.append("unique=True")
    if col.default is not None:
        args.append(f"server_default={_server_default(sp, col.default)}")
    if sp.flavour == "mapped":
        annotation = _annotation(sp, col.type, col.nullable and not primary)
        column = f"{sp.sql('mapped_column')}({', '.join(args)})"
        return f"{attr}: {sp.sql('Mapped')}[{annotation}] = {column}"
    return f"{attr} = {sp.sql('Column')}({', '.join(args)})"


def relationship_code(sp: Spelling, link: Link) -> str:
    back = f"back_populates={_quote(link.back)}" if link.back else ""
    extra = ", ".join(filter(None, [back, link.extra]))
    if sp.flavour != "mapped":
        args = ", ".join(filter(None, [_quote(link.target), extra]))
        return f"{link.attr} = {sp.sql('relationship')}({args})"
    target = _quote(link.target)
    if link.many:
        annotation = f"{sp.py('typing.List')}[{target}]"
    else:
        annotation = f"{sp.py('typing.Optional')}[{target}]" if link.nullable else target
    return f"{link.attr}: {sp.sql('Mapped')}[{annotation}] = {sp.sql('relationship')}({extra})"


def _table_args(sp: Spelling, table: LiveTable) -> str | None:
    items = []
    for unique in table.uniques:
        if len(unique.columns) > 1:
            name = f", name={_quote(unique.name)}" if unique.name else ""
            cols = ", ".join(map(_quote, unique.columns))
            items.append(f"{sp.sql('UniqueConstraint')}({cols}{name})")
    for check in table.checks:
        name = f", name={_quote(check.name)}" if check.name else ""
        items.append(f"{sp.sql('CheckConstraint')}({_quote(strip_parentheses(check.sqltext.strip()))}{name})")
    for index in table.indexes:
        if index.name:
            unique = ", unique=True" if index.unique else ""
            cols = ", ".join(map(_quote, index.columns))
            items.append(f"{sp.sql('Index')}({_quote(index.name)}, {cols}{unique})")
    schema = table.name.rpartition(".")[0]
    if schema:
        items.append(f'{{"schema": {_quote(schema)}}}')
    if not items:
        return None
    return "__table_args__ = (" + ", ".join(items) + ",)"


def class_code(sp: Spelling, name: str, table: LiveTable, links: list[Link]) -> str:
    bare = table.name.rpartition(".")[2]
    lines = [f"class {name}({sp.base}):",
             f'    """Table {table.name}: generated by unify from the database schema."""', "",
             f"    __tablename__ = {_quote(bare)}"]
    args = _table_args(sp, table)
    if args:
        lines.append(f"    {args}")
    lines.append("")
    lines += [f"    {column_code(sp, col, table)}" for col in table.columns]
    if not table.primary_key:  # the ORM needs an identity: all columns, the table unchanged
        identity = ", ".join(attribute(c.name) for c in table.columns)
        lines += ["", "    # unify: the table has no primary key; the mapper uses every column",
                  f'    __mapper_args__ = {{"primary_key": [{identity}]}}']
    mine = [link for link in links if link.owner == name]
    if mine:
        lines.append("")
        lines += [f"    {relationship_code(sp, link)}" for link in mine]
    return _black("\n".join(lines) + "\n")


def _black(code: str) -> str:
    try:
        return black.format_str(code, mode=black.Mode())
    except Exception:  # black cannot format it: keep it as generated
        return code


# -- into the plan ----------------------------------------------------------------------------


def extend_plan(plan: Plan, inv: Inventory, live: LiveSchema, texts: dict[str, str]) -> Plan:
    """The plan plus stubs, missing columns and partner relationships from the database."""
    sp = detect_style(inv, texts)
    gen = _generated(inv, plan, live)
    stubs = []
    for name, table in sorted(gen.new.items(), key=lambda kv: kv[1].name):
        code = class_code(sp, name, table, gen.links)
        cols = ", ".join(c.name for c in table.columns)
        stubs.append(Stub(name, table.name, code, sp.take_imports(),
                          f"U401: table {table.name} ({cols}) exists in the database, but no "
                          f"model maps it: {name} is generated from the live schema"))
    columns = []
    for owner, cols in sorted(gen.added.items()):
        for col, table in cols:
            code = _black(column_code(sp, col, table) + "\n").rstrip("\n")
            columns.append(ColumnAdd(owner, attribute(col.name), code, sp.take_imports(),
                                     f"U403: column {table.name}.{col.name} ({col.type or '?'}"
                                     f"{'' if col.nullable else ', NOT NULL'}) exists in the "
                                     f"database, but {owner} does not map it"))
    fixes = tuple(_partner_fix(inv, link) for link in gen.links
                  if link.owner not in gen.new)
    links = {name: _neighbours(gen, name) for name in gen.new}
    plan = replace(plan, fixes=tuple(f for f in plan.fixes if not _settled(f, gen)))
    return with_database(plan, tuple(stubs), tuple(columns), fixes, links)


def _settled(fix: Fix, gen: Generated) -> bool:
    """A fix for a reference to a table or class the database now provides."""
    if fix.kind == "drop_relationship":  # U201: relationship('StrategyTemplate'), now joinable
        return fix.old in gen.new and frozenset((fix.model, fix.old)) in gen.joined
    if fix.kind == "foreign_key":  # U103: ForeignKey('strategy_template.id')
        return gen.classes.get(fix.old.rpartition(".")[0]) in gen.new
    return False


def _neighbours(gen: Generated, name: str) -> tuple[set[str], set[str]]:
    """(classes the new class references, classes whose tables reference it)."""
    table = gen.new[name]
    refs = {gen.classes[fk.table] for fk in table.foreign_keys if fk.table in gen.classes}
    users = {link.owner for link in gen.links if link.target == name and not link.many}
    users |= {owner for owner, cols in gen.added.items() for col, t in cols
              for fk in t.foreign_keys if fk.columns == (col.name,)
              and gen.classes.get(fk.table) == name}
    return refs - {name}, users - {name}


def _partner_fix(inv: Inventory, link: Link) -> Fix:
    model = next((m for m in inv.models if m.name == link.owner), None)
    at = f"{model.path}:{model.line}" if model else ""
    return Fix("add_back_populates", link.owner, link.attr, at, "", f"{link.target}.{link.back}",
               f"the database links {link.owner} and the generated {link.target} by a foreign "
               f"key: {link.target}.{link.back} needs its partner {link.owner}.{link.attr}")
