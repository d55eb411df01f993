"""Issue 15, bad input: one line naming the file (and line) and what to do, exit 2
(1 for a refusal), nothing written; never an internal error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import SMALL_PROJECT, commit_all, git


def branches(repo) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname)", "refs/heads/").split()


@pytest.fixture
def project(make_repo, run):
    repo = make_repo(SMALL_PROJECT)
    assert run("plan", "--repo", str(repo)).code == 0
    plan = repo / "plans" / "models.toml"
    return repo, plan, plan.read_text()


def one_line(result) -> str:
    text = result.err.strip()
    assert result.code in (1, 2), (result.code, result.out, result.err)
    assert "\n" not in text and "internal error" not in text and "Traceback" not in text, text
    return text


# -- 12. wrong plan value types: a line number, like every plan error ----------


SECTION = '[[sections]]\ntitle = "User and related"\nmodels = ["User", "MVPUser"]\n'


@pytest.mark.parametrize("edits,needle", [
    ([('sources = ["models.py", "mvp_models.py"]', "sources = [1]")], "sources ="),
    ([('models = ["User", "MVPUser"]', "models = [1]")], "models ="),
    ([("[aliases]\n", ""), ('retire = "shim"', 'retire = "shim"\naliases = "x"')],
     "aliases ="),
    ([(SECTION, ""), ('retire = "shim"',
                      'retire = "shim"\nsections = [{models = ["User", "MVPUser"]}]')],
     "sections ="),
    ([('kind = "foreign_key"', "kind = 3")], "kind ="),
    ([("enabled = true", 'enabled = "yes"')], "enabled ="),
])
def test_wrong_value_types_are_problems_with_their_line(project, run, edits, needle):
    repo, plan, text = project
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    plan.write_text(text)
    number = next(i for i, line in enumerate(text.splitlines(), 1)
                  if line.startswith(needle))
    checked = run("plan", "--check", str(plan), "--repo", str(repo))
    assert checked.code == 1 and "internal error" not in checked.err, checked.err
    assert f"models.toml:{number}:" in checked.out, checked.out
    applied = run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q")
    assert f"models.toml:{number}:" in one_line(applied)
    assert branches(repo) == ["refs/heads/main"]


def test_unknown_plan_key_is_reported_with_the_nearest_known_key(project, run):
    repo, plan, text = project
    plan.write_text(text.replace('retire = "shim"', 'retire = "shim"\nretier = "delete"'))
    number = plan.read_text().splitlines().index('retier = "delete"') + 1
    checked = run("plan", "--check", str(plan), "--repo", str(repo))
    assert checked.code == 1
    assert f"models.toml:{number}: unknown key 'retier'" in checked.out
    assert "did you mean 'retire'" in checked.out


def test_a_plan_saved_with_a_bom_is_read(project, run):
    repo, plan, text = project
    plan.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    checked = run("plan", "--check", str(plan), "--repo", str(repo))
    assert checked.code == 0, checked.out + checked.err


def test_plan_check_is_linear_in_the_number_of_sections(tmp_path):
    """A complexity check, not a timing: 10x the sections may cost about 10x (loosely
    < 30x, best of three), never 100x; and 20,000 sections parse at all."""
    import time

    from unify import planfile, plancheck

    def cost(n: int) -> float:
        text = "".join(f'[[sections]]\ntitle = "S{i}"\nmodels = ["M{i}"]\n' for i in range(n))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            data = planfile.parse(text, tmp_path / "p.toml")
            lines = plancheck.Lines(text)
            plancheck.structure(data, lines)
            for i, header in enumerate(lines.headers("sections")):
                lines.value(f"M{i}", header)
            best = min(best, time.perf_counter() - start)
        return best

    assert cost(20_000) < 30 * cost(2_000)


# -- 12. other internal errors -------------------------------------------------------


def test_latin1_model_file_with_a_coding_cookie_keeps_its_bytes(make_repo, run):
    cookie = b"# -*- coding: latin-1 -*-\n"
    repo = make_repo({
        "models.py": cookie + textwrap.dedent('''
            from flask_sqlalchemy import SQLAlchemy
            db = SQLAlchemy()

            class User(db.Model):
                """Benutzer (M\xfcller)."""
                __tablename__ = "users"
                id = db.Column(db.Integer, primary_key=True)
        ''').encode("latin-1"),
        "mvp_models.py": SMALL_PROJECT["mvp_models.py"], "app.py": SMALL_PROJECT["app.py"],
    })
    assert run("plan", "--repo", str(repo)).code == 0
    result = run("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo),
                 "--no-verify", "-q")
    assert result.code == 0, result.err
    raw = subprocess.run(["git", "show", "unify/models:models.py"], cwd=repo,
                         capture_output=True, check=True).stdout
    # the cookie was honoured: the text is the same; the merged module is UTF-8 (no cookie)
    text = raw.decode("utf-8")
    assert "Benutzer (M\u00fcller)." in text
    assert "coding" not in "".join(text.splitlines(True)[:2])  # no cookie in effect: UTF-8
    compile(raw, "models.py", "exec")


def test_a_file_too_deep_for_the_parser_is_a_u001_finding(make_repo, run):
    deep = "x = " + "(" * 200 + "1" + ")" * 200 + "\n"
    deeper = "x = 1" + "+1" * 100_000 + "\n"  # RecursionError in ast construction
    deepest = "x = " + "-" * 100_000 + "1\n"  # MemoryError in the parser
    repo = make_repo({**SMALL_PROJECT, "deep.py": deep, "deeper.py": deeper,
                      "deepest.py": deepest})
    result = run("check", "--repo", str(repo), "--json")
    assert result.code == 1 and "internal error" not in result.err, result.err
    found = {(d["path"], d["code"]) for d in result.json()["diagnostics"]}
    assert ("deeper.py", "U001") in found and ("deepest.py", "U001") in found


def test_a_malformed_step_trailer_is_ignored_with_a_warning(project, run):
    repo, _, _ = project
    git(repo, "commit", "-q", "--allow-empty", "-m",
        "odd\n\nUnify-Plan: abc\nUnify-Step: a/b\nUnify-Base: x\nUnify-Branch: y\n")
    status = run("status", "--repo", str(repo))
    assert status.code == 0 and "malformed Unify-Step" in status.err, status.err
    rolled = run("rollback", "--repo", str(repo))
    assert rolled.code == 1 and "internal error" not in rolled.err
    assert "nothing to roll back" in rolled.err.splitlines()[-1]


def test_rollback_refuses_a_branch_checked_out_in_another_work_tree(project, run, tmp_path):
    repo, plan, _ = project
    git(repo, "add", "-A")
    commit_all(repo, "plan")
    assert run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q").code == 0
    git(repo, "worktree", "add", "-q", str(tmp_path / "other"), "unify/models")
    result = run("rollback", "--repo", str(repo))
    assert "checked out in another work tree" in one_line(result)
    assert "refs/heads/unify/models" in branches(repo)
    assert git(repo, "for-each-ref", "refs/unify/backup/") == ""


def test_rollback_refuses_while_index_lock_exists(project, run):
    repo, plan, _ = project
    git(repo, "add", "-A")
    commit_all(repo, "plan")
    assert run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q").code == 0
    (repo / ".git" / "index.lock").write_text("")
    result = run("rollback", "--repo", str(repo))
    assert "index.lock" in one_line(result)
    assert git(repo, "for-each-ref", "refs/unify/backup/") == ""
    assert "refs/heads/unify/models" in branches(repo)


@pytest.mark.parametrize("where", ["dir", "under-file", "read-only"])
def test_plan_output_that_cannot_be_written_is_one_line(make_repo, run, where, tmp_path):
    repo = make_repo(SMALL_PROJECT)
    if where == "dir":
        target = tmp_path / "adir"
        target.mkdir()
    elif where == "under-file":
        target = repo / "README" / "plan.toml"
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "plan.toml"
        if os.access(folder, os.W_OK):  # root ignores the mode
            pytest.skip("running as root: cannot make a read-only folder")
    result = run("plan", "--repo", str(repo), "-o", str(target), "--force")
    assert result.code == 2 and str(target) in one_line(result)


def test_demo_dir_that_is_a_file_is_one_line(tmp_path, run):
    file = tmp_path / "afile"
    file.write_text("x")
    result = run("demo", "--dir", str(file))
    assert result.code == 2 and "afile" in one_line(result)


def test_crash_handler_survives_a_file_size_limit(monkeypatch, run):
    import tempfile

    from unify import api

    def boom(*args, **kwargs):
        raise RuntimeError("boom at postgresql://u:S3cret@h/db")

    def full(*args, **kwargs):
        raise OSError(27, "File too large")

    monkeypatch.setattr(api, "repo_status", boom)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full)
    result = run("status")
    assert result.code == 3 and result.err.count("\n") == 1
    assert "boom" in result.err and "S3cret" not in result.err


# -- 13. non-ASCII paths ---------------------------------------------------------------


def test_non_ascii_file_names_are_tracked_files(make_repo, run):
    repo = make_repo({
        "modèles.py": SMALL_PROJECT["models.py"],
        "mvp_models.py": SMALL_PROJECT["mvp_models.py"].replace("from models", "from modèles"),
        "app.py": "from mvp_models import MVPUser\n",
    })
    assert run("plan", "--repo", str(repo)).code == 0
    result = run("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo),
                 "--no-verify", "-q")
    assert result.code == 0, result.err


# -- 14. sparse checkout -----------------------------------------------------------------


def test_sparse_checkout_is_refused(project, run):
    repo, plan, _ = project
    git(repo, "add", "-A")
    commit_all(repo, "plan")
    git(repo, "sparse-checkout", "set", "--no-cone", "/*.py", "/plans/")
    result = run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q")
    assert "sparse checkout" in one_line(result)
    assert branches(repo) == ["refs/heads/main"]


# -- 15. git's and click's multi-line messages -------------------------------------


def test_click_usage_errors_are_one_line(run):
    result = run("apply")
    assert result.code == 2 and "PLAN" in one_line(result) and "--help" in result.err


def test_git_multi_line_errors_are_one_line():
    import git as gitpython

    from unify.gitops import one_line as first_line

    exc = gitpython.GitCommandError(["git", "commit"], 128,
                                    stderr="error: gpg failed to sign the data\n"
                                           "fatal: failed to write commit object\n")
    assert first_line(exc) == "error: gpg failed to sign the data"
