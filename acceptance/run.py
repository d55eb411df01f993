"""Acceptance on real public projects: scan, check, plan, apply, rollback; invariants.

    .venv/bin/python acceptance/run.py [--quick] [--runtime] [--cache DIR] [PROJECT ...]

For each project pinned in ``acceptance/projects.toml`` (exact version, file name and
sha256): ``pip download --no-deps`` the file into the cache (outside the repository;
default ``~/.cache/unify-acceptance``, or ``$UNIFY_ACCEPTANCE_CACHE``), check its sha256,
unpack it into a scratch git repository (one commit), then run ``unify scan``,
``check``, ``plan`` (defaults), ``apply`` and ``rollback`` with timings, and assert the
invariants that hold for any project:

* ``no-internal-error``   no command died with a traceback or an unexpected exit code;
* ``compiles``            every .py file that compiled before compiles on the branch;
* ``no-retired-imports``  no file outside the compat module and shims imports a source;
* ``names-resolve``       ``unify check`` on the branch has no U303/U304 the base lacks;
* ``verify:<name>``       each check of apply's own verification, read generically from
                          its JSON (so a new check, e.g. nothing-lost, counts by itself);
* ``untouched-identical`` every file apply had no reason to touch is byte-identical;
* ``user-tree-untouched`` the user's branch, index and files are as before apply;
* ``rollback-exact``      after rollback the tree, HEAD and branches are as before.

With ``--runtime`` (and for a project whose wheel installs, see ``install`` in the
pins), the project is installed with its dependencies into its own venv under the
cache and apply gets ``--python`` that venv: the runtime probe before and after.

Results: ``acceptance/results/<project>.json`` and the generated part of
``acceptance/RESULTS.md`` (between its GENERATED markers; the rest is hand-written
triage and stays).  Exit 0 when every invariant of every project run holds, 1 when
one does not, 2 on bad input (a pin missing, a download impossible: the reason is
printed).  Downloaded code never enters the repository.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomlkit as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
PINS = HERE / "projects.toml"
RESULTS_DIR = HERE / "results"
RESULTS_MD = HERE / "RESULTS.md"
BEGIN, END = "<!-- BEGIN GENERATED (acceptance/run.py) -->", "<!-- END GENERATED -->"
BRANCH = "unify/models"
GIT_ENV = {"GIT_AUTHOR_NAME": "acceptance", "GIT_AUTHOR_EMAIL": "acceptance@unify.invalid",
           "GIT_COMMITTER_NAME": "acceptance", "GIT_COMMITTER_EMAIL": "acceptance@unify.invalid",
           "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z"}


class DownloadImpossible(Exception):
    """The pinned file cannot be had here (no network, gone from the index, sha256 differs)."""


def default_cache() -> Path:
    return Path(os.environ.get("UNIFY_ACCEPTANCE_CACHE") or Path.home() / ".cache/unify-acceptance")


def load_pins(path: Path = PINS) -> dict[str, dict]:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return {name: dict(pin) for name, pin in data["projects"].items()}


# -- download and unpack ----------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(pin: dict, cache: Path) -> Path:
    """The pinned file in the cache, downloaded with pip if absent; sha256 checked."""
    dl = cache / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    file = dl / pin["file"]
    if not file.is_file():
        kind = "--no-binary" if pin.get("kind", "sdist") == "sdist" else "--only-binary"
        command = [sys.executable, "-m", "pip", "download", "--no-deps", kind, ":all:",
                   "--dest", str(dl), f"{pin['dist']}=={pin['version']}"]
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode != 0 or not file.is_file():
            last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
            raise DownloadImpossible(f"pip download {pin['dist']}=={pin['version']}: {last}")
    got = sha256(file)
    if pin.get("sha256") and got != pin["sha256"]:
        raise DownloadImpossible(f"{file.name}: sha256 {got} is not the pinned {pin['sha256']}")
    return file


def unpack(archive: Path, dest: Path, strip: str | None) -> None:
    """Unpack into dest (emptied first); sdists lose their top folder."""
    if dest.exists():
        git_worktrees_prune(dest)
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            try:
                tf.extractall(dest, filter="data")
            except TypeError:  # Python without extraction filters
                tf.extractall(dest)
    entries = list(dest.iterdir())
    if strip != "" and len(entries) == 1 and entries[0].is_dir():
        top = entries[0]
        for child in list(top.iterdir()):
            child.rename(dest / child.name)
        top.rmdir()


def git(cwd: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, **GIT_ENV}
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def git_worktrees_prune(repo: Path) -> None:
    if (repo / ".git").exists():
        git(repo, "worktree", "prune", check=False)


def make_repo(path: Path) -> str:
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "core.autocrlf", "false")
    git(path, "add", "-A", "-f")
    git(path, "commit", "-q", "--no-verify", "-m", "unpacked release")
    return git(path, "rev-parse", "HEAD").strip()


# -- running unify ----------------------------------------------------------------------


def unify(repo: Path, *args: str, timeout: float = 3600) -> dict:
    """Run the CLI in a subprocess: exit code, seconds, JSON (when asked) and stderr."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "unify", *args], cwd=repo, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **GIT_ENV})
    seconds = round(time.monotonic() - start, 2)
    data = None
    if "--json" in args:
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            data = None
    internal = proc.returncode not in (0, 1, 2) or "Traceback (most recent call last)" in (
        proc.stderr + proc.stdout)
    stderr = proc.stderr[-4000:]
    crash = re.search(r"traceback is in (\S+?\.log)", proc.stderr)
    if crash and os.path.isfile(crash.group(1)):  # the crash log's last lines say what broke
        with open(crash.group(1), encoding="utf-8", errors="replace") as handle:
            stderr += "\n" + "\n".join(handle.read().strip().splitlines()[-6:])
    return {"args": list(args), "rc": proc.returncode, "seconds": seconds, "json": data,
            "stdout": proc.stdout[-4000:], "stderr": stderr, "internal": internal}


# -- the harness's own invariants -------------------------------------------------------


def py_files(root: Path) -> list[str]:
    out = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(".git/"):
            out.append(rel)
    return sorted(out)


def not_compiling(root: Path) -> set[str]:
    bad = set()
    for rel in py_files(root):
        try:
            compile((root / rel).read_bytes(), rel, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            bad.add(rel)
    return bad


def dotted(path: str) -> str:
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def module_names(path: str, roots: list[str]) -> set[str]:
    """Every dotted name a file can be imported as: from the repo root and each root."""
    names = {dotted(path)}
    for root in roots:
        if root and path.startswith(root.rstrip("/") + "/"):
            names.add(dotted(path[len(root.rstrip("/")) + 1:]))
    return names


def imports_of(source: bytes, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in a file; `from a import b` yields a.b too."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    out = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            out.extend((node.lineno, f"{name}.{a.name}") for a in node.names if a.name != "*")
    return out


def retired_imports(work: Path, plan: dict, roots: list[str]) -> list[str]:
    sources = set(plan.get("sources") or [])
    target, compat = plan.get("target"), plan.get("compat")
    retired = {n for s in sources - {target} for n in module_names(s, roots)}
    allowed = sources | {target, compat}
    left = []
    for rel in py_files(work):
        if rel in allowed:
            continue
        mod = dotted(rel)
        for line, name in imports_of((work / rel).read_bytes(), mod, rel.endswith("__init__.py")):
            if name in retired:
                left.append(f"{rel}:{line}: imports {name}")
    return sorted(set(left))


def tree_digest(root: Path) -> dict[str, str]:
    """path -> sha256 of every file under root except .git (the bytes on disk)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/") or not path.is_file() or path.is_symlink():
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def refs(repo: Path) -> dict[str, str]:
    out = {}
    for line in git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines():
        name, sha = line.split()
        if not name.startswith("refs/unify/"):  # rollback's backup refs are by design
            out[name] = sha
    return out


def findings_by_code(check: dict | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in (check or {}).get("diagnostics", []) or []:
        counts[item["code"]] = counts.get(item["code"], 0) + 1
    return dict(sorted(counts.items()))


def finding_samples(check: dict | None, per_code: int = 3) -> dict[str, list[str]]:
    """The first few findings of each code, "path:line: message", for the triage."""
    out: dict[str, list[str]] = {}
    for item in (check or {}).get("diagnostics", []) or []:
        rows = out.setdefault(item["code"], [])
        if len(rows) < per_code:
            rows.append(f"{item['path']}:{item.get('line')}: {item.get('message', '')[:240]}")
    return dict(sorted(out.items()))


def diagnostics_set(check: dict | None, codes: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(d["path"], f"{d['code']} {d.get('subject') or d.get('message')}")
            for d in (check or {}).get("diagnostics", []) or [] if d["code"] in codes}


def decide_open(plan_path: Path) -> list[str]:
    """A reviewer's decisions for what the plan leaves open (run.py's stand-in for a
    person): a conflict with resolution = "?" becomes "keep"; a fix whose target is
    "?" is turned off (enabled = false), as a reviewer who cannot tell would do; an
    undecided import cycle is kept (fix = "keep": verification's importers check then
    says whether it breaks); a lossy cast is accepted."""
    text = plan_path.read_text(encoding="utf-8")
    conflicts = text.count('resolution = "?"')
    text = text.replace('resolution = "?"', 'resolution = "keep"')
    blocks = text.split("\n[[")
    fixes = 0
    for i, block in enumerate(blocks):
        if block.startswith("fixes]]") and re.search(r'^to = "\?"$', block, re.M):
            blocks[i] = re.sub(r"^enabled = true$", "enabled = false", block, flags=re.M)
            fixes += 1
    text = "\n[[".join(blocks)
    cycles = text.count('fix = "?"')  # an import cycle: leave the import where it is
    text = text.replace('fix = "?"', 'fix = "keep"')
    losses = text.count('data_loss = "?"')  # a lossy cast in the migration: accepted
    text = text.replace('data_loss = "?"', 'data_loss = "accept"')
    plan_path.write_text(text, encoding="utf-8")
    notes = [f"{conflicts} open conflicts decided as keep"] if conflicts else []
    notes += [f"{cycles} undecided import cycles decided as keep"] if cycles else []
    notes += [f"{losses} lossy casts accepted"] if losses else []
    return notes + ([f"{fixes} undecided fixes (to = \"?\") turned off"] if fixes else [])


# -- runtime: a venv per project --------------------------------------------------------


def project_python(pin: dict, cache: Path, log, work: Path | None = None
                   ) -> tuple[str | None, str]:
    """(interpreter, why): the project's wheel installed with its dependencies, or None."""
    install = pin.get("install")
    if not install:
        return None, pin.get("install_note", "no install spec in the pins")
    venv = cache / "venvs" / f"{pin['name']}-{pin['version']}"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.is_file():
        return str(python), marker.read_text().strip()
    if (venv / ".failed").is_file():
        return None, (venv / ".failed").read_text().strip()
    base = pin.get("python") or sys.executable
    shutil.rmtree(venv, ignore_errors=True)
    log(f"  installing {install} into {venv} ...")
    start = time.monotonic()
    made = subprocess.run([base, "-m", "venv", str(venv)], capture_output=True, text=True)
    proc = made if made.returncode else subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *install.split()],
        capture_output=True, text=True)
    requirements = pin.get("requirements")  # the release's own pins, e.g. ckan's
    if proc.returncode == 0 and requirements and work is not None:
        install += f" -r {requirements}"
        proc = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r",
                               str(work / requirements)], capture_output=True, text=True)
    seconds = round(time.monotonic() - start)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        why = f"`pip install {install}` failed after {seconds} s: " + (
            lines[-1] if lines else f"exit {proc.returncode}")
        (venv / ".failed").write_text(why + "\n")
        return None, why
    why = f"`pip install {install}` into its own venv ({seconds} s)"
    marker.write_text(why + "\n")
    return str(python), why


# -- one project ------------------------------------------------------------------------


def run_project(name: str, pin: dict, cache: Path, runtime: bool, log=print,
                work_root: Path | None = None) -> dict:
    """Run one project end to end; ``work_root``: where to unpack (default: the cache)."""
    pin = {**pin, "name": name}
    result: dict = {"project": name, "dist": pin["dist"], "version": pin["version"],
                    "file": pin["file"], "sha256": pin.get("sha256"),
                    "model_modules_expected": pin.get("model_modules", ""),
                    "invariants": {}, "notes": [], "commands": {}}
    inv = result["invariants"]

    def hold(key: str, ok: bool, detail: str = "", items=(), skipped: bool = False) -> None:
        inv[key] = {"ok": bool(ok), "detail": detail, "items": list(items)[:20],
                    "skipped": bool(skipped)}

    archive = fetch(pin, cache)
    work_root = work_root or cache / "work"
    work = work_root / f"{name}-{pin['version']}"
    unpack(archive, work, pin.get("strip"))
    base = make_repo(work)
    result["files"] = len(py_files(work))
    before_bad = not_compiling(work)
    result["not_compiling_before"] = len(before_bad)

    def cmd(key: str, *args: str) -> dict:
        out = unify(work, *args)
        result["commands"][key] = {k: out[k] for k in ("args", "rc", "seconds", "internal")}
        if out["internal"]:
            result["commands"][key]["stderr"] = out["stderr"][-2000:]
            result["notes"].append(f"{key}: internal error: "
                                   + " | ".join(out["stderr"].strip().splitlines()[-2:])[:400])
        log(f"  {key:<10} exit {out['rc']} in {out['seconds']} s")
        return out

    scan = cmd("scan", "scan", "--json")
    check = cmd("check", "check", "--json")
    summary = (scan["json"] or {}).get("summary") or {}
    result["scan"] = {k: summary.get(k) for k in ("files_scanned", "models", "model_modules",
                                                   "dependent_files", "import_sites")}
    result["model_modules"] = sorted(m.get("path") if isinstance(m, dict) else str(m)
                                     for m in (scan["json"] or {}).get("model_modules", []))
    result["findings"] = findings_by_code(check["json"])
    result["finding_samples"] = finding_samples(check["json"])
    result["findings_total"] = sum(result["findings"].values())

    plan = cmd("plan", "plan", "--json")
    plan_json = plan["json"] or {}
    plan_data = plan_json.get("plan") or plan_json
    result["target"] = plan_data.get("target")
    result["sources"] = list(plan_data.get("sources") or [])
    result["plan_exit"] = plan["rc"]
    plan_file = work / "plans" / "models.toml"
    applied = False
    if plan["rc"] in (0, 1) and plan_file.is_file():
        result["notes"] += decide_open(plan_file)
        plans = work_root / f"{name}.plans"  # plans live outside the tree
        shutil.rmtree(plans, ignore_errors=True)
        (work / "plans").rename(plans)
        plan_file = plans / "models.toml"
        head_before, refs_before = git(work, "rev-parse", "HEAD").strip(), refs(work)
        status_before, files_before = git(work, "status", "--porcelain"), tree_digest(work)
        python, why = (project_python(pin, cache, log, work) if runtime else
                       (None, "runtime not asked for (--runtime)"))
        result["runtime_python"] = {"python": python, "why": why}
        args = ["apply", str(plan_file), "--branch", BRANCH, "--json", "--repo", str(work)]
        if python:
            args += ["--python", python]
        apply = cmd("apply", *args)
        data = apply["json"] or {}
        applied = apply["rc"] == 0 or bool(data.get("steps"))
        verification = data.get("verification") or {}
        result["verification"] = verification
        result["verification_steps"] = data.get("steps") or []
        for check_row in verification.get("checks") or []:
            hold(f"verify:{check_row['name']}", check_row.get("ok"), check_row.get("detail", ""),
                 check_row.get("items") or [], check_row.get("skipped", False))
        result["verdict"] = verification.get("verdict") or (
            None if not verification else "passed" if verification.get("ok") else "FAILED")
        if not applied:
            result["notes"].append("apply did not run: " + (
                (apply["stderr"] or apply["stdout"]).strip().splitlines() or ["?"])[-1][:300])
        hold("user-tree-untouched",
             git(work, "rev-parse", "HEAD").strip() == head_before
             and git(work, "status", "--porcelain") == status_before
             and tree_digest(work) == files_before,
             "HEAD, status and every file of the user's checkout unchanged by apply")
        if applied:
            after = work_root / f"{name}-after"
            shutil.rmtree(after, ignore_errors=True)
            git(work, "worktree", "add", "-q", "--detach", str(after), BRANCH)
            try:
                after_checks(result, hold, work, after, base, scan["json"] or {}, plan_data,
                             check["json"], cmd)
            finally:
                git(work, "worktree", "remove", "--force", str(after), check=False)
            rollback = cmd("rollback", "rollback", "--json", "--branch", BRANCH)
            hold("rollback-exact",
                 rollback["rc"] == 0 and git(work, "rev-parse", "HEAD").strip() == base
                 and refs(work) == refs_before and tree_digest(work) == files_before
                 and git(work, "status", "--porcelain") == status_before,
                 "after rollback: HEAD, refs (but the backup), status and files as before apply"
                 + ("" if rollback["rc"] == 0 else f"; rollback exit {rollback['rc']}"))
    else:
        result["notes"].append(f"plan exit {plan['rc']}: " + (
            (plan["stderr"] or plan["stdout"]).strip().splitlines() or ["?"])[-1][:300])
    result["applied"] = applied
    internal = [k for k, c in result["commands"].items() if c["internal"]]
    hold("no-internal-error", not internal,
         "no traceback, every exit code 0/1/2" if not internal else "internal error in "
         + ", ".join(internal))
    if not applied:
        for key in ("user-tree-untouched", "compiles", "no-retired-imports", "names-resolve",
                    "untouched-identical", "rollback-exact"):
            inv.setdefault(key, {"ok": False, "detail": "not reached: apply did not run",
                                 "items": [], "not_reached": True})
    result["ok"] = all(v["ok"] for v in inv.values())
    return result


def after_checks(result, hold, work: Path, after: Path, base: str, scan: dict, plan: dict,
                 check_before: dict | None, cmd) -> None:
    apply_commits = git(work, "rev-list", "--count", f"{base}..{BRANCH}").strip()
    result["apply_commits"] = int(apply_commits)
    broken = sorted(not_compiling(after) - set())
    was = set()
    for rel in broken:
        if (work / rel).is_file():
            try:
                compile((work / rel).read_bytes(), rel, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                was.add(rel)
    new_broken = [b for b in broken if b not in was]
    hold("compiles", not new_broken, f"{len(new_broken)} files stopped compiling"
         if new_broken else f"every .py that compiled before compiles ({len(was)} never did)",
         new_broken)
    roots = sorted({r for r in (scan.get("roots") or []) if isinstance(r, str)})
    left = retired_imports(after, plan, roots)
    hold("no-retired-imports", not left, f"{len(left)} imports of retired modules remain"
         if left else "no file imports a retired source module", left)
    check_after = cmd("check-after", "check", "--json", "--repo", str(after))
    codes = ("U303", "U304")
    new = sorted(diagnostics_set(check_after["json"], codes)
                 - diagnostics_set(check_before, codes))
    skip = set(plan.get("sources") or []) | {plan.get("compat")}
    new = [n for n in new if n[0] not in skip]
    hold("names-resolve", not new, f"{len(new)} new unresolved imports"
         if new else "no U303/U304 the base did not have", [f"{p}: {s}" for p, s in new])
    result["findings_after"] = findings_by_code(check_after["json"])
    changed = set(git(work, "diff", "--name-only", "--no-renames", base, BRANCH).splitlines())
    dependents = {d.get("path") for d in scan.get("dependents", []) if isinstance(d, dict)}
    # the files of apply's migration step (a new Alembic revision) are unify's own too
    revisions = {f for step in ((result.get("verification_steps")) or [])
                 if step.get("name") == "migration" for f in step.get("files") or []}
    expected = (set(plan.get("sources") or []) | {plan.get("target"), plan.get("compat")}
                | dependents | revisions)
    stray = sorted(p for p in changed - expected if not p.startswith("plans/"))
    result["changed_files"] = len(changed)
    hold("untouched-identical", not stray,
         f"{len(changed)} files changed, all sources, target, compat, dependents or the "
         "migration revision"
         if not stray else f"{len(stray)} files changed that are no source, target, compat "
         "or dependent", stray)


# -- RESULTS.md -------------------------------------------------------------------------


def _mark(inv: dict | None) -> str:
    if inv is None:
        return "-"
    if inv.get("skipped"):
        return "skipped"
    if inv.get("not_reached"):
        return "not reached"
    return "ok" if inv["ok"] else "**FAIL**"


def render(results: list[dict]) -> str:
    keys: list[str] = []
    for res in results:
        for key in res["invariants"]:
            if key not in keys:
                keys.append(key)
    lines = [BEGIN, "", "| project | version | files | models | model modules | sources | "
             "dependents | target | plan s | apply s | findings |", "|" + "---|" * 11]
    for r in results:
        sc = r.get("scan") or {}
        apply = r["commands"].get("apply", {})
        lines.append(
            f"| {r['project']} | {r['version']} | {r.get('files')} | {sc.get('models')} | "
            f"{sc.get('model_modules')} | {len(r.get('sources') or [])} | "
            f"{sc.get('dependent_files')} | `{r.get('target')}` | "
            f"{r['commands'].get('plan', {}).get('seconds')} | {apply.get('seconds', '-')} | "
            f"{r.get('findings_total')} |")
    lines += ["", "Invariants (ok / **FAIL** / skipped: could not run here / not reached: "
              "apply did not run / - not applicable):", "",
              "| invariant | " + " | ".join(r["project"] for r in results) + " |",
              "|---|" + "---|" * len(results)]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(_mark(r["invariants"].get(key)) for r in results)
                     + " |")
    lines.append("")
    for r in results:
        lines.append(f"### {r['project']} {r['version']} (`{r['file']}`)")
        lines.append("")
        sc = r.get("scan") or {}
        lines.append(f"- scan: {sc}")
        lines.append(f"- model modules found: {', '.join(r.get('model_modules') or []) or '-'}")
        lines.append(f"- sources in the default plan: {', '.join(r.get('sources') or []) or '-'}")
        lines.append("- timings: " + ", ".join(f"{k} {c['seconds']} s (exit {c['rc']})"
                                                for k, c in r["commands"].items()))
        lines.append(f"- apply's verdict: {r.get('verdict') or '-'}")
        lines.append(f"- findings by code: {r.get('findings') or '{}'}; after apply: "
                     f"{r.get('findings_after', '-')}")
        rt = r.get("runtime_python") or {}
        if rt:
            lines.append(f"- runtime interpreter: {rt.get('python') or 'none'} ({rt.get('why')})")
        probes = (r.get("verification") or {}).get("probes") or {}
        for when in ("before", "after"):
            if probes.get(when):
                lines.append(f"- runtime probe {when}: {probes[when]['message'][:300]}")
        for check in (r.get("verification") or {}).get("checks") or []:
            lines.append(f"- verify {check['name']}: {'ok' if check['ok'] else 'FAILED'}: "
                         f"{check.get('detail', '')}")
        for key, value in r["invariants"].items():
            if value.get("not_reached"):
                continue
            if not value["ok"] or value.get("skipped"):
                how = "is skipped" if value.get("skipped") else "fails"
                lines.append(f"- **{key} {how}**: {value['detail']}")
                lines.extend(f"  - `{item}`" for item in value["items"][:8])
        lines.extend(f"- note: {note}" for note in r.get("notes") or [])
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write_results(results: list[dict]) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    for res in results:
        (RESULTS_DIR / f"{res['project']}.json").write_text(
            json.dumps(res, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    every = []
    for path in sorted(RESULTS_DIR.glob("*.json")):
        every.append(json.loads(path.read_text(encoding="utf-8")))
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.is_file() else (
        "# Acceptance results\n\n" + BEGIN + "\n" + END + "\n")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    RESULTS_MD.write_text(head + render(every) + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", help="names from projects.toml (default: all)")
    parser.add_argument("--quick", action="store_true", help="only the pins marked quick")
    parser.add_argument("--runtime", action="store_true",
                        help="install each project's wheel into a venv and probe with it")
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--no-write", action="store_true", help="do not update results/")
    args = parser.parse_args(argv)
    pins = load_pins()
    names = args.projects or [n for n, p in pins.items() if p.get("quick") or not args.quick]
    unknown = [n for n in names if n not in pins]
    if unknown:
        print(f"acceptance/projects.toml has no project {', '.join(unknown)}: "
              f"pick from {', '.join(pins)}", file=sys.stderr)
        return 2
    cache = (args.cache or default_cache()).expanduser().resolve()
    results = []
    for name in names:
        print(f"{name} {pins[name]['version']}:", flush=True)
        try:
            res = run_project(name, pins[name], cache, args.runtime,
                              log=lambda m: print(m, flush=True))
        except DownloadImpossible as exc:
            print(f"  cannot download: {exc}", file=sys.stderr)
            return 2
        results.append(res)
        if not args.no_write:
            write_results([res])
        bad = [k for k, v in res["invariants"].items() if not v["ok"]]
        print(f"  {'every invariant holds' if not bad else 'FAILED: ' + ', '.join(bad)}",
              flush=True)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
