"""verify's runtime half: run probe.py under the user's interpreter, and compare schemas.

``run_probe`` imports the project's models in a subprocess (the user's Python, cwd =
the project, ``PYTHONPATH`` = the project first, no bytecode written), which runs
``configure_mappers()`` and ``create_all()`` on an in-memory SQLite, and returns a
``ProbeResult``.  Whatever goes wrong around the probe -- no such interpreter,
SQLAlchemy missing there, a hang, a crash without a report -- also becomes a
``ProbeResult`` with ``ok=False`` and a one-line message that says what to do; it
never raises.  ``schema_diff`` compares the ``schema`` of two results (before and
after a unification) for the schema-equivalence check.

The report format is documented at the top of ``probe.py``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROBE = Path(__file__).with_name("probe.py")
STAGE_MARK = "unify-probe: stage "  # the progress lines probe.py writes to stderr
STAGES = ("usage", "environment", "import", "configure", "create_all", "done")
_STAGE_DOING = {
    "environment": "starting up",
    "import": "importing the models",
    "configure": "configuring the mappers",
    "create_all": "creating the tables on SQLite",
}


# error types of a probe that stopped before it could judge the models
_UNVERIFIED = {"Timeout", "ProbeCrashed"}


@dataclass(frozen=True)
class ProbeResult:
    """What probe.py reported (see its docstring), or why it could not report.

    ``stage`` is the first stage that failed ("done" when ok): "usage" and
    "environment" mean the probe could not do its job (bad arguments, interpreter,
    SQLAlchemy missing); "import", "configure" and "create_all" mean the models are
    broken, except for a probe that hung or died without a report (error type
    "Timeout" or "ProbeCrashed"), whose stage says where it got to: use
    ``models_broken`` to tell them apart.  ``error`` is the first error, a dict with
    the keys type, message, model, property and location; ``errors`` holds every
    error found.  ``message`` is one line for humans.
    """

    ok: bool
    stage: str
    error: dict[str, Any] | None
    warnings: tuple[str, ...] = ()
    schema: dict[str, Any] = field(default_factory=dict)
    mappers: tuple[str, ...] = ()
    errors: tuple[dict[str, Any], ...] = ()
    stderr: str = ""  # the last lines the probe (and the user's code) wrote to stderr
    imports: tuple[tuple[str, str | None], ...] = ()  # --import-each: (module, error or None)

    @property
    def models_broken(self) -> bool:
        """True when SQLAlchemy or Python rejected the models; False when ok, and when
        the probe could not tell (bad arguments or interpreter, timeout, crash)."""
        if self.ok or self.stage not in ("import", "configure", "create_all"):
            return False
        return (self.error or {}).get("type") not in _UNVERIFIED

    @property
    def message(self) -> str:
        """One line for a human: "ok", or the stage, the model and the first error."""
        if self.ok:
            return "ok"
        error = self.error or {}
        text = str(error.get("message") or "failed").strip().splitlines()
        first = text[0] if text else "failed"
        where = error.get("property") or error.get("model")
        location = error.get("location")
        parts = [self.stage]
        if where:
            parts.append(str(where))
        if location:
            parts.append(str(location))
        kind = error.get("type")
        more = len(self.errors) - 1
        suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more > 0 else ""
        return f"{': '.join(parts)}: {kind + ': ' if kind else ''}{first}{suffix}"

    @classmethod
    def from_report(cls, report: Mapping[str, Any], stderr: str = "") -> ProbeResult:
        """Build from probe.py's JSON object; raises ValueError if it is not one."""
        if not isinstance(report, Mapping) or not isinstance(report.get("ok"), bool):
            raise ValueError("not a probe report")
        stage = report.get("stage")
        if stage not in STAGES:
            raise ValueError(f"unknown probe stage {stage!r}")
        error = report.get("error")
        errors = report.get("errors") or ([error] if error else [])
        return cls(
            ok=report["ok"],
            stage=stage,
            error=dict(error) if isinstance(error, Mapping) else None,
            warnings=tuple(str(w) for w in report.get("warnings") or ()),
            schema=dict(report.get("schema") or {}),
            mappers=tuple(str(m) for m in report.get("mappers") or ()),
            errors=tuple(dict(e) for e in errors if isinstance(e, Mapping)),
            stderr=stderr,
            imports=tuple((str(k), v) for k, v in (report.get("imports") or {}).items()),
        )


def _failure(stage: str, kind: str, message: str, stderr: str = "") -> ProbeResult:
    error = {"type": kind, "message": message, "model": None, "property": None, "location": None}
    return ProbeResult(ok=False, stage=stage, error=error, errors=(error,), stderr=stderr)


def _tail(text: str, lines: int = 20) -> str:
    kept = [line for line in text.splitlines() if not line.startswith(STAGE_MARK)]
    return "\n".join(kept[-lines:])


def _last_stage(stderr: str) -> str | None:
    stage = None
    for line in stderr.splitlines():
        if line.startswith(STAGE_MARK):
            stage = line[len(STAGE_MARK) :].strip()
    return stage


def _parse_report(stdout: str) -> Mapping[str, Any] | None:
    """The probe's JSON object: the last stdout line that parses as one."""
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, Mapping) and "ok" in data and "stage" in data:
                return data
    return None


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except (ValueError, AttributeError):
        return f"signal {-returncode}"


def _kill(proc: subprocess.Popen) -> None:
    """Stop the probe and whatever it started (it runs in its own session)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def run_probe(
    root: Path,
    modules: Sequence[str],
    python: str = sys.executable,
    timeout: float = 120,
    *,
    app_factory: str | None = None,
    import_each: bool = False,
    first: Sequence[str] = (),
) -> ProbeResult:
    """Import ``modules`` from ``root`` under ``python`` and prove SQLAlchemy accepts them.

    Never raises for a broken project or environment: every failure is a
    ProbeResult with ok=False and a message saying what to do.
    """
    root = Path(root).resolve()
    if os.sep in python or (os.altsep and os.altsep in python):
        python = str(Path(python).absolute())  # relative to our cwd, not the project's
    if isinstance(modules, str):
        modules = [modules]
    if not modules:
        return _failure(
            "usage", "UsageError", "no module to probe: name at least one models module"
        )
    if not root.is_dir():
        return _failure("usage", "UsageError", f"{root} is not a folder: pass the project's root")

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(root)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the user's tree gets no __pycache__
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUNBUFFERED"] = "1"  # so a hung or crashed probe still shows its progress
    for name in ("PYTHONSTARTUP", "PYTHONINSPECT"):
        env.pop(name, None)

    command = [python, "-B", str(PROBE), "--root", str(root)]
    for module in modules:
        command += ["--module", module]
    if app_factory:
        command += ["--app-factory", app_factory]
    if import_each:  # each module on its own, nothing else: see probe._import_each
        command.append("--import-each")
        for module in first:
            command += ["--first", module]

    try:
        proc = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except (FileNotFoundError, NotADirectoryError):
        return _failure(
            "environment",
            "InterpreterNotFound",
            f"no Python interpreter at {python!r}: pass an existing interpreter with --python",
        )
    except (PermissionError, OSError) as exc:
        return _failure(
            "environment",
            "InterpreterNotRunnable",
            f"cannot run {python!r} ({exc.strerror or exc}): "
            "pass a runnable Python interpreter with --python",
        )

    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, err = proc.communicate()
        stderr = err.decode("utf-8", "replace")
        stage = _last_stage(stderr) or "environment"
        doing = _STAGE_DOING.get(stage, stage)
        return _failure(
            stage if stage in STAGES else "environment",
            "Timeout",
            f"the probe did not finish within {timeout:g} s (stuck {doing}); code that runs "
            "at import time may be waiting, e.g. for a database: make importing the models "
            "side-effect free or raise the timeout",
            _tail(stderr),
        )

    stdout = out.decode("utf-8", "replace")
    stderr = err.decode("utf-8", "replace")
    report = _parse_report(stdout)
    if report is not None:
        try:
            return ProbeResult.from_report(report, stderr=_tail(stderr))
        except ValueError as exc:
            return _failure(
                "environment",
                "BadReport",
                f"the probe printed an unexpected report ({exc})",
                _tail(stderr),
            )

    # No report: the probe never started properly or died on the way.
    stage = _last_stage(stderr)
    last = next((line for line in reversed(_tail(stderr).splitlines()) if line.strip()), "")
    if stage is None:
        return _failure(
            "environment",
            "ProbeNotStarted",
            f"{python} could not run the probe ({last or f'exit code {proc.returncode}'}): "
            "--python must name a Python 3.8+ interpreter with SQLAlchemy installed",
            _tail(stderr),
        )
    how = (
        f"was killed by {_signal_name(proc.returncode)}"
        if proc.returncode < 0
        else f"exited with code {proc.returncode}"
    )
    return _failure(
        stage if stage in STAGES else "environment",
        "ProbeCrashed",
        f"the probe {how} while {_STAGE_DOING.get(stage, stage)}, without a report"
        f"{f' (last output: {last})' if last else ''}: code run at import time may "
        "exit the process (os._exit) or crash in a C extension",
        _tail(stderr),
    )


# --------------------------------------------------------------------------- schema_diff


def _unwrap(schema: Any) -> Mapping[str, Any]:
    if isinstance(schema, ProbeResult):
        return schema.schema
    return schema or {}


def _fk_targets(table: Mapping[str, Any]) -> dict[str, set[str]]:
    targets: dict[str, set[str]] = {}
    for column, target in table.get("foreign_keys", ()):
        targets.setdefault(column, set()).add(target)
    return targets


def _cols(columns: Sequence[str]) -> str:
    return "(" + ", ".join(columns) + ")"


def _diff_table(name: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    b_cols = before.get("columns", {})
    a_cols = after.get("columns", {})
    for col in sorted(set(b_cols) | set(a_cols)):
        where = f"{name}.{col}"
        if col not in a_cols:
            out.append(f"{where}: column removed ({b_cols[col].get('type')})")
            continue
        if col not in b_cols:
            out.append(f"{where}: column added ({a_cols[col].get('type')})")
            continue
        b, a = b_cols[col], a_cols[col]
        if b.get("type") != a.get("type"):
            out.append(f"{where}: type {b.get('type')} -> {a.get('type')}")
        elif b.get("declared") != a.get("declared") and "declared" in b and "declared" in a:
            out.append(f"{where}: declared type {b.get('declared')} -> {a.get('declared')}")
        if bool(b.get("nullable")) != bool(a.get("nullable")):
            out.append(f"{where}: nullable {bool(b.get('nullable'))} -> {bool(a.get('nullable'))}")
        if bool(b.get("primary_key")) != bool(a.get("primary_key")):
            out.append(
                f"{where}: primary key {bool(b.get('primary_key'))} -> {bool(a.get('primary_key'))}"
            )

    b_fks, a_fks = _fk_targets(before), _fk_targets(after)
    for col in sorted(set(b_fks) | set(a_fks)):
        old, new = b_fks.get(col, set()), a_fks.get(col, set())
        if old == new:
            continue
        if len(old) == 1 and len(new) == 1:
            out.append(f"{name}.{col}: foreign key target {next(iter(old))} -> {next(iter(new))}")
            continue
        out.extend(f"{name}.{col}: foreign key removed (-> {t})" for t in sorted(old - new))
        out.extend(f"{name}.{col}: foreign key added (-> {t})" for t in sorted(new - old))

    def by_name(rows: Sequence[Sequence[Any]]) -> dict[str, tuple[tuple[str, ...], bool]]:
        return {
            (row[0] if row[0] is not None else "<unnamed> " + _cols(row[1])): (
                tuple(row[1]),
                bool(row[2]),
            )
            for row in rows
        }

    b_ix, a_ix = by_name(before.get("indexes", ())), by_name(after.get("indexes", ()))
    for ix in sorted(set(b_ix) | set(a_ix)):
        if ix not in a_ix:
            out.append(f"{name}: index {ix} removed {_cols(b_ix[ix][0])}")
        elif ix not in b_ix:
            out.append(f"{name}: index {ix} added {_cols(a_ix[ix][0])}")
        elif b_ix[ix] != a_ix[ix]:
            (b_on, b_u), (a_on, a_u) = b_ix[ix], a_ix[ix]
            old = f"{_cols(b_on)}{' unique' if b_u else ''}"
            new = f"{_cols(a_on)}{' unique' if a_u else ''}"
            out.append(f"{name}: index {ix} changed {old} -> {new}")

    for key, label in (("unique", "unique constraint"), ("checks", "check constraint")):

        def render(row: Sequence[Any], key: str = key) -> str:
            body = _cols(row[1]) if key == "unique" else f"({row[1]})"
            return f"{row[0]} {body}" if row[0] else body

        old_set = {render(row) for row in before.get(key, ())}
        new_set = {render(row) for row in after.get(key, ())}
        out.extend(f"{name}: {label} removed {r}" for r in sorted(old_set - new_set))
        out.extend(f"{name}: {label} added {r}" for r in sorted(new_set - old_set))
    return out


def schema_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between two probe schemas, sorted; [] when equal.

    Lines look like ``users: table added``, ``users.org_id: foreign key target
    organizations.id -> organization.id``, ``users.id: type VARCHAR(36) -> INTEGER``,
    ``users.email: nullable True -> False``, ``users: index ix_users_email removed (email)``.
    ``before``/``after`` are ``ProbeResult.schema`` mappings (a ProbeResult is accepted too).
    """
    before, after = _unwrap(before), _unwrap(after)
    out: list[str] = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            out.append(f"{name}: table removed")
        elif name not in before:
            out.append(f"{name}: table added")
        else:
            out.extend(_diff_table(name, before[name], after[name]))
    return sorted(out)


# --------------------------------------------------------------------------- interpreter

_REPO_VENVS = (".venv", "venv", "env")


@dataclass(frozen=True)
class Interpreter:
    """The interpreter the runtime check runs in, and why that one (for the output)."""

    python: str
    why: str


def _venv_python(folder: Path) -> Path | None:
    for name in ("python", "python3"):
        candidate = folder / "bin" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def choose_interpreter(
    repo: Path, python: str | None = None, environ: Mapping[str, str] | None = None
) -> Interpreter:
    """``--python``, else the active ``$VIRTUAL_ENV``, else the repository's own
    ``.venv`` / ``venv`` / ``env``, else unify's own interpreter: the first that is there.

    A Windows virtualenv (``Scripts/python.exe``) cannot run here: it is named in
    ``why`` and passed over.  Never raises.
    """
    environ = os.environ if environ is None else environ
    if python:
        return Interpreter(python, "given with --python")
    notes = []
    active = environ.get("VIRTUAL_ENV")
    if active:
        found = _venv_python(Path(active))
        if found is not None:
            return Interpreter(str(found), f"the active virtualenv ($VIRTUAL_ENV={active})")
        notes.append(f"$VIRTUAL_ENV={active} has no bin/python")
    for name in _REPO_VENVS:
        folder = Path(repo) / name
        found = _venv_python(folder)
        if found is not None:
            return Interpreter(str(found), f"the repository's virtualenv {name}/")
        if (folder / "Scripts" / "python.exe").is_file():
            notes.append(f"{name}/Scripts/python.exe is a Windows virtualenv, not runnable here")
    why = "unify's own interpreter: no --python, no active virtualenv, no .venv/venv/env"
    why += " in the repository" + (f" ({'; '.join(notes)})" if notes else "")
    return Interpreter(sys.executable, why)


_NO_MODULE = re.compile(r"No module named '([^']+)'")
_CANNOT_IMPORT = re.compile(r"cannot import name '[^']+' from '([^']+)'")


def _project_module(root: Path, dotted: str) -> bool:
    top = dotted.split(".")[0]
    return (root / top).is_dir() or (root / f"{top}.py").is_file()


def environment_gap(result: ProbeResult, root: Path) -> str | None:
    """Why the probe could not judge the models in that interpreter, or None.

    The interpreter is missing, cannot run the probe, lacks SQLAlchemy (or has one
    too old), or lacks a package the project imports (a dependency, a database
    driver): none of that is the models' fault.  A missing *project* module, or any
    other failure, is the models' (None).
    """
    if result.ok:
        return None
    error = result.error or {}
    message = str(error.get("message") or "")
    if result.stage in ("usage", "environment"):
        if message.startswith("internal error of the unify probe"):
            return None
        if error.get("type") in ("InterpreterNotFound", "InterpreterNotRunnable", "UsageError"):
            return None  # a wrong --python is the user's to fix: FAILED, saying so
        return message.splitlines()[0] if message else f"the probe could not start ({result.stage})"
    if result.stage != "import" or error.get("type") not in ("ModuleNotFoundError", "ImportError"):
        return None
    missing = _NO_MODULE.search(message) or _CANNOT_IMPORT.search(message)
    if missing is None or _project_module(Path(root), missing.group(1)):
        return None
    what = "module" if missing.re is _NO_MODULE else "name from the installed package"
    return (f"the interpreter lacks a {what} the project imports: {message.splitlines()[0]}"
            " (a dependency or database driver not installed there)")
