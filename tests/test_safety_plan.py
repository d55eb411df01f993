"""Issue 15, plan side: a plan never runs code, never writes outside the repository,
never overwrites a file unify did not generate; `plan --check` rejects what apply
would, with the line; bad input is one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import SMALL_PROJECT, commit_all, git


def branches(repo) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname)", "refs/heads/").split()


@pytest.fixture
def project(make_repo, run):
    """(repo, plan path, plan text) of SMALL_PROJECT with its default plan."""
    repo = make_repo({**SMALL_PROJECT, "util.py": "def helper():\n    return 1\n"})
    assert run("plan", "--repo", str(repo)).code == 0
    plan = repo / "plans" / "models.toml"
    return repo, plan, plan.read_text()


def edited(project, old: str, new: str, commit: bool = False):
    repo, plan, text = project
    assert old in text, old
    plan.write_text(text.replace(old, new, 1))
    if commit:
        git(repo, "add", "-A")
        commit_all(repo, "the user's change")
    return repo, str(plan)


def line_of(plan: str, needle: str) -> int:
    for number, line in enumerate(open(plan, encoding="utf-8-sig"), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def check_and_apply(run, repo, plan, needle: str, message: str):
    """plan --check names the line holding ``needle``; apply refuses and creates nothing."""
    checked = run("plan", "--check", plan, "--repo", str(repo))
    assert checked.code in (1, 2), checked.out
    assert f":{line_of(plan, needle)}: " in checked.out + checked.err, checked.out + checked.err
    assert message in checked.out + checked.err, checked.out + checked.err
    applied = run("apply", plan, "--repo", str(repo), "--no-verify", "-q")
    assert applied.code in (1, 2) and applied.err.count("\n") == 1, applied.err
    assert branches(repo) == ["refs/heads/main"]


# -- 2. a plan never runs code -----------------------------------------------------


@pytest.mark.parametrize("old,new,needle,message", [
    ('title = "User and related"',
     '''title = \'\'\'Users"""+__import__("os").system("touch PWNED")+"""\'\'\'''',
     "title =", "title"),
    ('title = "User and related"', 'title = "Users\\nimport os"', "title =", "one line"),
    ('header = "Database initialization and shared helpers"', 'header = "a\\rb"',
     "header =", "one line"),
    ("[aliases]", '[aliases]\nclass = "User"', "class =", "keyword"),
    ("[aliases]", '[aliases]\nOldUser = "None"', "OldUser =", "keyword"),
    ('to = "users.id"', '''to = 'users.id")+__import__("os").system("touch PWNED")#\'''',
     "to = ", "to"),
])
def test_plan_strings_cannot_become_code(project, run, old, new, needle, message):
    repo, plan = edited(project, old, new)
    check_and_apply(run, repo, plan, needle, message)
    assert not (repo / "PWNED").exists()


def test_column_type_fix_must_be_a_type_expression(make_repo, run, tmp_path):
    from unify.plancheck import safe_expression

    assert safe_expression("String(120)") and safe_expression("db.Numeric(10, 2)")
    assert not safe_expression('__import__("os").system("x")')
    assert not safe_expression("String(120); import os")
    assert not safe_expression("(lambda: 1)()")


# -- 3. never overwrite or delete a file unify did not generate ----------------


@pytest.mark.parametrize("old,new,needle,message", [
    ('compat = "models_compat.py"', 'compat = "app.py"', "compat =", "app.py"),
    ('sources = ["models.py", "mvp_models.py"]', 'sources = ["models.py", "mvp_models.py", '
     '"util.py"]', "sources =", "util.py"),
    ('target = "models.py"', 'target = "util.py"', "target =", "util.py"),
])
def test_existing_files_are_never_overwritten(project, run, old, new, needle, message):
    repo, plan = edited(project, old, new)
    before = (repo / "app.py").read_bytes(), (repo / "util.py").read_bytes()
    check_and_apply(run, repo, plan, needle, message)
    assert ((repo / "app.py").read_bytes(), (repo / "util.py").read_bytes()) == before


def test_archive_never_overwrites_an_existing_archive_file(make_repo, run):
    repo = make_repo({**SMALL_PROJECT, "archive/mvp_models.py": "# the user's own notes\n"})
    assert run("plan", "--repo", str(repo), "--retire", "archive").code == 0
    plan = str(repo / "plans" / "models.toml")
    check_and_apply(run, repo, plan, "retire =", "archive/mvp_models.py")


@pytest.mark.parametrize("tracked", [True, False])
def test_apply_never_overwrites_the_users_pr_file(project, run, tracked):
    repo, plan, _ = project
    mine = repo / "plans" / "models.pr.md"
    mine.write_text("my own notes\n")
    if tracked:
        git(repo, "add", "-A")
        commit_all(repo, "notes")
    result = run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q")
    assert result.code == 1 and "models.pr.md" in result.err and result.err.count("\n") == 1
    assert mine.read_text() == "my own notes\n" and branches(repo) == ["refs/heads/main"]


def test_a_pr_file_unify_wrote_is_rewritten(project, run):
    repo, plan, _ = project
    assert run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q").code == 0
    assert run("rollback", "--repo", str(repo)).code == 0
    again = run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q")
    assert again.code == 0, again.err


def test_finalize_refuses_a_shim_the_user_changed(project, run):
    repo, plan, _ = project
    assert run("apply", str(plan), "--repo", str(repo), "--no-verify", "-q").code == 0
    git(repo, "merge", "-q", "--ff-only", "unify/models")
    (repo / "app.py").write_text("from models import User\n")
    shim = repo / "mvp_models.py"
    shim.write_text(shim.read_text() + "\ndef still_needed():\n    return 2\n")
    commit_all(repo, "use the new module; keep a helper in the shim")
    result = run("finalize", "--repo", str(repo))
    assert result.code == 1 and "mvp_models.py" in result.err and "changed" in result.err
    assert "refs/heads/unify/finalize" not in branches(repo)


# -- 5. no write through a symlink --------------------------------------------------


def test_plan_paths_through_a_symlink_are_refused(project, run):
    repo, _, _ = project
    os.symlink("../repo", repo / "rel")
    git(repo, "add", "rel")
    commit_all(repo, "a symlink")
    repo, plan = edited(project, 'compat = "models_compat.py"', 'compat = "rel/evil.py"')
    check_and_apply(run, repo, plan, "compat =", "symlink")
    assert not (repo.parent / "repo" / "evil.py").exists()


# -- 6. the database password is never shown ---------------------------------------


@pytest.mark.parametrize("url", [
    "postgresql://u@127.0.0.1:1/db?password=S3cret",
    "postgresql://u:S3c@ret@127.0.0.1:1/db",
    "postgresql://u:S3cret@127.0.0.1:1/db?sslpassword=S3cret",
])
def test_database_password_is_masked_in_every_form(make_repo, run, url):
    repo = make_repo(SMALL_PROJECT)
    for args in (["check"], ["check", "--json"]):
        result = run(*args, "--repo", str(repo), "--database", url)
        assert result.code == 2
        assert "S3c" not in result.out + result.err and "ret@" not in result.err, result.err


def test_mask_covers_text_json_and_crash_logs():
    from unify.masking import mask

    text = ('cannot connect to postgresql://u:p@ss@h/db and '
            '{"url": "postgresql://u@h/db?password=S3cret&x=1"} mysql://a:b@c/d')
    masked = mask(text)
    assert "S3cret" not in masked and "p@ss" not in masked and ":b@" not in masked
    assert "postgresql://u:***@h/db" in masked and "password=***&x=1" in masked


@pytest.mark.parametrize("key,value", [("compat", ".git/hooks/post-checkout.py"),
                                       ("target", "pkg/.git/models.py")])
def test_plan_paths_inside_dot_git_are_refused(project, run, key, value):
    old = {"compat": 'compat = "models_compat.py"', "target": 'target = "models.py"'}[key]
    repo, plan = edited(project, old, f'{key} = "{value}"')
    check_and_apply(run, repo, plan, f"{key} =", ".git/")
    assert not (repo / ".git" / "hooks" / "post-checkout.py").exists()
