"""Import roots: each import resolves only against the roots its file runs under.

Corpus cases flat_backend (a flat script folder run from that folder, tests
with sys.path.insert, an archive copy, a committed Windows venv) and
redis_shadow (a local shop/common/redis.py beside `import redis.client`), plus
the rules one by one on inline projects.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from conftest import CORPUS, commit_all, git
from unify.extract import extract
from unify.resolve import ModuleIndex
from unify.roots import Layout, Root, RootSet, declared_roots, module_names, skip_environments

CASES = ["flat_backend", "redis_shadow"]
#: the case's unified module: h3-target owns the default target, so apply names it
TARGETS = {"flat_backend": "src/backend/models.py", "redis_shadow": "shop/models.py"}


def oracle(case: str) -> dict:
    return tomllib.loads((CORPUS / f"{case}.expected.toml").read_text(encoding="utf-8"))


def index(files: dict[str, str], layout: Layout | None = None) -> ModuleIndex:
    return ModuleIndex((extract(p, s.encode()) for p, s in files.items()), layout)


# -- the corpus cases --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_scan_json_reports_roots_skipped_and_not_imported(case, corpus_repo, run):
    want = oracle(case)["roots"]
    repo = corpus_repo(case)
    data = run("scan", "--repo", str(repo), "--json").json()
    assert sorted([r["path"], r["kind"]] for r in data["roots"]) == sorted(want["roots"])
    assert all(r["reason"] for r in data["roots"])
    assert [s["path"] for s in data["skipped"]] == want["skipped"]
    assert [n["path"] for n in data["not_imported"]] == want["not_imported"]
    archive = [d for d in data["dependents"] if d["path"].startswith("archives/")]
    assert sorted({d["target"] for d in archive}) == want["archive_targets"]
    # nothing under a skipped tree was scanned
    scanned = {m["path"] for m in data["models"]} | {d["path"] for d in data["dependents"]}
    assert not any(p.startswith(tuple(want["skipped"])) for p in scanned)


def test_flat_backend_sys_path_root_says_where_it_comes_from(corpus_repo, run):
    repo = corpus_repo("flat_backend")
    data = run("scan", "--repo", str(repo), "--json").json()
    syspath = [r for r in data["roots"] if r["kind"] == "sys-path"]
    assert syspath == [
        {"path": "archives/2023_q3", "kind": "sys-path", "applies_to": "archives/2023_q3",
         "reason": "archives/2023_q3/export_surveys.py:6 sys.path.insert"},
        {"path": "src/backend", "kind": "sys-path", "applies_to": "tests",
         "reason": "tests/conftest.py:6 sys.path.insert"},
    ]
    [venv] = data["skipped"]
    assert venv["files"] == 4
    # the tests' `from models import db` reaches the live module, the archive's own copy stays its own
    targets = {(d["path"], d["module"]): d["target"] for d in data["dependents"]}
    assert targets[("tests/conftest.py", "models")] == "src/backend/models.py"
    assert targets[("tests/test_models.py", "unified_models")] == "src/backend/unified_models.py"
    assert targets[("archives/2023_q3/export_surveys.py", "unified_models")] == \
        "archives/2023_q3/unified_models.py"


def test_redis_shadow_check_has_no_false_missing_module(corpus_repo, run):
    repo = corpus_repo("redis_shadow")
    check = run("check", "--repo", str(repo), "--json")
    assert check.code == 1  # the real U103 and U303 remain
    u303 = [d["subject"] for d in check.json()["diagnostics"] if d["code"] == "U303"]
    assert u303 == ["shop.reporting"]


@pytest.mark.parametrize("case", CASES)
def test_plan_apply_rollback_end_to_end(case, corpus_repo, run):
    repo = corpus_repo(case)
    base = git(repo, "rev-parse", "HEAD").strip()
    base_tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    made = run("plan", "--repo", str(repo), "--target", TARGETS[case])
    assert made.code == 0, made.err
    plan = tomllib.loads((repo / "plans" / "models.toml").read_text())
    assert list(plan["sources"]) == oracle(case)["roots"]["plan_sources"]
    git(repo, "add", "plans")
    commit_all(repo, "plan")
    out = subprocess.run(
        [sys.executable, "-m", "unify", "apply", str(repo / "plans" / "models.toml"),
         "--repo", str(repo), "-q"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Verification: passed" in out.stdout, out.stdout
    changed = git(repo, "diff", "--name-only", base, "unify/models").split()
    # archives, venv and the unrelated redis/logging wrappers are never rewritten
    assert not [p for p in changed if p.startswith(("archives/", "venv/", "shop/common/"))]
    assert changed
    back = run("rollback", "--repo", str(repo))
    assert back.code == 0, back.err
    assert "unify/models" not in git(repo, "branch", "--list")
    assert git(repo, "rev-parse", "HEAD^{tree}").strip() != base_tree  # HEAD holds the plan
    assert git(repo, "diff", "--name-only", base, "HEAD").split() == \
        ["plans/models.toml"]
    # the work tree is the base's, plus the PR description apply wrote beside the plan
    assert git(repo, "status", "--porcelain", "--untracked-files=all").split() == \
        ["??", "plans/models.pr.md"]


# -- the rules ------------------------------------------------------------------------------


def test_a_package_module_named_like_a_third_party_package_is_not_that_package():
    idx = index({
        "pkg/__init__.py": "",
        "pkg/common/__init__.py": "",
        "pkg/common/redis.py": "import redis\n",
        "pkg/cache.py": "import redis.client\nfrom redis import Redis\n",
        "pkg/common/use.py": "import redis.client\nfrom pkg.common.redis import x\n",
    })
    for importer in ("pkg/cache.py", "pkg/common/use.py"):
        assert idx.resolve_module(importer, "redis.client") is None
        assert idx.resolve_module(importer, "redis") is None
        assert not idx.local_top_level("redis", importer)
    assert idx.resolve_module("pkg/cache.py", "pkg.common.redis") == "pkg/common/redis.py"
    assert idx.local_top_level("pkg", "pkg/cache.py")


def test_script_folder_needs_a_sibling_import_and_no_self_wrapper():
    files = {
        "tools/models.py": "db = 1\n",
        "tools/run.py": "from models import db\n",
        "lib/json.py": "import json\n",  # wraps the stdlib: lib/ is never on sys.path
        "lib/use.py": "import json\n",
        "other/helpers.py": "x = 1\n",
        "other/main.py": "import helpers\n",  # a namespace folder importing a sibling
    }
    roots = RootSet(files, {p: extract(p, s.encode()) for p, s in files.items()})
    kinds = {(r.path, r.kind) for r in roots.roots}
    assert ("tools", "script-folder") in kinds and ("other", "script-folder") in kinds
    assert not any(path == "lib" for path, _ in kinds)
    idx = index(files)
    assert idx.resolve_module("tools/run.py", "models") == "tools/models.py"
    assert idx.resolve_module("lib/use.py", "json") is None
    # a script folder's modules are not top-level modules of other folders
    assert idx.resolve_module("other/main.py", "models") is None


def test_a_local_package_whose_files_import_what_it_lacks_is_the_installed_one():
    files = {  # the shape of mlflow/server/graphql/ beside `import graphql`
        "mlflow/__init__.py": "",
        "mlflow/server/__init__.py": "",
        "mlflow/server/handlers.py": "import graphql\n",
        "mlflow/server/graphql/__init__.py": "",
        "mlflow/server/graphql/schema.py": "from graphql.error import GraphQLError\n",
        # generated gRPC code really imports its siblings as top-level modules
        "mlflow/protos/service_pb2.py": "",
        "mlflow/protos/service_pb2_grpc.py": "import service_pb2 as pb\n",
    }
    roots = RootSet(files, {p: extract(p, s.encode()) for p, s in files.items()})
    assert [(r.path, r.kind) for r in roots.roots] == [
        ("", "repository"), ("mlflow/protos", "script-folder")]
    idx = index(files)
    assert idx.resolve_module("mlflow/server/graphql/schema.py", "graphql.error") is None
    assert idx.resolve_module("mlflow/server/handlers.py", "graphql") is None


def test_a_typo_inside_a_script_folder_package_keeps_the_folder_a_root():
    files = {
        "backend/models.py": "db = 1\n",
        "backend/run.py": "from models import db\n",
        "backend/routes/__init__.py": "from routes.missing import bp\n",  # a real U303
    }
    idx = index(files)
    assert idx.resolve_module("backend/run.py", "models") == "backend/models.py"
    assert idx.resolve_module("backend/routes/__init__.py", "routes.missing") is None
    assert idx.local_top_level("routes", "backend/routes/__init__.py")


def test_from_import_of_a_name_the_sibling_lacks_is_no_evidence():
    files = {
        "svc/__init__.py": "",
        "svc/celery.py": "def make(): pass\n",
        "svc/tasks.py": "from celery import Celery\n",
    }
    roots = RootSet(files, {p: extract(p, s.encode()) for p, s in files.items()})
    assert [r.kind for r in roots.roots] == ["repository"]
    assert index(files).resolve_module("svc/tasks.py", "celery") is None


@pytest.mark.parametrize("expression", [
    'os.path.join(os.path.dirname(__file__), "..", "src", "backend")',
    'os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../src/backend"))',
    'str(Path(__file__).resolve().parent.parent / "src" / "backend")',
    'str(pathlib.Path(__file__).parents[1] / "src/backend")',
    'os.path.join(HERE, "..", "src", "backend")',
    'str(Path(__file__).absolute().parent.parent.joinpath("src", "backend"))',
    '"src/backend"',
])
def test_sys_path_edits_literal_or_relative_to_file(tmp_path, expression):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text(
        "import os, sys, pathlib\nfrom pathlib import Path\n"
        "HERE = os.path.dirname(__file__)\n"
        f"if True:\n    sys.path.insert(0, {expression})\n")
    paths = ["tests/conftest.py", "src/backend/models.py"]
    [root] = declared_roots(tmp_path, paths, ["tests/conftest.py"])
    assert (root.path, root.kind, root.applies_to) == ("src/backend", "sys-path", "tests")
    assert root.reason == "tests/conftest.py:5 sys.path.insert"


def test_sys_path_edits_that_cannot_be_evaluated_or_leave_the_repo_are_ignored(tmp_path):
    (tmp_path / "conftest.py").write_text(
        "import os, sys\nsys.path.append(os.environ['EXTRA'])\n"
        "sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'elsewhere'))\n"
        "sys.path.append('/opt/lib')\n")
    assert declared_roots(tmp_path, ["conftest.py", "a/b.py"], ["conftest.py"]) == ()


def test_config_files_declare_roots(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools]\npackage-dir = {"" = "lib"}\n'
        '[tool.pytest.ini_options]\npythonpath = ["tools"]\n')
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "setup.cfg").write_text("[options]\npackage_dir =\n    =src\n")
    paths = ["lib/pkg/__init__.py", "tools/t.py", "svc/src/core/__init__.py"]
    found = {(r.path, r.reason) for r in declared_roots(tmp_path, paths, [])}
    assert found == {
        ("lib", "pyproject.toml [tool.setuptools] package-dir"),
        ("tools", "pyproject.toml [tool.pytest.ini_options] pythonpath"),
        ("svc/src", "svc/setup.cfg [options] package_dir"),
    }
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "setup.py").write_text(
        "from setuptools import setup, find_packages\n"
        "setup(name='x', package_dir={'': 'lib'}, packages=find_packages(where='lib'))\n")
    assert {(r.path, r.reason) for r in declared_roots(tmp_path, ["legacy/lib/x/__init__.py"], [])} \
        == {("legacy/lib", "legacy/setup.py setup(package_dir=...)")}  # one root, first reason
    layout = Layout(declared_roots(tmp_path, paths, []))
    idx = index({p: "" for p in paths} | {"tests/test_pkg.py": "import pkg\n"}, layout)
    assert idx.resolve_module("tests/test_pkg.py", "pkg") == "lib/pkg/__init__.py"
    assert idx.resolve_module("tests/test_pkg.py", "core") == "svc/src/core/__init__.py"


def test_odd_configuration_values_are_ignored(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool]\nhatch = 3\n[tool.setuptools]\npackage-dir = "src"\n'
        '[tool.setuptools.packages]\nfind = ["x"]\n[tool.poetry]\npackages = {include = "a"}\n'
        '[tool.pytest.ini_options]\npythonpath = "src"\n')
    (tmp_path / "setup.cfg").write_text("[options\nbroken")
    (tmp_path / "setup.py").write_text("setup(package_dir=SRC)\nfind_packages(where)\n")
    found = declared_roots(tmp_path, ["src/a/__init__.py"], [])
    assert [(r.path, r.reason) for r in found] == [
        ("src", "pyproject.toml [tool.pytest.ini_options] pythonpath")]


def test_src_layout_and_package_bases():
    idx = index({
        "src/mypkg/__init__.py": "",
        "src/mypkg/models.py": "",
        "tests/test_models.py": "from mypkg.models import User\n",
        "services/api/app/__init__.py": "",
        "services/api/app/models.py": "",
        "services/api/tests/test_app.py": "from app.models import X\n",
        "scripts/seed.py": "from app.models import X\n",
    })
    assert idx.resolve_module("tests/test_models.py", "mypkg.models") == "src/mypkg/models.py"
    assert idx.resolve_module("services/api/tests/test_app.py", "app.models") == \
        "services/api/app/models.py"
    # a package base is a root for the files under it only
    assert idx.resolve_module("scripts/seed.py", "app.models") is None


def test_regular_package_beats_a_namespace_portion_of_an_earlier_root():
    idx = index({
        "tools/x.py": "import helpers\n",
        "tools/helpers/readme.py": "",  # no __init__: a namespace portion
        "tools/helpers.py": "",
    })
    assert idx.resolve_module("tools/x.py", "helpers") == "tools/helpers.py"


def test_environment_trees_are_skipped(tmp_path):
    (tmp_path / "myenv").mkdir()
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr\n")
    paths = [
        "app/models.py",
        "venv/Lib/site-packages/flask/__init__.py", "venv/Scripts/activate_this.py",
        ".venv/lib/python3.11/site-packages/six.py",
        "tools/py/lib/python3.12/site-packages/x/y.py", "tools/py/bin/z.py",
        "web/node_modules/node-gyp/gyp/pylib/gyp/__init__.py",
        "myenv/anything.py",
        "config/env/__init__.py", "config/env/settings.py",  # a real package named env
    ]
    kept, skipped = skip_environments(paths, tmp_path)
    assert kept == ["app/models.py", "config/env/__init__.py", "config/env/settings.py"]
    assert [(s.path, s.files) for s in skipped] == [
        (".venv/", 1), ("myenv/", 1), ("tools/py/", 2), ("venv/", 2), ("web/node_modules/", 1)]


def test_archive_folders_are_scanned_but_never_dependents_of_live_sources():
    idx = index({
        "app/models.py": "class User: pass\n",
        "app/run.py": "from models import User\n",
        "old/models.py": "class User: pass\n",
        "old/run.py": "from models import User\n",
        "backup_2022/app/run.py": "from app.models import User\n",  # imports the live code
    })
    why = "named like an archive; no root declares it and no file outside it imports it"
    # backup_2022/ imports the live code, but nothing outside imports it: listed too
    assert idx.not_imported() == (("backup_2022/", why), ("old/", why))
    assert idx.resolve_module("old/run.py", "models") == "old/models.py"
    assert idx.is_not_imported("old/run.py") and not idx.is_not_imported("app/run.py")
    # not listed once a file outside imports it ...
    idx2 = index({"app/run.py": "from old.tools import x\n", "old/tools.py": "x = 1\n"})
    assert idx2.not_imported() == ()
    # ... or a root declares it
    layout = Layout((Root("old/tools", "sys-path", "conftest.py:3 sys.path.insert"),))
    idx3 = index({"old/tools/run.py": "import helpers\n", "old/tools/helpers.py": ""}, layout)
    assert idx3.not_imported() == ()
    # (an archived script that puts its own folder on sys.path declares nothing)
    own = Layout((Root("old/tools", "sys-path", "old/tools/run.py:2 sys.path.insert", "old/tools"),))
    idx4 = index({"old/tools/run.py": "import helpers\n", "old/tools/helpers.py": ""}, own)
    assert [f for f, _ in idx4.not_imported()] == ["old/"]


def test_an_archive_importing_live_sources_is_no_dependent(make_repo, run):
    repo = make_repo({
        "models.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n\n"
                     "class User(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
        "app.py": "from models import User\n",
        "attic/report.py": "from models import User\n",
    })
    data = run("scan", "--repo", str(repo), "--json").json()
    assert [d["path"] for d in data["dependents"]] == ["app.py"]
    assert [n["path"] for n in data["not_imported"]] == ["attic/"]


class _NoScan(dict):
    """A path table that refuses to be walked: resolution may only probe it."""

    def __iter__(self):
        raise AssertionError("resolution walked every path")

    def keys(self):
        raise AssertionError("resolution walked every path")

    def items(self):
        raise AssertionError("resolution walked every path")

    def values(self):
        raise AssertionError("resolution walked every path")


def test_resolution_is_probes_not_scans():
    files = {f"app/m{i}.py": f"from app import m{i + 1}\nimport app.m{i}\n" for i in range(50)}
    files |= {"app/__init__.py": "", "ns/deep/leaf.py": "", "tests/t.py": "import redis.client\n"}
    idx = index(files)
    idx.by_path = _NoScan(idx.by_path)
    for path in ("app/m3.py", "tests/t.py"):
        assert idx.resolve_module(path, "app.m7") == "app/m7.py"
        assert idx.submodule("app/__init__.py", "m9") == "app/m9.py"
        assert idx.resolve_module(path, "ns.deep") == "ns/deep/"
        assert idx.resolve_module("ns/deep/leaf.py", "..deep", 2) == "ns/deep/"
        assert idx.resolve_module(path, "redis.client") is None
        assert not idx.local_top_level("redis", path)
    assert idx.submodule("ns/", "deep") == "ns/deep/"


def test_a_focused_scan_finds_the_same_roots_as_a_full_one(make_repo):
    from unify.inventory import build_inventory
    from unify.scan import scan

    repo = make_repo({
        "shop/__init__.py": "",
        "shop/models.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n\n"
                          "class Order(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
        "shop/common/__init__.py": "",
        "shop/common/redis.py": "import redis\n\nRedis = redis.Redis\n",  # a wrapper
        "shop/common/cache.py": "from redis import Redis\nfrom shop.models import Order\n",
    })
    full = build_inventory(scan(repo))
    focused = build_inventory(scan(repo, focus=True))
    assert [r.kind for r in full.roots] == ["repository"]
    assert focused.roots == full.roots
    assert focused.dependents == full.dependents


def test_module_names_under_the_roots():
    roots = [Root("", "repository", ""), Root("src", "src-layout", ""),
             Root("src/backend", "script-folder", "", "src/backend")]
    assert module_names("src/backend/models.py", roots) == [
        "models", "backend.models", "src.backend.models"]
    # a package __init__.py directly in a root has no name there (issue 12: never a target)
    assert module_names("src/backend/__init__.py", roots) == ["backend", "src.backend"]
    assert module_names("archives/2023-q3/models.py", roots) == []
    assert module_names("__init__.py", roots) == []
