"""Strings naming an old module path (mock.patch, monkeypatch.setattr, import_module)
are in the plan's blast radius and the PR description, and finalize refuses while
one is left: removing the shim would break them (``module 'pkg.orders' has no
attribute 'models'``)."""

from __future__ import annotations

from pathlib import Path

from conftest import commit_all, git

from unify.modrefs import find, names_of

PROJECT = {
    "pkg/__init__.py": "",
    "pkg/models.py": """
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
            name = Column(String(80))
    """,
    "pkg/orders/__init__.py": "",
    "pkg/orders/models.py": """
        from sqlalchemy import Column, ForeignKey, Integer

        from pkg.models import Base

        TAX = 0.2


        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            user_id = Column(Integer, ForeignKey("users.id"))
    """,
    "pkg/service.py": "from pkg.orders.models import Order\n",
    "tests/test_orders.py": """
        import importlib
        from unittest import mock

        ORDERS = "pkg.orders.models"  # a module path in a constant


        def test_patch():
            with mock.patch("pkg.orders.models.Order") as order:
                assert order


        def test_tax(monkeypatch):
            monkeypatch.setattr("pkg.orders.models.TAX", 0.0)


        def test_import():
            assert importlib.import_module("pkg.orders.models")


        def test_not_a_module_path():
            assert "pkg.orders" != "orders.models.py" != "models"
    """,
}

EXPECTED = [
    "tests/test_orders.py:4 string 'pkg.orders.models' -> 'pkg.models'",
    "tests/test_orders.py:8 string 'pkg.orders.models.Order' -> 'pkg.models.Order'",
    "tests/test_orders.py:13 string 'pkg.orders.models.TAX' -> 'pkg.models.TAX'",
    "tests/test_orders.py:17 string 'pkg.orders.models' -> 'pkg.models'",
]


def test_find_names_each_string_and_its_replacement(make_repo):
    repo = make_repo(PROJECT)
    paths = [p for p in PROJECT if p.endswith(".py")]
    names = names_of(paths, ["pkg/orders/models.py"])
    assert "orders.models" not in names  # pkg/ is a package, not an import root
    found = find(repo, paths, names, skip=["pkg/orders/models.py"], target="pkg/models.py")
    assert [s.render() for s in found] == EXPECTED


def test_no_string_no_entry(make_repo):
    repo = make_repo({k: v for k, v in PROJECT.items() if not k.startswith("tests/")})
    paths = [p for p in PROJECT if p.endswith(".py") and not p.startswith("tests/")]
    assert find(repo, paths, names_of(paths, ["pkg/orders/models.py"])) == []


def _plan(repo: Path, run):
    result = run("plan", "--repo", str(repo), "--target", "pkg/models.py", "--json")
    assert result.code == 0, result.out + result.err
    return result.json()


def test_plan_and_pr_list_them_and_finalize_refuses_until_they_are_changed(make_repo, run):
    repo = make_repo(PROJECT)
    plan = _plan(repo, run)
    # the import_module argument (line 17) is listed once, as the dynamic import
    listed = plan["unrewritable"]
    for line in EXPECTED[:-1]:
        assert line in listed, listed
    assert [u for u in listed if u.startswith("tests/test_orders.py:17 ")] == [
        "tests/test_orders.py:17 importlib.import_module('pkg.orders.models')"], listed
    text = (repo / "plans/models.toml").read_text()
    assert "tests/test_orders.py:8 string 'pkg.orders.models.Order'" in text
    applied = run("apply", str(repo / "plans/models.toml"), "--branch", "unify/models",
                  "--repo", str(repo))
    assert applied.code == 0, applied.out + applied.err
    pr = (repo / "plans/models.pr.md").read_text()
    assert "tests/test_orders.py:13 string 'pkg.orders.models.TAX' -> 'pkg.models.TAX'" in pr
    assert "`unify finalize` refuses while it is left" in pr

    git(repo, "merge", "-q", "--ff-only", "unify/models")
    refused = run("finalize", "--repo", str(repo), "--json")
    assert refused.code == 1, refused.out + refused.err
    importers = refused.json()["importers"]
    for line in (4, 8, 13):
        assert any(i.startswith(f"tests/test_orders.py:{line}: names 'pkg.orders.models")
                   for i in importers), importers
    assert sum(i.startswith("tests/test_orders.py:17:") for i in importers) == 1  # once
    assert "unify/finalize" not in git(repo, "branch", "--list")

    test_file = repo / "tests/test_orders.py"
    test_file.write_text(test_file.read_text().replace("pkg.orders.models", "pkg.models"))
    commit_all(repo, "point the tests at the unified module")
    done = run("finalize", "--repo", str(repo), "--json")
    assert done.code == 0, done.out + done.err
    assert "pkg/orders/models.py" in done.json()["files"]
