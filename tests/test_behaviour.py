"""Behaviour preserved (issue 16): each corpus case carries its own small test suite,
which must pass after `unify plan [PATH]` + `unify apply` exactly as it did before.

The project's suite runs in a subprocess with this interpreter (the repo's venv, which
has SQLAlchemy and Flask-SQLAlchemy), from the case's root, the way its developers run it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import CORPUS, commit_all, git, init_repo
from unify.cli import main


def project_suite(repo: Path) -> tuple[str, str]:
    """("N passed", full output) of the project's own pytest run."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
         "ignore::DeprecationWarning"],
        cwd=repo, capture_output=True, text=True, timeout=300,
    )
    last = (done.stdout.strip().splitlines() or [""])[-1]
    summary = re.sub(r" in [\d.]+s.*", "", last.strip("= "))
    return summary, done.stdout + done.stderr


def fresh(tmp_path: Path, case: str) -> tuple[Path, str]:
    repo = tmp_path / case
    shutil.copytree(CORPUS / case, repo)
    init_repo(repo)
    commit_all(repo)
    return repo, git(repo, "rev-parse", "HEAD").strip()


def plan_and_apply(repo: Path, *paths: str) -> tuple[str, dict]:
    """Plan with defaults (PATH as given), apply in a subprocess; (plan text, apply JSON)."""
    plan = repo / "plans" / "models.toml"
    code = main(["plan", *paths, "--repo", str(repo), "-o", str(plan)])
    assert code == 0, plan.read_text() if plan.exists() else code
    out = subprocess.run(
        [sys.executable, "-m", "unify", "apply", str(plan), "--repo", str(repo), "--json"],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return plan.read_text(encoding="utf-8"), json.loads(out.stdout)


def dotted(path: str) -> str:
    return path[:-3].replace("/", ".").removesuffix(".__init__")


def imports_module(file: Path, module: str) -> bool:
    """Does the file name ``module`` in an import statement (or as ``module.X``)?"""
    text = file.read_text(encoding="utf-8")
    return re.search(rf"(?<![\w.]){re.escape(module)}(?![\w])", text) is not None


def checks(result: dict) -> dict[str, dict]:
    return {c["name"]: c for c in result["verification"]["checks"]}


def on_branch(repo: Path, branch: str = "unify/models") -> None:
    shutil.rmtree(repo / "plans", ignore_errors=True)
    git(repo, "checkout", "-q", branch)


def tracked_bytes(repo: Path) -> dict[str, bytes]:
    return {p: (repo / p).read_bytes() for p in git(repo, "ls-files").split()}


def rolled_back_identical(repo: Path, base_files: dict[str, bytes]) -> None:
    git(repo, "checkout", "-q", "main")
    assert main(["rollback", "--repo", str(repo)]) == 0
    assert tracked_bytes(repo) == base_files


# -- item 3: PATH narrows the models merged, never the importers rewritten -----------------


def test_importers_outside_path_are_rewritten(tmp_path):
    repo, base = fresh(tmp_path, "importers_outside_path")
    before, log = project_suite(repo)
    assert before == "4 passed", log
    base_files = tracked_bytes(repo)
    plan, result = plan_and_apply(repo, str(repo / "app"))
    assert 'scope = "app"' in plan
    parsed = tomllib.loads(plan)
    retired = [dotted(s) for s in parsed["sources"] if s != parsed["target"]]
    assert retired
    importers = ["tests/test_billing.py", "tasks/nightly.py", "migrations/env.py",
                 "app/service.py"]
    stale = {p: [m for m in retired if imports_module(repo / p, m)] for p in importers}
    assert any(stale.values())  # the case is worth running: importers outside app/ need work
    assert checks(result)["no-stale-imports"]["ok"], checks(result)["no-stale-imports"]
    on_branch(repo)
    for importer in importers:
        assert not [m for m in retired if imports_module(repo / importer, m)], (
            importer, (repo / importer).read_text(encoding="utf-8"))
    after, log = project_suite(repo)
    assert after == before, log
    rolled_back_identical(repo, base_files)


def test_stale_import_outside_path_fails_verification(tmp_path):
    """Verification over a tree whose importers were NOT rewritten: the check must name
    the importers in tests/, tasks/ and migrations/, not only those under PATH."""
    from unify import api
    from unify import apply as apply_steps
    from unify.planfile import read_text, to_plan, parse

    repo, base = fresh(tmp_path, "importers_outside_path")
    plan_path = repo / "plans" / "models.toml"
    assert main(["plan", str(repo / "app"), "--repo", str(repo), "-o", str(plan_path)]) == 0
    text = read_text(plan_path)
    plan = to_plan(parse(text, plan_path))
    ctx = apply_steps.build_context(plan, text, repo, base, "")
    verification = api._verification(ctx, repo, [], None, None)
    stale = next(c for c in verification.checks if c.name == "no-stale-imports")
    assert not stale.ok
    files = {item.split(":")[0] for item in stale.items}
    assert {"tests/test_billing.py", "migrations/env.py"} <= files, stale.items


# -- item 1: columns built by project helpers; unknown column sets -------------------------


def test_helper_columns_no_destructive_guess(tmp_path, run):
    repo, base = fresh(tmp_path, "helper_columns")
    before, log = project_suite(repo)
    assert before == "3 passed", log
    base_files = tracked_bytes(repo)
    scan = run("scan", "--repo", str(repo), "--json").json()
    models = {m["name"]: m for m in scan["models"]}
    fks = {c["name"]: c["foreign_key"] for c in models["Profile"]["columns"]}
    assert fks["user_id"] == "users.id"  # reference_col("users"), arguments substituted
    assert {c["name"]: c["foreign_key"] for c in models["Post"]["columns"]}["author_id"] \
        == "users.id"  # the mixin's @declared_attr, through reference_col
    assert models["Post"]["unknown"] and "search_column" in models["Post"]["unknown"][0]
    assert models["Profile"]["unknown"] == []
    check = run("check", "--repo", str(repo), "--json").json()
    codes = sorted(d["code"] for d in check["diagnostics"])
    assert codes == ["U105"], check["diagnostics"]
    plan, result = plan_and_apply(repo)
    fixes = tomllib.loads(plan)["fixes"]
    assert [(f["kind"], f["model"], f["to"], f["enabled"]) for f in fixes] == [
        ("column_type", "Post", "?", False)]
    assert "search_column" in plan and "column set is unknown" in plan
    assert not [f for f in fixes if f["kind"] in ("drop_relationship", "foreign_key")]
    assert all(c["ok"] for c in result["verification"]["checks"]), result["verification"]
    on_branch(repo)
    target = tomllib.loads(plan)["target"]
    assert 'editor_id = Column(db.String(36), db.ForeignKey("users.id"), nullable=True)' in \
        (repo / target).read_text(encoding="utf-8")  # the disabled fix changed nothing
    after, log = project_suite(repo)
    assert after == before, log
    rolled_back_identical(repo, base_files)


def test_unknown_column_set_turns_findings_into_notes(make_repo, run):
    """A relationship whose foreign key comes from a call unify cannot follow: the
    U204 becomes a U106 note naming the call, check exits 0 and the plan drops nothing."""
    repo = make_repo({
        "models.py": """
            from flask_sqlalchemy import SQLAlchemy
            from columns import fk_to
            db = SQLAlchemy()

            class User(db.Model):
                __tablename__ = "users"
                id = db.Column(db.Integer, primary_key=True)

            class Post(db.Model):
                __tablename__ = "posts"
                id = db.Column(db.Integer, primary_key=True)
                author_id = fk_to("users")
                author = db.relationship("User")
        """,
        "columns.py": """
            import functools
            fk_to = functools.partial(lambda t: None)
        """,
        "other_models.py": """
            from models import db

            class Tag(db.Model):
                __tablename__ = "tags"
                id = db.Column(db.Integer, primary_key=True)
        """,
    })
    check = run("check", "--repo", str(repo), "--json")
    assert check.code == 0, check.out
    notes = [d for d in check.json()["diagnostics"] if d["code"] == "U106"]
    assert [(n["subject"], n["severity"]) for n in notes] == [("Post.author", "note")]
    assert 'fk_to("users")' in notes[0]["message"] or "fk_to('users')" in notes[0]["message"]
    plan = run("plan", "--repo", str(repo), "-o", "-")
    assert plan.code == 0, plan.err
    assert "drop_relationship" not in plan.out


# -- item 2: uses of an old module through its parent package ------------------------------


def _verify_unrewritten(tmp_path, case: str, *plan_args: str):
    """Verification of the base tree against a plan: as if apply had rewritten nothing."""
    from unify import api
    from unify import apply as apply_steps
    from unify.planfile import parse, read_text, to_plan

    repo, base = fresh(tmp_path, case)
    plan_path = repo / "plans" / "models.toml"
    assert main(["plan", *plan_args, "--repo", str(repo), "-o", str(plan_path)]) == 0
    text = read_text(plan_path)
    plan = to_plan(parse(text, plan_path))
    ctx = apply_steps.build_context(plan, text, repo, base, "")
    verification = api._verification(ctx, repo, [], None, None)
    return next(c for c in verification.checks if c.name == "no-stale-imports")


def test_package_attribute_uses_are_import_sites(tmp_path, run):
    repo, _ = fresh(tmp_path, "package_attr_uses")
    scan = run("scan", "--repo", str(repo), "--json").json()
    uses = sorted((s["path"], s["line"], s["module"], s["names"][0][0])
                  for s in scan["dependents"] if s["form"] == "attribute")
    assert uses == [
        ("app/__init__.py", 26, "user.models", "User"),
        ("tests/test_accounts.py", 7, "accounts.models", "Token"),
        ("tests/test_accounts.py", 17, "user.models", "User"),
        ("tests/test_accounts.py", 21, "accounts.models", "Token"),
    ]


def test_stale_package_attribute_use_fails_verification(tmp_path):
    stale = _verify_unrewritten(tmp_path, "package_attr_uses", "--target", "app/models.py")
    assert not stale.ok
    assert any(item.startswith("tests/test_accounts.py:7:") for item in stale.items), stale.items
    assert any(item.startswith("app/__init__.py:26:") for item in stale.items), stale.items


@pytest.mark.parametrize("target", [None, "app/models.py"])
def test_package_attribute_uses_keep_working(tmp_path, target):
    """Whichever module is the target, `accounts.models.Token` (a test) and
    `user.models.User` (make_shell_context) keep working: their uses are rewritten."""
    repo, base = fresh(tmp_path, "package_attr_uses")
    before, log = project_suite(repo)
    assert before == "3 passed", log
    base_files = tracked_bytes(repo)
    plan, result = plan_and_apply(repo, *(["--target", target] if target else []))
    assert all(c["ok"] for c in result["verification"]["checks"]), result["verification"]
    on_branch(repo)
    retired = [dotted(s) for s in tomllib.loads(plan)["sources"]
               if s != tomllib.loads(plan)["target"]]
    shell = (repo / "app/__init__.py").read_text(encoding="utf-8")
    assert "user.models.User" not in shell or "app.user.models" not in retired
    after, log = project_suite(repo)
    assert after == before, log
    rolled_back_identical(repo, base_files)


# -- item 5: reviewable diffs ----------------------------------------------------------------


def class_sources(text: str) -> dict[str, str]:
    """Class name -> its source lines (decorators included), as written."""
    import ast

    lines = text.splitlines(keepends=True)
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            found[node.name] = "".join(lines[first - 1:node.end_lineno])
    return found


def black_clean(repo: Path, *files: str) -> bool:
    done = subprocess.run([sys.executable, "-m", "black", "--check", "-q", *files], cwd=repo,
                          capture_output=True)
    return done.returncode == 0


def test_non_black_project_moved_code_byte_identical(tmp_path):
    repo, base = fresh(tmp_path, "non_black")
    before, log = project_suite(repo)
    assert before == "2 passed", log
    base_files = tracked_bytes(repo)
    sources = {p: (repo / p).read_text(encoding="utf-8")
               for p in ("shop/catalog_models.py", "shop/order_models.py")}
    assert not black_clean(repo, *sources)  # the case is worth running: black would change them
    plan, result = plan_and_apply(repo)
    parsed = tomllib.loads(plan)
    pr = (repo / "plans" / "models.pr.md").read_text(encoding="utf-8")
    assert "--color-moved" in pr
    assert all(c["ok"] for c in result["verification"]["checks"]), result["verification"]
    on_branch(repo)
    target = (repo / parsed["target"]).read_text(encoding="utf-8")
    moved = {name: code for text in sources.values() for name, code in class_sources(text).items()}
    assert set(moved) == {"Category", "Product", "Order", "OrderLine"}
    for name, code in moved.items():
        assert code in target, name  # byte for byte: a pure move
    assert "STATUSES = ('new', 'paid', 'shipped')" in target
    assert black_clean(repo, parsed["compat"])  # what unify wrote itself is formatted
    after, log = project_suite(repo)
    assert after == before, log
    rolled_back_identical(repo, base_files)


def test_black_project_target_is_formatted(make_repo, run):
    repo = make_repo({
        "pyproject.toml": "[tool.black]\nline-length = 100\n",
        "models.py": """
            from flask_sqlalchemy import SQLAlchemy
            db = SQLAlchemy()

            class User(db.Model):
                __tablename__ = 'users'
                id = db.Column(db.Integer, primary_key = True)
        """,
        "mvp_models.py": """
            from models import db

            class Team(db.Model):
                __tablename__ = 'teams'
                id = db.Column(db.Integer, primary_key=True)
        """,
        "app.py": "from mvp_models import Team\n",
    })
    assert run("plan", "--repo", str(repo)).code == 0
    applied = run("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo),
                  "--no-verify")
    assert applied.code == 0, applied.err
    git(repo, "checkout", "-q", "unify/models")
    assert black_clean(repo, "models.py")
    assert "primary_key=True" in (repo / "models.py").read_text(encoding="utf-8")


# -- item 7: small ones ------------------------------------------------------------------------


def test_progress_prints_only_final_commits(make_repo):
    """Every commit hash a progress line prints is one the branch really has (the last
    step's commit is amended with Unify-Verified after verification)."""
    from conftest import SMALL_PROJECT
    from unify import api

    repo = make_repo(SMALL_PROJECT)
    assert main(["plan", "--repo", str(repo)]) == 0
    lines: list[str] = []
    result = api.apply_plan(str(repo / "plans" / "models.toml"), "unify/models", str(repo),
                            run_verify=False, progress=lines.append)
    printed = [m.group(1) for line in lines if (m := re.search(r"commit ([0-9a-f]{10})", line))]
    on_branch_commits = git(repo, "rev-list", "unify/models").split()
    assert len(printed) == len(result.steps)
    assert printed[-1] == result.steps[-1].commit[:10]
    for short in printed:
        assert any(c.startswith(short) for c in on_branch_commits), (short, lines)


def test_one_import_line_per_file_for_the_target(tmp_path):
    """app/service.py imported Account and Invoice from two model modules: after the
    rewrite it has one `from <target> import` line, not two."""
    repo, base = fresh(tmp_path, "importers_outside_path")
    plan, _ = plan_and_apply(repo, "--target", "app/models.py")
    on_branch(repo)
    for path in ("app/service.py", "tests/test_billing.py"):
        text = (repo / path).read_text(encoding="utf-8")
        assert text.count("from app.models import") == 1, text
    assert "from app.models import Account, Invoice\n" in (repo / "app/service.py").read_text()


def test_finalize_refuses_while_a_package_attribute_use_remains(tmp_path, run):
    repo, _ = fresh(tmp_path, "package_attr_uses")
    plan_and_apply(repo, "--target", "app/models.py")
    shutil.rmtree(repo / "plans")
    git(repo, "merge", "-q", "--ff-only", "unify/models")
    (repo / "tools.py").write_text(
        "from app.modules import accounts\n\n\ndef count():\n"
        "    return accounts.models.Token.query.count()\n", encoding="utf-8")
    commit_all(repo, "a new use of the old module through its package")
    result = run("finalize", "--repo", str(repo), "--json")
    assert result.code == 1, result.out + result.err
    assert "tools.py:5: uses accounts.models.Token through its package" in \
        result.json()["importers"]


def test_attribute_use_after_importing_the_module_itself_is_one_site(make_repo, run):
    repo = make_repo({
        "app/__init__.py": "",
        "app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
        "app/user/__init__.py": "",
        "app/user/models.py": """
            from app.extensions import db

            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "shell.py": "import app.user.models\nimport app.user\n\nUSER = app.user.models.User\n",
        "other.py": "import app.user\n\nUSER = app.user.models.User\n",
    })
    sites = run("scan", "--repo", str(repo), "--json").json()["dependents"]
    assert sorted((s["path"], s["line"], s["form"]) for s in sites) == [
        ("other.py", 3, "attribute"), ("shell.py", 1, "import")]


def test_package_importing_its_own_models_submodule_is_a_site(make_repo, run):
    """`from . import models` at the top of the package's own __init__ imports the
    submodule (the package's binding is that very import): a site, so it is rewritten
    and no-stale-imports does not trip over it after apply."""
    repo = make_repo({
        "app/__init__.py": "",
        "app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
        "app/user/__init__.py": "from . import models  # noqa: F401\n",
        "app/user/models.py": """
            from app.extensions import db

            class User(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "app/post/__init__.py": "",
        "app/post/models.py": """
            from app.extensions import db

            class Post(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
    })
    sites = run("scan", "--repo", str(repo), "--json").json()["dependents"]
    assert ("app/user/__init__.py", 1) in [(s["path"], s["line"]) for s in sites]
