"""The plan memo (unify/planmemo.py): an unchanged repository gets its last plan
back without a scan, byte for byte; any change to what the plan depends on
makes a fresh plan.

Hit or miss is counted (the scan runs or not), never timed, and every plan a
memo gives is compared with the one the same run makes with no cache at all.
"""

from __future__ import annotations

import os
import sqlite3
import textwrap
from pathlib import Path

import pytest

import unify.planmemo
import unify.scan
from conftest import commit_all, git
from test_cli import loaded_after

MODELS = textwrap.dedent("""
    from flask_sqlalchemy import SQLAlchemy
    db = SQLAlchemy()

    class Organization(db.Model):
        __tablename__ = "organization"
        id = db.Column(db.Integer, primary_key=True)

    class User(db.Model):
        __tablename__ = "users"
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(120))
        organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
""")
MVP = textwrap.dedent("""
    from models import db

    class MVPUser(db.Model):
        __tablename__ = "mvp_users"
        id = db.Column(db.Integer, primary_key=True)
        email = db.Column(db.String(120))
""")
PROJECT = {
    "models.py": MODELS,
    "mvp_models.py": MVP,
    "app/routes.py": "from mvp_models import MVPUser\n",
    "app/util.py": "def shout(text):\n    return text.upper()\n",
    "other.py": "from models import User\n",
}


@pytest.fixture
def scans(monkeypatch):
    """Every scan a plan ran: none when the memo answered."""
    monkeypatch.setenv("UNIFY_CACHE", "1")
    calls: list[tuple] = []
    real = unify.scan.scan
    monkeypatch.setattr(unify.scan, "scan", lambda *a, **k: calls.append(a) or real(*a, **k))
    return calls


@pytest.fixture
def repo(make_repo):
    return make_repo(PROJECT)


def fresh(run, monkeypatch, scans, *args):
    """The same command with every cache turned off: what a memo must reproduce
    (its scan is not counted)."""
    counted = len(scans)
    monkeypatch.setenv("UNIFY_CACHE", "0")
    try:
        return run(*args)
    finally:
        monkeypatch.setenv("UNIFY_CACHE", "1")
        del scans[counted:]


def same(a, b) -> None:
    assert (a.code, a.out, a.err) == (b.code, b.out, b.err)


def memo_files(repo: Path) -> list[Path]:
    return sorted((repo / ".git" / "unify" / unify.planmemo.FOLDER).glob("*.pickle"))


# -- a hit is the same run -------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["-o", "-"],
    ["--json", "-o", "-"],
    ["-o", "{tmp}/plan.toml", "--force"],
    ["--json", "-o", "{tmp}/plan.toml", "--force"],
], ids=["stdout", "json-stdout", "summary", "json-file"])
def test_a_hit_gives_the_bytes_json_and_exit_code_of_a_fresh_plan(repo, run, scans, monkeypatch,
                                                                  tmp_path, args):
    args = ["plan", "--repo", str(repo), *(a.format(tmp=tmp_path) for a in args)]
    first = run(*args)
    assert first.code == 0, first.err
    assert len(scans) == 1 and len(memo_files(repo)) == 1
    written = (tmp_path / "plan.toml").read_bytes() if "--force" in args else None
    (tmp_path / "plan.toml").unlink(missing_ok=True)

    second = run(*args)
    assert len(scans) == 1  # the memo answered
    same(second, first)
    if written is not None:
        assert (tmp_path / "plan.toml").read_bytes() == written
    same(fresh(run, monkeypatch, scans, *args), first)


def test_open_decisions_exit_1_on_a_hit_too(make_repo, run, scans, monkeypatch):
    twin = MODELS.replace("organization", "org2").replace("Organization", "Org2")
    repo = make_repo({"models_a.py": MODELS, "models_b.py": MODELS, "models.py": twin})
    args = ("plan", "--repo", str(repo), "-o", "-")
    first, second = run(*args), run(*args)
    assert first.code == 1 and 'resolution = "?"' in first.out
    assert len(scans) == 1
    same(second, first)
    summary = run("plan", "--repo", str(repo))
    assert summary.code == 1 and "open (Organization, User)" in summary.out
    assert len(scans) == 1
    same(fresh(run, monkeypatch, scans, "plan", "--repo", str(repo), "--force"), summary)


def test_an_existing_plan_is_refused_on_a_hit_as_on_a_miss(repo, run, scans):
    assert run("plan", "--repo", str(repo)).code == 0
    path = repo / "plans" / "models.toml"
    planned = path.read_text()
    path.write_text(planned + "# my review notes\n")
    refused = run("plan", "--repo", str(repo))
    assert refused.code == 1 and "already exists" in refused.err and refused.out == ""
    assert path.read_text() == planned + "# my review notes\n"
    forced = run("plan", "--repo", str(repo), "--force")
    assert forced.code == 0 and path.read_text() == planned
    assert len(scans) == 1


def test_touching_files_or_a_round_trip_edit_still_hits(repo, run, scans):
    args = ("plan", "--repo", str(repo), "-o", "-")
    first = run(*args)
    for name in PROJECT:
        os.utime(repo / name, (1_000_000_000, 1_000_000_000))
    same(run(*args), first)
    routes = repo / "app" / "routes.py"
    routes.write_text("from mvp_models import MVPUser  # edited\n")
    assert run(*args).out != first.out
    routes.write_text(PROJECT["app/routes.py"])
    same(run(*args), first)
    assert len(scans) == 2  # the first plan and the edited one


def test_a_damaged_memo_is_ignored(repo, run, scans, monkeypatch):
    args = ("plan", "--repo", str(repo), "-o", "-")
    first = run(*args)
    (memo,) = memo_files(repo)
    memo.write_bytes(b"not a pickle")
    same(run(*args), first)
    assert len(scans) == 2
    same(run(*args), first)  # and written again
    assert len(scans) == 2


def test_a_hit_loads_neither_libcst_nor_black_git_sqlalchemy_or_tomlkit(repo, monkeypatch):
    monkeypatch.setenv("UNIFY_CACHE", "1")
    args = ["plan", "--repo", str(repo), "-o", "-"]
    assert loaded_after(args) == {"tomlkit"}  # a miss renders the plan
    assert loaded_after(args) == set()


# -- every input change misses ------------------------------------------------------------


def edit_tracked(repo: Path) -> None:
    (repo / "app" / "util.py").write_text("from models import Organization\n")


def edit_tracked_unread(repo: Path) -> None:
    (repo / "app" / "util.py").write_text("def shout(text):\n    return text.upper() + '!'\n")


def stage_edit(repo: Path) -> None:
    edit_tracked(repo)
    git(repo, "add", "app/util.py")


def add_untracked(repo: Path) -> None:
    (repo / "app" / "extra.py").write_text("from models import User\n")


def delete_tracked(repo: Path) -> None:
    (repo / "other.py").unlink()


def unignore(repo: Path) -> None:
    (repo / "build").mkdir()
    (repo / "build" / "gen.py").write_text("from models import User\n")
    (repo / ".gitignore").write_text("build/\n")
    commit_all(repo, "ignore build/")
    (repo / ".gitignore").write_text("")  # build/gen.py is scanned again


def commit_edit(repo: Path) -> None:
    edit_tracked(repo)
    commit_all(repo, "edit")


def new_head(repo: Path) -> None:
    git(repo, "commit", "-q", "--allow-empty", "-m", "same files, another commit")


def switch_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    add_untracked(repo)
    commit_all(repo, "on other")
    git(repo, "checkout", "-q", "main")  # the file is gone again, HEAD is main's


def crlf_git_cannot_see(repo: Path) -> None:
    """With core.autocrlf, CRLF bytes are the same blob: git says unchanged, the
    fingerprint (a hash of the bytes) does not."""
    git(repo, "config", "core.autocrlf", "true")
    routes = repo / "app" / "routes.py"
    routes.write_bytes(routes.read_bytes().replace(b"\n", b"\r\n"))
    git(repo, "add", "app/routes.py")
    assert git(repo, "ls-files", "-m") == "" and git(repo, "diff", "HEAD", "--stat") == ""


CHANGES = [edit_tracked, edit_tracked_unread, stage_edit, add_untracked, delete_tracked,
           unignore, commit_edit, new_head, crlf_git_cannot_see]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_change_to_the_repository_misses(make_repo, run, scans, monkeypatch, change):
    repo = make_repo(PROJECT)
    args = ("plan", "--repo", str(repo), "--json", "-o", "-")
    before = run(*args)
    change(repo)
    after = run(*args)
    assert len(scans) == 2  # planned again
    same(after, fresh(run, monkeypatch, scans, *args))
    same(run(*args), after)  # and memoised in turn
    assert len(scans) == 2
    if change is not edit_tracked_unread:  # a file no plan reads: same plan, missed anyway
        assert after.json() != before.json()


def test_a_dirty_file_edited_again_misses(repo, run, scans, monkeypatch):
    """Files git already lists as modified are keyed by their bytes, not their names."""
    args = ("plan", "--repo", str(repo), "-o", "-")
    for path, first_edit in (("app/util.py", "x = 1\n"), ("app/new.py", "y = 2\n")):
        (repo / path).write_text(first_edit)  # modified, then untracked: not read by plan
        run(*args)
        (repo / path).write_text("from models import Organization\n")
        after = run(*args)
        assert path in after.out
        same(after, fresh(run, monkeypatch, scans, *args))
    assert len(scans) == 4


def test_a_plan_made_while_files_change_is_not_kept(repo, run, scans, monkeypatch):
    real = unify.scan.scan

    def edit_then_scan(*args, **kwargs):
        (repo / "app" / "util.py").write_text("from models import Organization\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(unify.scan, "scan", edit_then_scan)
    assert run("plan", "--repo", str(repo), "-o", "-").code == 0
    assert memo_files(repo) == []  # its key was made before the edit


def test_a_branch_switch_and_back_hits_the_first_plan(repo, run, scans, monkeypatch):
    args = ("plan", "--repo", str(repo), "-o", "-")
    first = run(*args)
    switch_branch(repo)
    same(run(*args), first)  # the same HEAD, index and files as the first run
    assert len(scans) == 1
    git(repo, "checkout", "-q", "other")
    on_other = run(*args)
    assert len(scans) == 2 and "app/extra.py" in on_other.out
    same(on_other, fresh(run, monkeypatch, scans, *args))


def test_an_ignored_file_is_no_change(repo, run, scans):
    (repo / ".gitignore").write_text("build/\n")
    commit_all(repo, "ignore build/")
    args = ("plan", "--repo", str(repo), "-o", "-")
    first = run(*args)
    (repo / "build").mkdir()
    (repo / "build" / "gen.py").write_text("from models import User\n")
    same(run(*args), first)  # the scan never sees it, nor does the memo
    assert len(scans) == 1


@pytest.mark.parametrize("options", [
    ["--retire", "archive"],
    ["--target", "mvp_models.py"],
    ["--compat", "app/compat.py"],
    ["--source", "models.py"],
    ["app"],
], ids=["retire", "target", "compat", "source", "path"])
def test_another_option_misses(make_repo, run, scans, monkeypatch, options):
    repo = make_repo({**PROJECT, "app/models.py": MVP.replace("MVPUser", "AppUser")})
    base = ("plan", "--repo", str(repo), "-o", "-")
    first = run(*base)
    args = (*base, *options)
    if options == ["app"]:  # PATH: the scope
        args = ("plan", str(repo / "app"), "-o", "-")
    other = run(*args)
    assert len(scans) == 2
    assert other.out != first.out
    same(other, fresh(run, monkeypatch, scans, *args))
    same(run(*base), first)  # each kept under its own key
    assert len(scans) == 2


def test_a_relative_target_is_resolved_before_the_key(repo, run, scans, monkeypatch):
    (repo / "app" / "models.py").write_text("")
    commit_all(repo, "app/models.py")
    monkeypatch.chdir(repo)
    at_top = run("plan", "--target", "models.py", "-o", "-")
    monkeypatch.chdir(repo / "app")
    below = run("plan", "--target", "models.py", "-o", "-")  # app/models.py: another plan
    assert len(scans) == 2
    assert 'target = "models.py"' in at_top.out and 'target = "app/models.py"' in below.out
    same(run("plan", "--target", "../models.py", "-o", "-"), at_top)  # the same file
    assert len(scans) == 2


def test_unify_cache_0_neither_reads_nor_writes_the_memo(repo, run, scans, monkeypatch):
    args = ("plan", "--repo", str(repo), "-o", "-")
    monkeypatch.setenv("UNIFY_CACHE", "0")
    first, second = run(*args), run(*args)
    assert len(scans) == 2 and memo_files(repo) == []
    same(second, first)
    monkeypatch.setenv("UNIFY_CACHE", "1")
    run(*args)
    assert len(scans) == 3 and len(memo_files(repo)) == 1
    monkeypatch.setenv("UNIFY_CACHE", "0")
    same(run(*args), first)
    assert len(scans) == 4


def test_a_change_to_unify_itself_misses(repo, run, scans):
    args = ("plan", "--repo", str(repo), "-o", "-")
    first = run(*args)
    source = Path(unify.planmemo.__file__).with_name("plan.py")
    stat = source.stat()
    try:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        same(run(*args), first)
        assert len(scans) == 2
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    same(run(*args), first)
    assert len(scans) == 2  # the first key is back


def test_stats_kept_with_the_plan_still_catch_what_git_cannot_see(repo, run, scans, monkeypatch):
    monkeypatch.setattr(unify.planmemo, "RACY_NS", 0)  # old files: their stats are kept
    args = ("plan", "--repo", str(repo), "-o", "-")
    run(*args)
    assert len(scans) == 1
    crlf_git_cannot_see(repo)
    after = run(*args)
    assert len(scans) == 2
    same(after, fresh(run, monkeypatch, scans, *args))


def test_plans_with_a_database_are_never_memoised(repo, run, scans, tmp_path):
    database = tmp_path / "live.db"
    with sqlite3.connect(database) as conn:
        conn.executescript("CREATE TABLE regions (id INTEGER PRIMARY KEY, name TEXT);")
    conn.close()
    args = ("plan", "--repo", str(repo), "--database", f"sqlite:///{database}", "-o", "-")
    first, second = run(*args), run(*args)
    assert first.code == 0, first.err
    assert len(scans) == 2 and memo_files(repo) == []
    same(second, first)
    assert "name = \"Region\"" in first.out
    with sqlite3.connect(database) as conn:
        conn.executescript("CREATE TABLE depots (id INTEGER PRIMARY KEY);")
    conn.close()
    assert "name = \"Depot\"" in run(*args).out
    without = run("plan", "--repo", str(repo), "-o", "-")
    assert "Region" not in without.out and len(scans) == 4
