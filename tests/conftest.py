"""Shared fixtures: temporary git repositories and running the CLI in-process."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from pg import database, pg_server  # noqa: F401  (fixtures: a live SQLite / PostgreSQL)
from unify.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


# A two-file project (a model module and an MVP copy importing it) for git-level tests.
SMALL_PROJECT = {
    "models.py": textwrap.dedent("""
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()

        class User(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
    """),
    "mvp_models.py": textwrap.dedent("""
        from models import db

        class MVPUser(db.Model):
            __tablename__ = "mvp_users"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    """),
    "app.py": "from mvp_models import MVPUser\n",
    "README": "hello\n",
}


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
        env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
             "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
             "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    return result.stdout


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "core.autocrlf", "false")
    return path


def commit_all(path: Path, message: str = "initial") -> None:
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", message)


@pytest.fixture
def make_repo(tmp_path: Path):
    """make_repo({"models.py": "...", ...}) -> a committed git repo with those files."""

    def factory(files: dict[str, str | bytes], name: str = "repo") -> Path:
        root = init_repo(tmp_path / name)
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        commit_all(root)
        return root

    return factory


@pytest.fixture
def corpus_repo(tmp_path: Path):
    """Copy corpus/<case>/ into a fresh git repository (byte for byte) and commit it."""

    def factory(case: str) -> Path:
        root = tmp_path / case
        shutil.copytree(CORPUS / case, root)
        init_repo(root)
        commit_all(root)
        return root

    return factory


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run(capsys):
    """run("check", "--repo", str(path)) -> Run(code, out, err), in-process."""

    def invoke(*args: str) -> Run:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke
