"""Per-file facts: columns, relationships, imports and their context flags."""

from __future__ import annotations

import textwrap

import pytest

from unify.extract import extract


def facts(source: str):
    return extract("m.py", textwrap.dedent(source).encode())


def test_classic_columns():
    [cls] = facts("""
        class User(db.Model):
            '''A user.'''
            __tablename__ = 'users'
            __table_args__ = (db.UniqueConstraint('email'), {'schema': 'auth'})
            id = db.Column(db.Integer, primary_key=True)
            org_id = db.Column("organization_id", db.String(36), db.ForeignKey('organizations.id'),
                               nullable=False)
            email = db.Column(db.String(120), unique=True)
    """).classes
    assert cls.tablename == "users" and cls.schema == "auth" and cls.docstring == "A user."
    cols = {c.name: c for c in cls.columns}
    assert cols["id"].primary_key and cols["id"].type == "Integer"
    assert cols["org_id"].type == "String(36)" and cols["org_id"].foreign_key == "organizations.id"
    assert cols["org_id"].db_name == "organization_id" and cols["org_id"].nullable is False
    assert cols["email"].unique


def test_typed_columns_and_relationships():
    [cls] = facts("""
        class Booking(Base):
            __tablename__ = "bookings"
            id: Mapped[int] = mapped_column(primary_key=True)
            note: Mapped[Optional[str]]
            chef_id: Mapped[int | None] = mapped_column(ForeignKey("chefs.id"))
            payload: Mapped[dict] = mapped_column(JSONB)
            chef: Mapped[Optional["Chef"]] = relationship(back_populates="bookings")
            tags: Mapped[List["Tag"]] = relationship(secondary="booking_tags")
            owner = relationship(lambda: User, backref=backref("bookings", lazy="dynamic"))
    """).classes
    cols = {c.name: c for c in cls.columns}
    assert cols["id"].type == "Integer"
    assert cols["note"].type == "String" and cols["note"].nullable is True
    assert cols["chef_id"].nullable is True and cols["chef_id"].foreign_key == "chefs.id"
    assert cols["payload"].type == "JSONB"
    rels = {r.name: r for r in cls.relationships}
    assert rels["chef"].target == "Chef" and rels["chef"].back_populates == "bookings"
    assert rels["tags"].target == "Tag" and rels["tags"].secondary == "booking_tags"
    assert rels["owner"].target == "User" and rels["owner"].backref == "bookings"


@pytest.mark.parametrize(
    "source,expected",
    [
        pytest.param("from m import A, B\n", ("from", "m", 0, "module", False, False),
                     id="from"),
        pytest.param("from .m import A\n", ("from", ".m", 1, "module", False, False),
                     id="relative"),
        pytest.param("import m as mm\n", ("import", "m", 0, "module", False, False),
                     id="import-as"),
        pytest.param("def f():\n    from m import A\n", ("from", "m", 0, "function", False, False),
                     id="lazy"),
        pytest.param("try:\n    from m import A\nexcept ImportError:\n    A = None\n",
                     ("from", "m", 0, "module", True, False), id="try"),
        pytest.param("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from m import A\n",
                     ("from", "m", 0, "module", False, True), id="type-checking"),
    ],
)
def test_import_context(source, expected):
    imports = [i for i in facts(source).imports if i.module.lstrip(".") == "m"]
    [imp] = imports
    assert (imp.kind, imp.module, imp.level, imp.scope, imp.in_try, imp.type_checking) == expected


def test_string_refs_and_dynamic_imports():
    f = facts("""
        import importlib
        class A(db.Model):
            b_id = db.Column(db.Integer, db.ForeignKey('b.id'))
            b = db.relationship('B', back_populates='a', primaryjoin='A.b_id == B.id')
        mod = importlib.import_module('mvp_models')
        other = __import__(name)
        __all__ = ['A']
    """)
    kinds = sorted((r.kind, r.value) for r in f.string_refs)
    assert kinds == [("back_populates", "a"), ("expression", "A.b_id == B.id"),
                     ("foreign_key", "b.id"), ("relationship", "B")]
    assert [(d.literal, d.argument) for d in f.dynamic_imports] == [
        ("mvp_models", "'mvp_models'"), (None, "name")]
    assert f.dunder_all == ("A",)


def test_relation_and_dynamic_loader_are_relationships():
    """``relation`` (the alias before SQLAlchemy 2.0) and ``dynamic_loader``."""
    f = facts("""
        from sqlalchemy.orm import relation, dynamic_loader
        class A(Base):
            b = relation('B', back_populates='a', primaryjoin='A.b_id == B.id')
            cs = orm.dynamic_loader('C', order_by='C.id')
    """)
    [cls] = f.classes
    assert [(r.name, r.target, r.back_populates) for r in cls.relationships] == [
        ("b", "B", "a"), ("cs", "C", None)]
    assert sorted((r.kind, r.value) for r in f.string_refs) == [
        ("back_populates", "a"), ("expression", "A.b_id == B.id"), ("expression", "C.id"),
        ("relationship", "B"), ("relationship", "C")]


def test_fallback_classes_in_except_are_marked():
    f = facts("""
        try:
            from unified_models import Competency as SECompetency
        except ImportError:
            class SECompetency:
                pass
    """)
    [cls] = f.classes
    assert cls.in_except


def test_crlf_and_bom_parse():
    f = extract("w.py", b"\xef\xbb\xbfimport models\r\nx = 1\r\n")
    assert f.error is None and f.imports[0].module == "models"


def test_declared_attr_members_and_helper_calls():
    from unify.extract import extract

    facts = extract("m.py", b'''
from sqlalchemy.orm import declared_attr

def fk(table, nullable=False):
    """A foreign key to table.id."""
    return Column(ForeignKey(f"{table}.id"), nullable=nullable)

def not_a_helper():
    col = Column(Integer)
    return col

class Mixin:
    @declared_attr
    def owner_id(cls):
        return Column(Integer, ForeignKey("users.id"))

    @declared_attr.cascading
    def editor_id(cls):
        return fk("users")

    @declared_attr
    def owner(cls):
        return relationship("User")

    @declared_attr
    def __tablename__(cls):
        return cls.__name__.lower()

    query = db.session.query_property()
    slug = make_slug()
''')
    assert [(h.name, h.params, h.defaults) for h in facts.helpers] == [
        ("fk", ("table", "nullable"), (("nullable", "False"),))]
    cls = facts.classes[0]
    assert [(c.name, c.foreign_key) for c in cls.columns] == [("owner_id", "users.id")]
    assert [r.name for r in cls.relationships] == ["owner"]
    assert [(c.name, c.func, c.declared_attr) for c in cls.calls] == [
        ("editor_id", "fk", True), ("slug", "make_slug", False)]
    assert cls.tablename_dynamic
