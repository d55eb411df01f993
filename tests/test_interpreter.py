"""Verification in the project's interpreter: which one, and a runtime check that
cannot run is "[skipped] runtime: <why>; run with --python PATH", never FAILED."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from unify.runtime import ProbeResult, choose_interpreter, environment_gap, run_probe
from unify.verify import runtime

PROJECT = {
    "models.py": """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()

        class User(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
    """,
    "mvp_models.py": """
        from models import db

        class MVPUser(db.Model):
            __tablename__ = "mvp_users"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    """,
    "app.py": "from mvp_models import MVPUser\n",
}


def fake_venv(folder: Path, windows: bool = False) -> Path:
    """A virtualenv-shaped folder whose python is this interpreter (a symlink)."""
    bindir = folder / ("Scripts" if windows else "bin")
    bindir.mkdir(parents=True)
    python = bindir / ("python.exe" if windows else "python")
    if windows:
        python.write_bytes(b"MZ")
    else:  # with this venv's pyvenv.cfg, so that it sees the same site-packages
        python.symlink_to(sys.executable)
        config = Path(sys.prefix) / "pyvenv.cfg"
        if config.is_file():
            (folder / "pyvenv.cfg").write_text(config.read_text())
            (folder / "lib").symlink_to(Path(sys.prefix) / "lib")
    return python


def test_order_python_flag_then_virtual_env_then_repo_venvs_then_own(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    active = fake_venv(tmp_path / "active")
    assert choose_interpreter(repo, "/x/python", {"VIRTUAL_ENV": str(active.parent.parent)}) \
        .why == "given with --python"
    chosen = choose_interpreter(repo, None, {"VIRTUAL_ENV": str(active.parent.parent)})
    assert chosen.python == str(active) and "$VIRTUAL_ENV" in chosen.why
    own = choose_interpreter(repo, None, {})
    assert own.python == sys.executable and own.why.startswith("unify's own interpreter")
    for name in ("env", "venv", ".venv"):  # each shadows the ones after it
        python = fake_venv(repo / name)
        chosen = choose_interpreter(repo, None, {})
        assert (chosen.python, chosen.why) == (str(python), f"the repository's virtualenv {name}/")


def test_windows_virtualenv_is_named_and_passed_over(tmp_path):
    repo = tmp_path / "repo"
    fake_venv(repo / ".venv", windows=True)
    chosen = choose_interpreter(repo, None, {})
    assert chosen.python == sys.executable
    assert ".venv/Scripts/python.exe is a Windows virtualenv, not runnable here" in chosen.why


def _no_sqlalchemy_python(tmp_path: Path) -> str:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")],
                   check=True)
    return str(tmp_path / "bare" / "bin" / "python")


def test_interpreter_without_sqlalchemy_is_an_environment_gap(tmp_path):
    (tmp_path / "models.py").write_text("import sqlalchemy\n")
    result = run_probe(tmp_path, ["models"], _no_sqlalchemy_python(tmp_path))
    assert not result.ok and result.stage == "environment"
    why = environment_gap(result, tmp_path)
    assert why and "SQLAlchemy is not importable" in why
    check = runtime(result, result, tmp_path)
    assert check.ok and check.skipped and check.detail.endswith("; run with --python PATH")


def _import_failure(message: str) -> ProbeResult:
    return ProbeResult.from_report({"ok": False, "stage": "import", "error": {
        "type": "ModuleNotFoundError", "message": message, "model": None, "property": None,
        "location": "models.py:1"}})


def test_missing_dependency_skips_but_missing_project_module_fails(tmp_path):
    (tmp_path / "pkg").mkdir()
    dependency = _import_failure("No module named 'alembic'")
    own = _import_failure("No module named 'pkg.orders'")
    assert "No module named 'alembic'" in environment_gap(dependency, tmp_path)
    assert environment_gap(own, tmp_path) is None
    assert runtime(dependency, dependency, tmp_path).skipped
    failed = runtime(own, own, tmp_path)
    assert not failed.ok and not failed.skipped
    # after a before-probe that passed, the same missing module is the change's fault
    passed = ProbeResult.from_report({"ok": True, "stage": "done", "error": None})
    assert not runtime(dependency, passed, tmp_path).ok


def test_apply_without_the_projects_dependency_says_runtime_skipped(make_repo, run):
    files = dict(PROJECT)
    files["models.py"] = "import not_installed_anywhere_xyz\n" + \
        __import__("textwrap").dedent(files["models.py"])
    repo = make_repo(files)
    assert run("plan", "--repo", str(repo)).code == 0
    result = run("apply", str(repo / "plans/models.toml"), "--branch", "unify/models",
                 "--repo", str(repo))
    assert result.code == 0, result.out + result.err
    assert "Verification: passed (runtime skipped)" in result.out
    line = next(x for x in result.out.splitlines() if "[skipped] runtime:" in x)
    assert "No module named 'not_installed_anywhere_xyz'" in line
    assert line.endswith("; run with --python PATH")
    pr = (repo / "plans/models.pr.md").read_text()
    assert "Verdict: passed (runtime skipped)" in pr


def test_apply_uses_the_repositorys_venv_and_says_so(make_repo, run, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    repo = make_repo(PROJECT)
    python = fake_venv(repo / ".venv")  # untracked, as a venv is
    assert run("plan", "--repo", str(repo)).code == 0
    result = run("apply", str(repo / "plans/models.toml"), "--branch", "unify/models",
                 "--repo", str(repo), "--json")
    assert result.code == 0, result.out + result.err
    data = json.loads(result.out)
    assert data["verification"]["verdict"] == "passed"
    check = next(c for c in data["verification"]["checks"] if c["name"] == "runtime")
    assert check["ok"] and not check["skipped"]
    assert check["items"] == [f"interpreter: {python} (the repository's virtualenv .venv/)"]
