"""The command line as a user meets it: help, JSON, exit codes, bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODELS = """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()

class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
"""


def test_help_lists_commands_and_examples(run):
    result = run("--help")
    assert result.code == 0
    assert "scan" in result.out and "check" in result.out
    for command in ("scan", "check"):
        sub = run(command, "--help")
        assert sub.code == 0 and "Examples:" in sub.out and "--json" in sub.out


def test_version(run):
    result = run("--version")
    assert result.code == 0 and "unify" in result.out


HEAVY = ("libcst", "black", "git", "sqlalchemy", "tomlkit")


def loaded_after(args: list[str], cwd: Path | None = None) -> set[str]:
    """The heavy packages a fresh interpreter has imported after running unify ``args``."""
    script = ("import sys; from unify.cli import main; main(sys.argv[1:]); "
              f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, capture_output=True,
                          text=True)
    return set(done.stderr.split())


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["plan", "--help"]])
def test_version_and_help_import_no_heavy_package(args):
    assert loaded_after(args) == set()


def test_scan_json_has_documented_top_level_keys(make_repo, run):
    repo = make_repo({"models.py": MODELS, "app.py": "from models import User\n"})
    data = run("scan", "--repo", str(repo), "--json").json()
    for key in ("schema_version", "summary", "model_modules", "models", "dependents",
                "diagnostics", "tables", "helpers", "string_refs", "dynamic_imports"):
        assert key in data
    assert data["summary"]["models"] == 1
    assert data["dependents"][0]["names"] == [["User", None]]


def test_scan_from_inside_the_repo_uses_the_enclosing_work_tree(make_repo, run, monkeypatch):
    repo = make_repo({"backend/models.py": MODELS, "other/models.py": MODELS})
    monkeypatch.chdir(repo / "backend")
    data = run("scan", ".", "--json").json()
    assert data["scope"] == "backend"
    assert [m["path"] for m in data["models"]] == ["backend/models.py"]


def test_gitignored_files_are_not_scanned(make_repo, run):
    repo = make_repo({"models.py": MODELS, ".gitignore": "build/\n"})
    (repo / "build").mkdir()
    (repo / "build" / "models.py").write_text(MODELS)
    (repo / "new_models.py").write_text(MODELS.replace("User", "Other"))  # untracked
    data = run("scan", "--repo", str(repo), "--json").json()
    assert sorted(m["path"] for m in data["models"]) == ["models.py", "new_models.py"]


def test_non_git_folder_is_one_clear_line_exit_2(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("scan")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "not inside a git work tree" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("args", [["check", "does/not/exist"], ["scan", "--repo", "/no/such/dir"]])
def test_missing_paths_exit_2(make_repo, run, monkeypatch, args):
    monkeypatch.chdir(make_repo({"models.py": MODELS}))
    result = run(*args)
    assert result.code == 2
    assert result.err.startswith("unify: error:") and result.err.count("\n") == 1


def test_unknown_code_is_a_usage_error(make_repo, run):
    repo = make_repo({"models.py": MODELS})
    result = run("check", "--repo", str(repo), "--select", "X9")
    assert result.code == 2 and "unknown code X9" in result.err


def test_broken_files_are_diagnostics_not_crashes(make_repo, run):
    repo = make_repo({
        "models.py": MODELS,
        "broken.py": "def f(:\n    pass\n",
        "legacy.py": 'print "hello"\n',
        "latin.py": b"x = '\xff\xfe'\n",
        "declared.py": b"# -*- coding: latin-1 -*-\nfrom models import User  # caf\xe9\n",
        "bom.py": b"\xef\xbb\xbffrom models import User\n",
    })
    result = run("check", "--repo", str(repo), "--json")
    assert result.code == 1
    found = {(d["code"], d["path"]): d for d in result.json()["diagnostics"]}
    assert set(found) == {("U001", "broken.py"), ("U001", "legacy.py"), ("U001", "latin.py")}
    assert "Python 2" in found[("U001", "legacy.py")]["message"]
    assert "decode" in found[("U001", "latin.py")]["message"]
    # the declared-encoding file and the BOM file parse and count as dependents
    sites = run("scan", "--repo", str(repo), "--json").json()["dependents"]
    assert sorted(s["path"] for s in sites) == ["bom.py", "declared.py"]


def test_check_exit_codes(make_repo, run):
    clean = make_repo({"models.py": MODELS}, name="clean")
    assert run("check", "--repo", str(clean)).code == 0
    dirty = make_repo({"models.py": MODELS + "    org = db.relationship('Nope')\n"}, name="dirty")
    assert run("check", "--repo", str(dirty)).code == 1


def test_console_script_runs_as_module(make_repo):
    repo = make_repo({"models.py": MODELS})
    result = subprocess.run(
        [sys.executable, "-m", "unify", "check", "--repo", str(repo)],
        capture_output=True, text=True, env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    assert "All checks passed" in result.stdout


def test_check_runs_on_its_own_source_tree(run):
    root = Path(__file__).resolve().parent.parent
    result = run("check", str(root / "unify"), "--json")
    assert result.code == 0, result.out
    assert result.json()["summary"]["files_scanned"] >= 10
