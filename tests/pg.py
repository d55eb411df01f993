"""A throwaway PostgreSQL server for the tests: initdb in a temporary folder, one port.

``PgServer.start()`` finds ``initdb``/``pg_ctl`` (on PATH, else Debian's
``/usr/lib/postgresql/<version>/bin``), creates a cluster in a fresh temporary
folder with a password-protected superuser, starts it on a free loopback port
(its Unix socket in the same folder, so nothing touches /var/run) and
``stop()`` shuts it down and removes the folder. PostgreSQL refuses to run as
root, so as root the folder is handed to the ``postgres`` user (created by
Debian's postgresql package) and the server runs as that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "unify"


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def missing_reason() -> str | None:
    """Why the server cannot run here, or None when it can."""
    if find_bin_dir() is None:
        return ("PostgreSQL is not installed (no initdb on PATH or in "
                "/usr/lib/postgresql/*/bin): apt-get install postgresql")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed: pip install -e '.[test]'"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.password = "pw-" + secrets.token_hex(8)  # tests assert it is never printed
        self.folder = Path(tempfile.mkdtemp(prefix="unify-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.running = False
        self._databases = 0

    # -- running commands as the server's user ------------------------------------

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120,
                                cwd=self.folder, env={**os.environ, "LC_ALL": "C"})
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): "
                               f"{result.stdout}{result.stderr}{tail}")
        return result

    def start(self) -> "PgServer":
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.folder, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--pwfile", str(pwfile),
                  "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync")
        pwfile.unlink()
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")
        self.running = True
        return self

    def stop(self) -> None:
        try:
            if self.running:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
                self.running = False
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- databases -------------------------------------------------------------------

    def url(self, database: str = "postgres", password: str | None = None,
            port: int | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{USER}:{secret}@127.0.0.1:{port or self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        import psycopg

        self._databases += 1
        name = f"t{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def execute(self, database: str, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)


# -- pytest fixtures (imported by conftest.py) ---------------------------------------------

import re  # noqa: E402
import sqlite3  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the session; fails in CI (CI=true) when it cannot run."""
    reason = missing_reason()
    if reason:
        if in_ci():
            pytest.fail(f"CI is set but the PostgreSQL tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Database:
    """A fresh empty database: ``url`` for unify, ``app_url`` for SQLAlchemy in an app."""

    kind: str  # sqlite | postgresql
    url: str
    app_url: str
    password: str | None
    server: PgServer | None = None
    name: str = ""
    path: Path | None = None

    def load(self, sql: str) -> None:
        if self.server is not None:
            self.server.execute(self.name, sql)
            return
        with sqlite3.connect(self.path) as conn:  # PostgreSQL's SERIAL is SQLite's INTEGER
            conn.executescript(re.sub(r"\bSERIAL\b", "INTEGER", sql))
        conn.close()


def sqlite_database(folder: Path) -> Database:
    path = folder / "live.db"
    sqlite3.connect(path).close()
    return Database("sqlite", f"sqlite:///{path}", f"sqlite:///{path}", None, path=path)


def postgres_database(server: PgServer) -> Database:
    name = server.create_database()
    url = server.url(name)
    return Database("postgresql", url, url.replace("postgresql://", "postgresql+psycopg://", 1),
                    server.password, server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path_factory) -> Database:
    """Each test that uses it runs twice: on SQLite and on a real PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_database(tmp_path_factory.mktemp("sqlite"))
    return postgres_database(request.getfixturevalue("pg_server"))
