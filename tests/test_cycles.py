"""Import cycles a merge creates (issue 11.8), end to end on corpus/merge_cycles.

Four ``pkg/*/models.py`` merged into one module: the forum's module-level import of
``pkg.utils.helpers`` and the blog's of ``pkg.utils.settings`` lead back to the merged
module (settings imports ``pkg.user.models``). The plan must name both cycles, apply
must break them the way the sources already break theirs (the import moved into the
methods that use it; under ``TYPE_CHECKING`` when only annotations use it), and
verification must import every module that imported a source, each on its own, and
fail on any that imported before and does not after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import CORPUS, commit_all, git, init_repo

CASE = "merge_cycles"
ORACLE = tomllib.loads((CORPUS / f"{CASE}.expected.toml").read_text(encoding="utf-8"))


def unify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "unify", *args], capture_output=True,
                          text=True)


def fresh_import(checkout: Path, module: str) -> str | None:
    """None when ``module`` imports in a fresh interpreter from ``checkout``, else the
    error's last line."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=checkout,
                          capture_output=True, text=True, env=env)
    return None if done.returncode == 0 else done.stderr.strip().splitlines()[-1]


def project_tests(checkout: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(checkout))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=checkout, capture_output=True, text=True, env=env)


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts and "plans" not in p.parts}


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / CASE
    shutil.copytree(CORPUS / CASE, root)
    init_repo(root)
    commit_all(root)
    return root


def cycles_of(plan_json: dict) -> list[str]:
    return sorted(f"{c['source']}:{c['line']} {c['module']} {c['fix']}"
                  for c in plan_json["cycles"])


@pytest.mark.parametrize("target", [None, "pkg/forum/models.py", "pkg/models.py"])
def test_plan_names_the_cycles_the_merge_creates(repo, target):
    more = ["--target", target] if target else []
    done = unify("plan", "--repo", str(repo), "--json", "-o", "-", *more)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert cycles_of(data) == ORACLE["cycles"]["created"]
    forum = next(c for c in data["cycles"] if c["source"] == "pkg/forum/models.py")
    # the import lines that close the cycle, in order, back to a merged module
    assert forum["chain"] == [
        "pkg/forum/models.py:7 from pkg.utils.helpers import slugify, utcnow",
        "pkg/utils/helpers.py:5 from pkg.utils.settings import get_setting",
        "pkg/utils/settings.py:2 from pkg.user import models as user_models",
    ]
    written = unify("plan", "--repo", str(repo), *more)
    assert written.returncode == 0, written.stderr
    text = (repo / "plans" / "models.toml").read_text(encoding="utf-8")
    assert "[[cycles]]" in text
    assert "# pkg/utils/helpers.py:5 from pkg.utils.settings import get_setting" in text


@pytest.mark.parametrize("target", [None, "pkg/forum/models.py"])
def test_apply_breaks_the_cycles_and_the_whole_app_imports(repo, target):
    before_tests = project_tests(repo)
    assert before_tests.returncode == 0, before_tests.stdout
    base = git(repo, "rev-parse", "HEAD").strip()
    digest = tree_digest(repo)
    more = ["--target", target] if target else []
    assert unify("plan", "--repo", str(repo), *more).returncode == 0
    done = unify("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    checks = {c["name"]: c for c in result["verification"]["checks"]}
    assert result["verification"]["ok"], checks
    assert checks["runtime-importers"]["ok"]
    checked = set(ORACLE["cycles"]["importers"]) | set(ORACLE["cycles"]["on_cycles"])
    assert f"all {len(checked)} modules that imported a source" in \
        checks["runtime-importers"]["detail"]

    git(repo, "checkout", "-q", "unify/models")
    try:
        for module in sorted(checked):
            assert fresh_import(repo, module) is None, module
        mappers = subprocess.run(
            [sys.executable, "-c", "import pkg.utils.helpers, pkg.app\n"
             "from sqlalchemy.orm import configure_mappers\nconfigure_mappers()"],
            cwd=repo, capture_output=True, text=True,
            env=dict(os.environ, PYTHONPATH=str(repo), PYTHONDONTWRITEBYTECODE="1"))
        assert mappers.returncode == 0, mappers.stderr
        after_tests = project_tests(repo)
        assert after_tests.returncode == 0, after_tests.stdout
        assert after_tests.stdout.strip().splitlines()[-1].split(" in ")[0] == \
            before_tests.stdout.strip().splitlines()[-1].split(" in ")[0]
        named = tomllib.loads((repo / "plans" / "models.toml").read_text(encoding="utf-8"))
        merged = (repo / named["target"]).read_text(encoding="utf-8")
        assert "if TYPE_CHECKING:\n    from pkg.utils.settings import SettingsCache" in merged
        assert "\nfrom pkg.utils.helpers import" not in merged
        assert "        from pkg.utils.helpers import utcnow\n" in merged
    finally:
        git(repo, "checkout", "-q", "main")

    rolled = unify("rollback", "--repo", str(repo))
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == base
    assert tree_digest(repo) == digest


def test_verification_fails_when_an_importer_no_longer_imports(repo):
    """The cycle left in place (`fix = "keep"`): the target alone still imports, so only
    importing each importer on its own can tell; verification names it."""
    assert unify("plan", "--repo", str(repo)).returncode == 0
    plan = repo / "plans" / "models.toml"
    text = plan.read_text(encoding="utf-8")
    assert 'fix = "function"' in text
    plan.write_text(text.replace('fix = "function"', 'fix = "keep"'), encoding="utf-8")
    commit_all(repo, "keep the cycle")
    done = unify("apply", str(plan), "--repo", str(repo), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    checks = {c["name"]: c for c in json.loads(done.stdout)["verification"]["checks"]}
    assert checks["runtime"]["ok"]  # the target alone imports: the old probe said nothing
    importers = checks["runtime-importers"]
    assert not importers["ok"]
    assert any(item.startswith("pkg.utils.settings: ImportError: cannot import name")
               for item in importers["items"]), importers


# -- the graph and the fixes, on small projects -----------------------------------------

BASE_PROJECT = {
    "shop/__init__.py": "",
    "shop/db.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
    "shop/orders.py": """
        from sqlalchemy import Column, Integer

        from shop.db import Base


        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
    """,
    "shop/pricing.py": """
        from shop import orders  # the module, bound late

        RATE = 0.2


        def total(order_id):
            return orders.Order
    """,
}


def plan_cycles(run, make_repo, files: dict[str, str], target: str) -> tuple[int, dict]:
    repo = make_repo({**BASE_PROJECT, **files})
    result = run("plan", "--repo", str(repo), "--target", target, "--json", "-o", "-")
    return result.code, result.json()


def test_a_name_used_while_importing_is_marked_open(run, make_repo):
    code, plan = plan_cycles(run, make_repo, {"shop/invoices.py": """
        from sqlalchemy import Column, Float, Integer

        from shop.db import Base
        from shop.pricing import RATE


        class Invoice(Base):
            __tablename__ = "invoices"
            id = Column(Integer, primary_key=True)
            rate = Column(Float, default=RATE)
    """}, "shop/orders.py")
    assert code == 1  # an open decision
    [cycle] = plan["cycles"]
    assert (cycle["source"], cycle["module"], cycle["fix"]) == \
        ("shop/invoices.py", "shop.pricing", "?")
    assert "used while the module is imported (line 10)" in cycle["reason"]
    assert "cycle shop/invoices.py:4" in plan["unsettled"]


def test_annotations_evaluated_at_def_time_are_import_time_uses(run, make_repo):
    code, plan = plan_cycles(run, make_repo, {"shop/invoices.py": """
        from sqlalchemy import Column, Integer

        from shop.db import Base
        from shop.pricing import RATE


        class Invoice(Base):
            __tablename__ = "invoices"
            id = Column(Integer, primary_key=True)

            def rated(self, rate: RATE):
                return rate
    """}, "shop/orders.py")
    assert [c["fix"] for c in plan["cycles"]] == ["?"]


def test_lazy_and_type_checking_imports_and_old_cycles_are_not_reported(run, make_repo):
    code, plan = plan_cycles(run, make_repo, {
        "shop/invoices.py": """
            from typing import TYPE_CHECKING

            from sqlalchemy import Column, Integer

            from shop.db import Base

            if TYPE_CHECKING:
                from shop.pricing import RATE


            class Invoice(Base):
                __tablename__ = "invoices"
                id = Column(Integer, primary_key=True)

                def total(self):
                    from shop.pricing import total
                    return total(self.id)
        """,
        # a cycle through refunds that was there before the merge: not the merge's doing
        "shop/refunds.py": """
            from sqlalchemy import Column, Integer

            from shop.audit import log
            from shop.db import Base


            class Refund(Base):
                __tablename__ = "refunds"
                id = Column(Integer, primary_key=True)
        """,
        "shop/audit.py": "from shop import refunds\n\n\ndef log():\n    return refunds\n",
    }, "shop/orders.py")
    assert code == 0, plan
    assert plan["cycles"] == []


def test_an_open_cycle_blocks_the_plan_until_decided(run, make_repo):
    repo = make_repo({**BASE_PROJECT, "shop/invoices.py": """
        from sqlalchemy import Column, Float, Integer

        from shop.db import Base
        from shop.pricing import RATE


        class Invoice(Base):
            __tablename__ = "invoices"
            id = Column(Integer, primary_key=True)
            rate = Column(Float, default=RATE)
    """})
    assert run("plan", "--repo", str(repo), "--target", "shop/orders.py").code == 1
    plan = repo / "plans" / "models.toml"
    checked = run("plan", "--check", str(plan), "--repo", str(repo))
    assert checked.code == 1
    assert "import cycle through shop.pricing (shop/invoices.py:4) is undecided" in \
        checked.out + checked.err
    refused = run("apply", str(plan), "--repo", str(repo))
    assert refused.code != 0 and "import cycle through shop.pricing" in refused.err
    plan.write_text(plan.read_text(encoding="utf-8").replace('fix = "?"', 'fix = "keep"'),
                    encoding="utf-8")
    assert run("plan", "--check", str(plan), "--repo", str(repo)).code == 0


def test_a_declared_attr_body_runs_at_import_time(run, make_repo):
    code, plan = plan_cycles(run, make_repo, {"shop/invoices.py": """
        from sqlalchemy import Column, Float, Integer
        from sqlalchemy.orm import declared_attr

        from shop.db import Base
        from shop.pricing import RATE


        class Invoice(Base):
            __tablename__ = "invoices"
            id = Column(Integer, primary_key=True)

            @declared_attr
            def rate(cls):
                return Column(Float, default=RATE)
    """}, "shop/orders.py")
    assert [c["fix"] for c in plan["cycles"]] == ["?"]


def test_the_issue_spelling_from_models_import_name_is_the_same_cycle(run, tmp_path):
    """settings.py doing `from pkg.user.models import Setting` (the issue's words): the
    target alone no longer imports either, and the plan names the same two cycles."""
    root = tmp_path / "repo"
    shutil.copytree(CORPUS / CASE, root)
    settings = root / "pkg" / "utils" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("from pkg.user import models as user_models  # the models module, not "
                        "its names: it may be mid-import", "from pkg.user.models import Setting")
    settings.write_text(text.replace("user_models.Setting", "Setting"), encoding="utf-8")
    init_repo(root)
    commit_all(root)
    result = run("plan", "--repo", str(root), "--json", "-o", "-")
    assert result.code == 0, result.err
    assert cycles_of(result.json()) == ORACLE["cycles"]["created"]
    assert all(c["chain"][-1] == "pkg/utils/settings.py:2 from pkg.user.models import Setting"
               for c in result.json()["cycles"])
