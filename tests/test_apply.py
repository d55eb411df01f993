"""End to end: a corpus case in a fresh git repository, check -> plan -> apply.

Each case is applied once (module-scoped fixture) and then examined: commits and
trailers, the user's branch untouched, untouched files byte-identical, line
endings, comments and encodings kept, the app importing with its mappers
configured, verification passing, and a second apply changing nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
from io import BytesIO
from pathlib import Path

import pytest

from conftest import CORPUS, commit_all, git, init_repo
from unify.cli import main

CASES = ["seqpt_like", "package_models", "typed_sqla2"]
DECISIONS = {"seqpt_like": ('to = "?"', 'to = "role_cluster.id"')}  # the case needing a person


def cli(capsys, *args: str):
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    """case -> (repo, base sha, apply JSON); each case applied once for the module."""
    cache = {}

    def get(case: str):
        if case in cache:
            return cache[case]
        repo = tmp_path_factory.mktemp(case) / "repo"
        shutil.copytree(CORPUS / case, repo)
        init_repo(repo)
        commit_all(repo)
        base = git(repo, "rev-parse", "HEAD").strip()
        plan = repo / "plans" / "models.toml"
        code = main(["plan", "--repo", str(repo)])
        if case in DECISIONS:
            assert code == 1
            old, new = DECISIONS[case]
            plan.write_text(plan.read_text().replace(old, new))
        else:
            assert code == 0
        out = subprocess.run(
            [sys.executable, "-m", "unify", "apply", str(plan), "--repo", str(repo), "--json"],
            capture_output=True, text=True,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        cache[case] = (repo, base, json.loads(out.stdout))
        return cache[case]

    return get


@pytest.fixture(params=CASES)
def case(request, applied):
    return applied(request.param)


def show(repo: Path, rev: str, path: str) -> bytes:
    result = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True)
    return result.stdout


def changed(repo: Path, base: str) -> list[str]:
    return git(repo, "diff", "--name-only", base, "unify/models").split()


def test_one_commit_per_step_with_trailers(case):
    repo, base, result = case
    log = git(repo, "log", "--format=%H%n%B%x00", f"{base}..unify/models").split("\x00")
    bodies = [b.strip() for b in log if b.strip()][::-1]
    assert len(bodies) == 6
    names = ["target-module", "compat-module", "rewrite-imports", "retire-sources", "migration",
             "format"]
    plan_ids = set()
    for number, (body, name) in enumerate(zip(bodies, names), start=1):
        assert f"Unify-Step: {number}/6 {name}" in body
        plan_ids.add(re.search(r"Unify-Plan: (\w+)", body).group(1))
        assert f"Unify-Base: {base}" in body
    assert len(plan_ids) == 1
    assert [s["name"] for s in result["steps"]] == names


def test_users_branch_and_tree_untouched(case):
    repo, base, _ = case
    assert git(repo, "rev-parse", "HEAD").strip() == base
    assert git(repo, "branch", "--show-current").strip() == "main"
    status = git(repo, "status", "--porcelain").splitlines()
    assert all(line.startswith("?? plans/") for line in status), status
    assert git(repo, "worktree", "list").count("\n") == 1  # the temporary work tree is gone


def test_verification_passed(case):
    _, _, result = case
    checks = {c["name"]: c for c in result["verification"]["checks"]}
    assert set(checks) == {"compile", "no-stale-imports", "names-resolve", "runtime", "schema",
                           "nothing-lost", "runtime-importers"}
    assert all(c["ok"] for c in checks.values()), checks
    assert result["verification"]["ok"]


def test_only_touched_files_change(case):
    repo, base, result = case
    touched = {f for step in result["steps"] for f in step["files"]}
    assert set(changed(repo, base)) <= touched
    for path in git(repo, "ls-files").split():
        if path not in touched:
            assert show(repo, base, path) == show(repo, "unify/models", path), path


def test_line_endings_comments_and_encodings_kept(case):
    repo, base, result = case
    rewritten = result["steps"][2]["files"]
    assert rewritten, "the rewrite step changed nothing"
    for path in rewritten:
        before, after = show(repo, base, path), show(repo, "unify/models", path)
        assert (b"\r\n" in before) == (b"\r\n" in after), path
        if b"\r\n" in before:
            assert after.count(b"\n") == after.count(b"\r\n"), f"{path}: mixed line endings"
        assert before.startswith(b"\xef\xbb\xbf") == after.startswith(b"\xef\xbb\xbf"), path
        enc = tokenize.detect_encoding(BytesIO(before).readline)[0]
        assert tokenize.detect_encoding(BytesIO(after).readline)[0] == enc, path
        assert comments(before) <= comments(after), path


def comments(source: bytes) -> set[str]:
    tokens = tokenize.tokenize(BytesIO(source).readline)
    return {t.string.strip() for t in tokens if t.type == tokenize.COMMENT}


def test_no_import_of_retired_modules_left(case, capsys):
    repo, base, result = case
    clone = repo.parent / "checkout"
    if not clone.exists():
        git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(clone))
    code, out, _ = cli(capsys, "scan", "--repo", str(clone), "--json")
    data = json.loads(out)
    models = [m["path"] for m in data["model_modules"] if m["kind"] == "models"]
    reexports = {m["path"] for m in data["model_modules"] if m["kind"] == "re-export"}
    plan = tomllib.loads((repo / "plans" / "models.toml").read_text())
    assert models == [plan["target"]]  # one sectioned models module
    for site in data["dependents"]:
        assert site["target"] in reexports | {plan["target"]}, site
    for path in set(plan["sources"]) - {plan["target"]}:
        text = (clone / path).read_text()
        assert "DeprecationWarning" in text and "class " not in text  # a shim


def test_seqpt_app_imports_and_mappers_configure(applied):
    repo, base, _ = applied("seqpt_like")
    clone = repo.parent / "app-checkout"
    git(repo.parent, "clone", "-q", "-b", "unify/models", str(repo), str(clone))
    script = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        "import run\n"
        "from sqlalchemy.orm import configure_mappers\n"
        "with run.app.app_context():\n"
        "    configure_mappers()\n"
        "    from models import db\n"
        "    db.create_all()\n"
        "print('OK', len(db.metadata.tables))\n"
    )
    after = subprocess.run([sys.executable, "-c", script], cwd=clone, capture_output=True,
                           text=True, env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin"})
    assert after.returncode == 0, after.stderr[-2000:]
    assert after.stdout.startswith("OK")
    # ... and the base version of the same app does not get that far
    base_clone = repo.parent / "base-checkout"
    git(repo.parent, "clone", "-q", str(repo), str(base_clone))
    before = subprocess.run([sys.executable, "-c", script], cwd=base_clone,
                            capture_output=True, text=True,
                            env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin"})
    assert before.returncode != 0 and "FeatureFlag" in before.stderr


def test_second_apply_changes_nothing(case, capsys):
    repo, _, _ = case
    tip = git(repo, "rev-parse", "unify/models").strip()
    code, out, _ = cli(capsys, "apply", str(repo / "plans" / "models.toml"), "--repo", str(repo))
    assert code == 0 and "already applied" in out
    assert git(repo, "rev-parse", "unify/models").strip() == tip
    assert git(repo, "branch", "--list").split() == ["*", "main", "unify/models"]


def test_pr_description_written(case):
    repo, _, result = case
    text = Path(result["pr_description"]).read_text()
    for heading in ("## Steps", "## What moved where", "## Files touched", "## Verification",
                    "## Rollback"):
        assert heading in text
    assert "[ ]" not in text  # every verification box ticked


def test_crlf_and_latin1_files_were_really_rewritten(applied):
    """The hazards are exercised, not skipped: a CRLF file and a latin-1 file get rewritten."""
    repo, base, result = applied("package_models")
    crlf = "app/api/routes/chefs.py"
    assert crlf in result["steps"][2]["files"]
    after = show(repo, "unify/models", crlf)  # every line still CRLF (two imports became one)
    assert after.count(b"\r\n") == after.count(b"\n") and show(repo, base, crlf).count(b"\r\n")
    repo, base, result = applied("seqpt_like")
    latin = "app/learning_objectives_generator.py"
    assert latin in result["steps"][2]["files"]
    before, after = show(repo, base, latin), show(repo, "unify/models", latin)
    assert b"\xfc" in before and before.count(b"\xfc") == after.count(b"\xfc")
