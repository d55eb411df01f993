"""The fast paths (prefilter, cache, process pools) change speed, never results.

Counted, not timed: ``ScanResult.stats`` says how many files a scan parsed,
read from the cache or skipped. Timing lives in ``bench/`` (not run here).
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

import unify.apply
import unify.classify
import unify.scan
from conftest import CORPUS, ROOT, commit_all, git
from unify import api
from unify.inventory import Inventory, build_inventory
from unify.scan import _contains, scan

# Reported only for the files a focused scan reads (a file never read cannot
# show a syntax error); everything else must be identical.
PARTIAL = ("parse_errors", "unresolved")


@pytest.fixture(autouse=True)
def no_cache(monkeypatch):
    """Tests start without a cache; the cache tests turn it back on."""
    monkeypatch.setenv("UNIFY_CACHE", "0")


def assert_same(complete: Inventory, focused: Inventory) -> None:
    for field in fields(Inventory):
        want, got = getattr(complete, field.name), getattr(focused, field.name)
        if field.name in PARTIAL:
            assert set(got) <= set(want), field.name
        else:
            assert got == want, field.name


def both(repo: Path, scope: str = ""):
    complete, focused = scan(repo, scope), scan(repo, scope, focus=True)
    assert complete.stats.skipped == 0 and complete.stats.parsed == complete.stats.files
    return build_inventory(complete), build_inventory(focused), focused


# -- the prefilter ---------------------------------------------------------------------

CASES = sorted(p.name[: -len(".expected.toml")] for p in CORPUS.glob("*.expected.toml"))


@pytest.mark.parametrize("case", CASES)
def test_focused_scan_finds_what_a_full_scan_finds_in_every_corpus_case(case, corpus_repo):
    complete, focused, _ = both(corpus_repo(case))
    assert complete.models
    assert_same(complete, focused)


TRICKY = {
    # db comes from a file without a single model marker, through an alias
    "ext.py": "from flask_sqlalchemy import SQLAlchemy as Ext\n",
    "database.py": "from ext import Ext\n\ndb = Ext()\n",
    # a mixin and a star-imported enum in files that never mention the ORM
    "stamps.py": "from sqlalchemy import Column, DateTime\n\n\nclass Stamped:\n"
                 "    created = Column(DateTime)\n",
    "enums.py": "import enum\n\n\nclass Status(enum.Enum):\n    OPEN = 1\n",
    "models.py": "from database import db\nfrom stamps import Stamped\nfrom enums import *\n\n\n"
                 "class User(Stamped, db.Model):\n    __tablename__ = 'users'\n"
                 "    id = db.Column(db.Integer, primary_key=True)\n",
    # a model two imports away from any model module, and one more behind it
    "service.py": "from models import User\n\n\ndef get(i):\n    return User.query.get(i)\n",
    "admin.py": "from service import User\n\n\nclass Admin(User):\n    level = 1\n",
    "reports.py": "from admin import Admin\n\n\nclass AdminReport(Admin):\n    pass\n",
    # a model behind a module alias
    "svc2.py": "import models as m\n",
    "derived.py": "from svc2 import m\n\n\nclass Guest(m.User):\n    pass\n",
    # declarative bases defined, and used, in files without a model marker
    "bases.py": "from sqlalchemy.orm import DeclarativeBase as DB\n",
    "mybase.py": "from bases import DB\n\n\nclass Base(DB):\n    pass\n",
    "things.py": "from sqlalchemy import Column, Integer\nfrom mybase import Base\n\n\n"
                 "class Thing(Base):\n    __tablename__ = 'things'\n"
                 "    id = Column(Integer, primary_key=True)\n",
    "base3.py": "from sqlalchemy.orm import declarative_base\n\nBase3 = declarative_base()\n",
    "t3.py": "from sqlalchemy import Column, Integer\nfrom base3 import Base3\n\n\n"
             "class T3(Base3):\n    __tablename__ = 't3'\n"
             "    id = Column(Integer, primary_key=True)\n",
    "base4.py": "from base3 import Base3\n",
    "t4.py": "from sqlalchemy import Column, Integer\nfrom base4 import Base3\n\n\n"
             "class T4(Base3):\n    __tablename__ = 't4'\n"
             "    id = Column(Integer, primary_key=True)\n",
    # re-exports reached only by relative imports
    "pkg/__init__.py": "from models import User\n",
    "pkg/api/__init__.py": "from .. import User\n",
    "pkg/api/views.py": "from . import User\n\n\ndef show():\n    return User\n",
    # dependents of every kind; a name that exists only through a star import
    "consumer.py": "from models import Status, User\n",
    "lazy.py": "def f():\n    from models import User\n    return User\n",
    "dyn.py": "import importlib\n\nM = importlib.import_module('models')\n",
    # facts recorded for any file
    "strings.py": "from sqlalchemy.orm import relationship\n\nr = relationship('Ghost')\n",
    "tables.py": "from sqlalchemy import MetaData, Table\n\nt = Table('audit', MetaData())\n",
    "sqlm.py": "from sqlmodel import Field, SQLModel\n\n\nclass Hero(SQLModel, table=True):\n"
               "    id: int = Field(primary_key=True)\n",
    # unrelated: skipped (the two broken ones are reported by a full scan only)
    "broken.py": "print 'hello'\n",
    "gone.py": "from utils.gone import x\n",
    "utils/__init__.py": "",
    "utils/text.py": "def slug(s):\n    return s.lower()\n",
    "noise.py": "# the word models in a comment: read for nothing, harmless\nx = 1\n",
    "schemas.py": "from pydantic import BaseModel\n\n\nclass UserOut(BaseModel):\n    id: int\n",
}


def test_focused_scan_follows_every_way_a_file_can_matter(make_repo):
    complete, focused, result = both(make_repo(TRICKY))
    models = {f"{m.path}:{m.name}" for m in complete.models}
    assert {"models.py:User", "admin.py:Admin", "reports.py:AdminReport", "derived.py:Guest",
            "sqlm.py:Hero", "things.py:Thing", "t3.py:T3",
            "t4.py:T4"} <= models
    user = next(m for m in complete.models if m.name == "User")
    assert "created" in {c.name for c in user.columns}
    assert {"pkg/__init__.py", "pkg/api/__init__.py"} <= set(complete.reexport_modules)
    assert "pkg/api/views.py" in complete.dependent_files
    assert {p.path for p in complete.parse_errors} == {"broken.py"}
    assert {u.path for u in complete.unresolved} == {"gone.py"}
    assert_same(complete, focused)
    assert not focused.parse_errors and not focused.unresolved
    assert result.stats.skipped == 5  # broken, gone, schemas, utils/__init__, utils/text
    assert result.modules[[m.path for m in result.modules].index("utils/text.py")].imports == ()


def test_an_unread_file_cannot_shadow_a_model_module(make_repo):
    repo = make_repo({
        "models.py": "print 'python 2, and not a model'\n",
        "app/__init__.py": "",
        "app/models.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
                         "class User(db.Model):\n"
                         "    id = db.Column(db.Integer, primary_key=True)\n",
        "app/views.py": "from models import User\n",
        "app/routes.py": "from app import models\n",
    })
    complete, focused, _ = both(repo)
    assert complete.dependent_files == ("app/routes.py", "app/views.py")
    assert_same(complete, focused)


def test_focused_scan_within_a_scope(make_repo):
    complete, focused, _ = both(make_repo(TRICKY), "pkg")
    assert_same(complete, focused)


def test_watched_module_names_are_read(make_repo):
    repo = make_repo({"a.py": "import old_models\n", "b.py": "x = 1\n"})
    assert scan(repo, focus=True).stats.parsed == 0
    result = scan(repo, focus=True, watch=["pkg.old_models"])
    assert result.stats.parsed == 1
    assert result.modules[0].imports[0].module == "old_models"


def test_word_search_matches_whole_identifiers_only(make_repo):
    texts = {
        "a.py": "x = mvp_models; import models\n",  # a later whole word counts
        "b.py": "mvp_models_x = 1\n",
        "c.py": "import json\nfoo_models.baz\n",
        "d.py": "from .models import User\n",
        "e.py": "print('models')\n",
    }
    repo = make_repo(texts)
    found = unify.scan.grep_files(repo, ["models", "zzz"], "", word=True)
    assert found == {"a.py", "d.py", "e.py"}
    assert {p for p, t in texts.items() if _contains(t.encode(), ["models", "zzz"], True)} == found
    assert unify.scan.grep_files(repo, ["models"], "", word=False) == set(texts)


def test_without_git_grep_the_same_search_runs_in_python(make_repo, monkeypatch):
    repo = make_repo(TRICKY)
    expected = build_inventory(scan(repo, focus=True))
    monkeypatch.setattr(unify.scan, "grep_files", lambda *args, **kwargs: None)
    assert build_inventory(scan(repo, focus=True)) == expected


def test_generated_code_base(tmp_path):
    generate = _load_generator()
    summary = generate.generate(tmp_path / "gen", files=50, importers=0.2, seed=1)
    assert summary.files == 50 and summary.importers == 10
    repo = tmp_path / "gen"
    complete, focused, result = both(repo)
    assert complete.model_modules == tuple(f"{m.replace('.', '/')}.py" for m in
                                           sorted(generate.OLD_MODULES))
    assert len(complete.models) == sum(len(v) for v in generate.NAMES.values())
    assert len(complete.dependent_files) >= summary.importers
    assert_same(complete, focused)
    assert result.stats.skipped > 0


def _load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return sys.modules[spec.name]


# -- the cache ---------------------------------------------------------------------------


@pytest.fixture
def cached(monkeypatch):
    monkeypatch.setenv("UNIFY_CACHE", "1")


def test_a_second_scan_parses_nothing(make_repo, cached):
    repo = make_repo(TRICKY)
    first, second = scan(repo), scan(repo)
    assert first.stats.parsed == len(TRICKY) and first.stats.cached == 0
    assert second.stats.parsed == 0 and second.stats.cached == len(TRICKY)
    assert second.modules == first.modules
    focused = [scan(repo, focus=True) for _ in range(2)]
    assert focused[0].stats.parsed == 0  # every file it reads was cached by the full scan
    assert focused[1].stats.searches == 0 and focused[1].stats.parsed == 0
    assert focused[1].modules == focused[0].modules
    assert (repo / ".git" / "unify" / "facts.sqlite3").is_file()


def test_the_cache_never_changes_results(make_repo, cached, monkeypatch):
    repo = make_repo(TRICKY)
    warm = [build_inventory(scan(repo, focus=f)) for f in (False, True) for _ in range(2)]
    monkeypatch.setenv("UNIFY_CACHE", "0")
    cold = [build_inventory(scan(repo, focus=f)) for f in (False, True) for _ in range(2)]
    assert warm == cold


def test_edited_and_untracked_files_are_read_again(make_repo, cached):
    repo = make_repo(TRICKY)
    scan(repo)
    (repo / "utils" / "text.py").write_text(
        "from models import db\n\n\nclass Note(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n", encoding="utf-8")
    (repo / "extra.py").write_text("from models import User\n", encoding="utf-8")
    for focus in (False, True):
        result = scan(repo, focus=focus)
        inv = build_inventory(result)
        assert "utils/text.py:Note" in {f"{m.path}:{m.name}" for m in inv.models}
        assert "extra.py" in inv.dependent_files
    assert scan(repo).stats.parsed == 0  # edited bytes are keyed by their own hash


def test_work_trees_share_the_cache(make_repo, cached, tmp_path):
    repo = make_repo(TRICKY)
    scan(repo)
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "other")
    result = scan(tmp_path / "wt")
    assert result.stats.parsed == 0 and result.stats.cached == len(TRICKY)
    assert not (tmp_path / "wt" / ".git").is_dir()  # a file pointing at the shared folder


def test_a_broken_cache_is_ignored(make_repo, cached):
    repo = make_repo(TRICKY)
    expected = scan(repo).modules
    store = repo / ".git" / "unify" / "facts.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(str(store) + suffix).unlink(missing_ok=True)
    store.write_bytes(b"this is not a database")
    assert scan(repo).modules == expected


def test_a_second_plan_parses_nothing(make_repo, cached, run, monkeypatch):
    repo = make_repo(TRICKY)
    calls = []
    real = unify.scan.extract
    monkeypatch.setattr(unify.scan, "extract",
                        lambda path, source: calls.append(path) or real(path, source))
    first = run("plan", "--repo", str(repo), "-o", str(repo / "one.toml"))
    assert first.code in (0, 1), first.err
    assert calls
    calls.clear()
    second = run("plan", "--repo", str(repo), "-o", str(repo / "two.toml"))
    assert second.code == first.code
    assert calls == []
    assert (repo / "one.toml").read_text() == (repo / "two.toml").read_text()


# -- process pools --------------------------------------------------------------------------


def test_parallel_parsing_gives_the_same_facts_in_the_same_order(make_repo, monkeypatch):
    repo = make_repo(TRICKY)
    monkeypatch.setattr(unify.scan, "PARALLEL_MIN", 2)
    one, two = scan(repo, jobs=1), scan(repo, jobs=2)
    assert two.stats.jobs == 2 and one.stats.jobs == 1
    assert one.modules == two.modules
    assert build_inventory(scan(repo, focus=True, jobs=2)) == build_inventory(
        scan(repo, focus=True, jobs=1))


def test_parallel_rewrite_gives_the_same_branch(tmp_path, monkeypatch):
    generate = _load_generator()
    repo = tmp_path / "gen"
    generate.generate(repo, files=60, importers=0.4, seed=2)
    api.make_plan(repo=str(repo))
    commit_all(repo, "plan")
    monkeypatch.setattr(unify.apply, "REWRITE_PARALLEL_MIN", 2)
    results = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("UNIFY_JOBS", jobs)
        results.append(api.apply_plan(str(repo / "plans" / "models.toml"), "unify/x",
                                      repo=str(repo), dry_run=True, run_verify=False))
    sequential, parallel = results
    rewrite = [s for s in sequential.steps if s.name == "rewrite-imports"][0]
    assert len(rewrite.files) > 10
    assert parallel.diffs == sequential.diffs
    assert parallel.notes == sequential.notes
    assert [s.files for s in parallel.steps] == [s.files for s in sequential.steps]
    shutil.rmtree(repo)


# -- one scan per command, each file parsed once (counts, not times) ----------------------

FLASK_PACKAGE = {
    # the Flask idiom: the package itself holds db, and every file imports it from there
    "app/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "app/stamps.py": "from app import db\n\n\nclass Stamped:\n    created = db.Column(db.DateTime)\n",
    "app/models.py": "from app import db\nfrom app.stamps import Stamped\n\n\n"
                     "class User(Stamped, db.Model):\n"
                     "    id = db.Column(db.Integer, primary_key=True)\n",
    "app/users.py": "from app.models import User\n\n\ndef get(i):\n    return User.query.get(i)\n",
    "app/rel.py": "from . import db\nfrom .models import User\n",
    **{f"app/views/v{i}.py": f"from app import db\n\n\ndef view_{i}():\n    return db.session\n"
       for i in range(12)},
    **{f"app/views/r{i}.py": f"from .. import db\n\n\ndef rel_{i}():\n    return db.session\n"
       for i in range(6)},
    "app/views/__init__.py": "",
}


def test_importers_of_a_package_that_holds_db_are_not_read(make_repo):
    complete, focused, result = both(make_repo(FLASK_PACKAGE))
    assert {m.name for m in complete.models} == {"User"}
    assert "created" in {c.name for c in complete.models[0].columns}
    assert set(complete.dependent_files) == {"app/users.py", "app/rel.py"}
    assert_same(complete, focused)
    views = [m.path for m in result.modules if m.path.startswith("app/views/v")
             or m.path.startswith("app/views/r")]
    assert len(views) == 18
    read = {m.path for m in result.modules if m.imports}
    assert not read & set(views)  # 18 files that only use db.session: never read


SHAPES = ("extensions", "package-init", "deep", "wide", "heavy")


@pytest.mark.parametrize("shape", SHAPES)
def test_every_generated_shape_scans_the_same_focused_or_not(tmp_path, shape):
    generate = _load_generator()
    summary = generate.generate(tmp_path / "gen", files=120, seed=3, shape=shape)
    assert summary.files == 120
    complete, focused, result = both(tmp_path / "gen")
    assert len(complete.models) == sum(len(v) for v in generate.NAMES.values())
    assert len(complete.dependent_files) >= summary.importers
    assert_same(complete, focused)
    # the unrelated files are skipped, whatever the shape (in package-init they all import db)
    assert result.stats.skipped >= summary.unrelated * 0.9


def counted(monkeypatch):
    """Counts of scans and of parses: ast.parse of whole files by content, and of
    expressions (mode="eval") by caller module and text."""
    import ast

    counts = {"scans": 0, "files": {}, "expressions": {}}
    real_parse, real_scan = ast.parse, unify.scan.scan

    def parse(source, filename="<unknown>", mode="exec", **kwargs):
        if mode == "eval":
            key = (Path(sys._getframe(1).f_code.co_filename).name, source)
            counts["expressions"][key] = counts["expressions"].get(key, 0) + 1
        else:
            data = source.encode() if isinstance(source, str) else bytes(source)
            key = hashlib.sha1(data).hexdigest()
            counts["files"][key] = counts["files"].get(key, 0) + 1
        return real_parse(source, filename, mode, **kwargs)

    def scan(*args, **kwargs):
        counts["scans"] += 1
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    monkeypatch.setattr(unify.scan, "scan", scan)  # api imports it from here when it runs
    monkeypatch.setattr(unify.apply, "scan", scan)
    return counts


@pytest.mark.parametrize("cache", ["1", "0"])
def test_apply_scans_once_and_parses_each_file_once(tmp_path, monkeypatch, cache):
    generate = _load_generator()
    repo = tmp_path / "gen"
    summary = generate.generate(repo, files=150, seed=4, shape="package-init")
    monkeypatch.setenv("UNIFY_JOBS", "1")  # every parse in this process, where it is counted
    monkeypatch.setenv("UNIFY_CACHE", cache)
    api.make_plan(repo=str(repo))
    commit_all(repo, "plan")
    counts = counted(monkeypatch)
    unify.classify._expression.cache_clear()  # what the plan left: counted from nothing
    result = api.apply_plan(str(repo / "plans" / "models.toml"), "unify/x", repo=str(repo))
    assert result.verification.ok, [c for c in result.verification.checks if not c.ok]
    assert counts["scans"] == 1  # the plan check's; context and verification derive from it
    # no content is parsed twice (the written files are new contents, parsed once each)
    # whole files (not the statements the merge parses): every content of the tree, before
    # and after the steps, is parsed at most once; a written file is a new content
    contents = {}
    for path in git(repo, "ls-files", "*.py").split():
        contents[path] = (repo / path).read_bytes()
    for step in result.steps:
        for path in step.files:
            if path.endswith(".py") and path in git(repo, "ls-tree", "-r", "--name-only",
                                                    "unify/x").split():
                contents["after:" + path] = subprocess.run(
                    ["git", "show", f"unify/x:{path}"], cwd=repo, capture_output=True,
                    check=True).stdout
    keys = {hashlib.sha1(data).hexdigest() for data in contents.values()}
    files = {k: n for k, n in counts["files"].items() if k in keys}
    rewritten = next(s for s in result.steps if s.name == "rewrite-imports").files
    # without the facts cache, a rewritten file's old bytes are parsed for their facts
    # and again by the rewrite (another process may do it: it keeps no tree)
    again = {hashlib.sha1(contents[p]).hexdigest() for p in rewritten} if cache == "0" else set()
    # the merge and the nothing-lost check read the sources, the target, the compat module,
    # the shims and what the sources import again (they compare code): a handful of
    # files whatever the size of the repository. Every other content is parsed once.
    rewritten_keys = {hashlib.sha1(contents[p]).hexdigest() for p in rewritten}
    assert files and all(files.get(k, 0) <= (2 if cache == "0" else 1) for k in rewritten_keys)
    repeated = [k for k, n in files.items() if n > 1 and k not in again]
    assert len(repeated) <= 12 and all(files[k] <= 4 for k in repeated)
    limit = 2 * len(rewritten) + 40 if cache == "1" else summary.files + 2 * len(rewritten) + 40
    assert sum(files.values()) <= limit
    # the classifier parses an expression (db's `SQLAlchemy()`...) once, not per importer
    # (resolve.py's own parse of assigned values: issue 14's resolution bullet, not here)
    classify = {text: n for (where, text), n in counts["expressions"].items()
                if where == "classify.py"}
    assert classify and max(classify.values()) == 1


def test_an_untracked_file_makes_apply_scan_the_work_tree_itself(tmp_path, monkeypatch):
    generate = _load_generator()
    repo = tmp_path / "gen"
    generate.generate(repo, files=60, seed=5)
    monkeypatch.setenv("UNIFY_JOBS", "1")
    api.make_plan(repo=str(repo))
    commit_all(repo, "plan")
    # not in HEAD, so not in apply's checkout: the plan check's scan is not the work tree's
    (repo / "app" / "scratch.py").write_text("from app.data.models import User\n")
    counts = counted(monkeypatch)
    result = api.apply_plan(str(repo / "plans" / "models.toml"), "unify/x", repo=str(repo))
    assert result.verification.ok
    assert counts["scans"] == 2
    assert all("app/scratch.py" not in s.files for s in result.steps)
