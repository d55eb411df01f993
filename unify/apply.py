"""Stage 5: apply a plan, one commit per step, on a new branch.

Reads only the plan and the repository. Each step is a function of the work
tree that returns the files it touched; :func:`apply_plan` reads as the list of
steps it commits.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
import signal
import subprocess
import sys
import time
import tokenize
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from codemods.merge_target_imports import MergeTargetImportsCommand
from codemods.rename_string_refs import RenameStringRefsCommand
from codemods.rewrite_package_attrs import RewritePackageAttrsCommand
from codemods.rewrite_imports import RewriteImportsCommand
from codemods.rewrite_imports_fast import rewrite_fast
from unify import gitops
from unify.compat import compat_text, shim_text
from unify.exports import shim_names, target_additions
from unify.errors import Refused
from unify.inventory import Inventory, build_inventory, module_dotted
from unify.merge import MergeInput, merge, renames_for
from unify.merge_edit import global_renames
from unify.plan import Plan
from unify.resolve import ModuleIndex
from unify.gitrepo import keyed_python_files
from unify.scan import ScanResult, read_files, scan, worker_count

STEPS = ("target-module", "compat-module", "rewrite-imports", "retire-sources", "migration",
         "format")


@dataclass(frozen=True)
class StepResult:
    number: int
    name: str
    commit: str
    files: tuple[str, ...]


@dataclass
class Context:
    plan: Plan
    plan_id: str
    work: Path  # the temporary work tree
    inventory: Inventory  # of the work tree before any step
    index: ModuleIndex
    sys_root: str  # folder the project's imports are relative to
    base: str = ""  # the commit the branch starts from
    branch: str = ""  # the branch the steps are committed to ("" for a dry run)
    notes: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # files unify wrote from scratch
    migration_on: bool = True  # --no-migration: False
    migration: object | None = None  # the migration step's MigrationResult
    black: bool = False  # the project is black-formatted: moved code may be formatted too
    scanned: ScanResult | None = None  # the scan the inventory was built from

    def dotted(self, path: str) -> str:
        return module_dotted(path, self.sys_root)

    def inside(self, path: str) -> Path:
        """``path`` in the work tree; refused if it leaves it or passes through a symlink."""
        current = self.work
        for part in Path(path).parts:
            current = current / part
            if part in ("..", ".git") or current.is_symlink() or Path(part).is_absolute():
                raise Refused(f"{path}: unify does not write through {current.name!r} "
                              "(a symlink, .., or .git)", "name the real path in the plan")
        return current

    def read(self, path: str) -> str:
        """The file's text, decoded as its coding cookie says (PEP 263; default UTF-8)."""
        raw = (self.work / path).read_bytes()
        try:
            encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]
            return raw.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError):
            raise Refused(f"{path}: cannot decode it as its coding cookie (or UTF-8) says",
                          "fix the file's encoding or its # -*- coding: -*- line") from None

    def write(self, path: str, text: str) -> None:
        """Written in the encoding its own coding cookie names (UTF-8 without one)."""
        target = self.inside(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        try:
            encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
            data = text.encode(encoding)
        except (SyntaxError, LookupError):
            pass
        except UnicodeEncodeError:
            raise Refused(f"{path}: the merged text has characters its coding cookie "
                          "cannot encode", "save the sources as UTF-8") from None
        target.write_bytes(data)


def plan_id(text: str) -> str:
    """The plan's fingerprint, carried in every commit's ``Unify-Plan`` trailer."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def message(ctx: Context, number: int, name: str, summary: str, body: str) -> str:
    return (f"unify: {summary}\n\n{body}\n\nUnify-Plan: {ctx.plan_id}\n"
            f"Unify-Step: {number}/{len(STEPS)} {name}\nUnify-Base: {ctx.base}\n"
            f"Unify-Branch: {ctx.branch}\n")


# -- context ------------------------------------------------------------------------


def build_context(plan: Plan, text: str, work: Path, base: str, branch: str,
                  scanned: ScanResult | None = None) -> Context:
    """``scanned``: the scan of a tree with the same files as ``work`` (the plan
    check's, of a clean checkout of the same commit); None: scan ``work``."""
    if scanned is None:
        # importers outside the scope too (issue 16)
        scanned = scan(work, "", focus=True, watch=plan.sources)
    result = replace(scanned, repo=work)
    inv = build_inventory(result)
    index = ModuleIndex([m for m in result.modules if m.error is None], result.layout)
    return Context(plan, plan_id(text), work, inv, index, _sys_root(inv, plan.scope),
                   base, branch, scanned=result)


def same_as_head(root: Path, scope: str) -> bool:
    """Does a checkout of HEAD hold the same Python files, byte for byte, as ``root``?
    True when every one is tracked and unmodified (apply refuses staged changes)."""
    return all(key is not None for _, key in keyed_python_files(root, scope))


def rescan(ctx: Context, touched: list[str]) -> ScanResult:
    """The context's scan of the work tree, after the steps: the files they wrote
    (or removed, or moved) read again, every other file's facts as they were."""
    modules = {m.path: m for m in ctx.scanned.modules}  # the whole repository (issue 16)
    wrote = []
    for path in touched:
        modules.pop(path, None)
        if path.endswith(".py") and (ctx.work / path).is_file():
            wrote.append(path)
    modules.update(read_files(ctx.work, wrote))
    return replace(ctx.scanned, modules=tuple(modules[p] for p in sorted(modules)))


def _sys_root(inv: Inventory, scope: str) -> str:
    """The folder absolute imports are relative to, by vote of the import sites."""
    votes: Counter[str] = Counter()
    for site in inv.dependents:
        if site.form in ("star", "attribute") or "relative" in site.flags:
            continue
        module = site.module + (f".{site.names[0][0]}" if "submodule" in site.flags else "")
        stem = site.target[:-3]
        if stem.endswith("/__init__"):
            stem = stem[: -len("/__init__")]
        tail = module.replace(".", "/")
        if stem == tail or stem.endswith("/" + tail):
            votes[stem[: len(stem) - len(tail)].rstrip("/")] += 1
    return votes.most_common(1)[0][0] if votes else scope


# -- steps ------------------------------------------------------------------------------


def black_project(work: Path, sources: tuple[str, ...]) -> bool:
    """Does the project use black? A ``[tool.black]`` section in its pyproject.toml,
    or black would leave its model sources unchanged (checked before they move)."""
    pyproject = work / "pyproject.toml"
    if pyproject.is_file() and re.search(
            r"^\[tool\.black\]", pyproject.read_text(encoding="utf-8", errors="replace"), re.M):
        return True
    files = [s for s in sources if (work / s).is_file()]
    if not files:
        return False
    done = subprocess.run([sys.executable, "-m", "black", "--check", "-q", *files],
                          cwd=work, capture_output=True)
    return done.returncode == 0


def step_target(ctx: Context) -> tuple[str, str, list[str]]:
    plan = ctx.plan
    ctx.black = black_project(ctx.work, plan.sources)
    models = {}
    for model in ctx.inventory.models:
        if model.path in plan.sources:
            models.setdefault(model.path, []).append(model.name)
    merged = merge(MergeInput(
        plan=plan,
        sources={p: ctx.read(p) for p in plan.sources},
        model_names={p: tuple(n) for p, n in models.items()},
        index=ctx.index,
        module_names={p: ctx.dotted(p) for p in ctx.index.by_path},
    ))
    ctx.notes += merged.notes
    ctx.write(plan.target, target_additions(
        merged.text, plan.target if plan.target in plan.sources else None, ctx.index.by_path,
        plan.sources, {**global_renames(plan), **renames_for(plan, plan.target)}, ctx.index,
        set(plan.sources) | {plan.target}, ctx.notes,
        frozenset(n for c in plan.cycles if c.source == plan.target and c.fix != "keep"
                  for n in c.names)))
    ctx.generated.append(plan.target)
    count = sum(len(s.models) for s in plan.sections)
    body = (f"{count} models from {', '.join(plan.sources)} in {len(plan.sections)} sections "
            f"({'; '.join(s.title for s in plan.sections)}).")
    return f"create the sectioned models module {plan.target}", body, [plan.target]


def step_compat(ctx: Context) -> tuple[str, str, list[str]]:
    aliases = {a.old: a.new for a in ctx.plan.aliases if a.enabled}
    aliases.update(global_renames(ctx.plan))
    ctx.write(ctx.plan.compat, compat_text(ctx.dotted(ctx.plan.target), aliases))
    ctx.generated.append(ctx.plan.compat)
    body = f"Re-exports {ctx.dotted(ctx.plan.target)} and {len(aliases)} old names."
    return f"add the compatibility module {ctx.plan.compat}", body, [ctx.plan.compat]


def _old_module_names(ctx: Context, source: str) -> set[str]:
    names = {ctx.dotted(source)}
    for site in ctx.inventory.dependents:
        if site.target == source and "relative" not in site.flags and site.form != "attribute":
            names.add(site.module + (f".{site.names[0][0]}" if "submodule" in site.flags else ""))
    return names


def step_rewrite(ctx: Context) -> tuple[str, str, list[str]]:
    plan = ctx.plan
    skip = set(plan.sources) | {plan.target, plan.compat}
    files = sorted({s.path for s in ctx.inventory.dependents
                    if s.target in plan.sources} - skip)
    groups: dict[tuple, list[str]] = {}
    for source in plan.sources:
        renames = renames_for(plan, source)
        if source == plan.target and not renames:
            continue
        groups.setdefault(tuple(sorted(renames.items())), []).append(source)
    job = _rewrite_job(ctx, groups)
    changed = []
    for path, (data, notes) in zip(files, _rewrite_all(job, [(p, ctx.dotted(p)) for p in files])):
        ctx.notes += notes
        if data is not None:
            (ctx.work / path).write_bytes(data)
            changed.append(path)
    body = f"{len(changed)} files now import from {ctx.dotted(plan.target)}."
    return "rewrite imports of the old model modules", body, changed


def _rewrite_file(ctx: Context, path: str, groups) -> bool:
    data, notes = _rewritten(_rewrite_job(ctx, groups), path, ctx.dotted(path))
    ctx.notes += notes
    if data is None:
        return False
    (ctx.work / path).write_bytes(data)
    return True


#: Rewrite in worker processes only when there are more files than this: a
#: libcst rewrite costs about 0.1 s a file, starting a forked worker far less.
REWRITE_PARALLEL_MIN = 16


@dataclass(frozen=True)
class _RewriteJob:
    """What rewriting any one dependent needs: plain data, sent once to each worker."""

    work: str
    target: str  # the target module, dotted
    groups: tuple[tuple[tuple[tuple[str, str], ...], tuple[str, ...]], ...]  # (renames, old)
    strings: dict[str, str]  # class renames inside string references
    #: path -> ((pkg.old.Name as used, target module, name in the target), ...)
    attrs: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)
    fast: bool = True  # try rewrite_fast before the codemod (UNIFY_FAST_REWRITE=0: never)


def _rewrite_job(ctx: Context, groups: dict[tuple, list[str]]) -> _RewriteJob:
    return _RewriteJob(
        work=str(ctx.work),
        target=ctx.dotted(ctx.plan.target),
        groups=tuple(
            (renames, tuple(sorted({n for s in sources for n in _old_module_names(ctx, s)})))
            for renames, sources in groups.items()
        ),
        strings=global_renames(ctx.plan),
        attrs=_attribute_uses(ctx),
        fast=os.environ.get("UNIFY_FAST_REWRITE", "1") != "0",
    )


def _attribute_uses(ctx: Context) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """`pkg.old.Name` uses of each retired source through its package, per file."""
    plan, found = ctx.plan, {}
    target = ctx.dotted(plan.target)
    for site in ctx.inventory.dependents:
        if site.form != "attribute" or site.target not in plan.sources or not site.names \
                or site.target == plan.target:
            continue
        name = site.names[0][0]
        new = renames_for(plan, site.target).get(name, name)
        found.setdefault(site.path, set()).add((f"{site.module}.{name}", target, new))
    return {path: tuple(sorted(uses)) for path, uses in found.items()}


def _rewritten(job: _RewriteJob, path: str, dotted: str) -> tuple[bytes | None, list[str]]:
    """The file's new bytes (None: unchanged) and the codemods' warnings.

    Each group of old modules goes through ``rewrite_fast`` first; a file it
    cannot rewrite exactly as the codemod would goes through the codemod."""
    raw = (Path(job.work) / path).read_bytes()
    package = dotted if path.endswith("__init__.py") else dotted.rpartition(".")[0]
    context = CodemodContext(filename=path, full_module_name=dotted, full_package_name=package)
    notes: list[str] = []
    data = raw
    for renames, old_modules in job.groups:
        old = list(old_modules)
        fast = None
        if job.fast and job.target not in old:
            fast = rewrite_fast(data, old_modules=old, new_module=job.target,
                                renames=dict(renames), module_name=dotted, package=package)
        if fast is not None:
            data = fast
            continue
        module = cst.parse_module(data)
        if job.target in old:  # renames inside the target's own module: go via a stand-in name
            module = _codemod(context, module, [job.target], PLACEHOLDER, dict(renames))
            old = [n for n in old if n != job.target] + [PLACEHOLDER]
        module = _codemod(context, module, old, job.target, dict(renames))
        notes += [f"{path}: {w}".replace(PLACEHOLDER, job.target) for w in context.warnings]
        context.warnings.clear()
        data = module.bytes
    if data != raw and data.count(f"from {job.target} import ".encode()) > 1:
        # one `from target import ...` where the rewrite left several lines
        merged = MergeTargetImportsCommand(context, module=job.target)
        data = merged.transform_module(cst.parse_module(data)).bytes
    strings = job.strings
    if strings and any(old.encode() in data for old in strings):
        try:
            module = cst.parse_module(data)
            data = RenameStringRefsCommand(context, rename_class=strings).transform_module(module).bytes
        except SkipFile:
            pass
    if job.attrs.get(path):
        uses = {chain: (module, name) for chain, module, name in job.attrs[path]}
        command = RewritePackageAttrsCommand(context, uses=uses)
        data = command.transform_module(cst.parse_module(data)).bytes
        notes += [f"{path}: {w}" for w in context.warnings]
        context.warnings.clear()
    return (None if data == raw else data), list(dict.fromkeys(notes))


def _rewrite_all(job: _RewriteJob, items: list[tuple[str, str]]):
    """``_rewritten`` for each (path, dotted), in order; over a process pool when it pays.
    A file that fails in a worker is redone here, so it fails the way it always did."""
    jobs = worker_count()
    if len(items) <= REWRITE_PARALLEL_MIN or jobs < 2:
        return [_rewritten(job, path, dotted) for path, dotted in items]
    chunk = max(1, min(8, len(items) // (jobs * 16)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_job, initargs=(job,)) as pool:
        done = list(pool.map(_rewritten_in_worker, items, chunksize=chunk))
    return [result if result is not None else _rewritten(job, *item)
            for result, item in zip(done, items)]


_JOB: _RewriteJob | None = None  # the job of this worker process


def _worker_job(job: _RewriteJob) -> None:
    global _JOB
    _JOB = job
    _die_with_parent()


def _die_with_parent() -> None:
    """A worker never outlives the apply: a kill -9 of the apply would leave it running,
    holding the caller's pipes open. Linux: PR_SET_PDEATHSIG; elsewhere a watcher thread."""
    parent = os.getppid()
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) == 0:  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _rewritten_in_worker(item: tuple[str, str]) -> tuple[bytes | None, list[str]] | None:
    try:
        assert _JOB is not None
        return _rewritten(_JOB, *item)
    except Exception:  # noqa: BLE001 - redone in the parent, which raises it as before
        return None


PLACEHOLDER = "unify_target_module_placeholder"


def _codemod(context, module: cst.Module, old: list[str], new: str, renames) -> cst.Module:
    try:
        command = RewriteImportsCommand(context, old_modules=old, new_module=new,
                                        renames=renames)
        return command.transform_module(module)
    except SkipFile:
        return module


def step_retire(ctx: Context) -> tuple[str, str, list[str]]:
    plan = ctx.plan
    touched = []
    target_module = ctx.dotted(plan.target)
    for source in plan.sources:
        if source == plan.target:
            continue
        touched.append(source)
        if plan.retire == "shim":
            renamed = renames_for(plan, source)
            names, extra = shim_names(
                ctx.read(plan.target), source, ctx.index.by_path[source], renamed, ctx.index,
                set(plan.sources) | {plan.target}, ctx.notes)
            text = shim_text(ctx.dotted(source), target_module, renamed, names=names,
                             extra=extra)
            ctx.write(source, text)
            ctx.generated.append(source)
        elif plan.retire == "archive":
            archived = posixpath.join("archive", source)
            (ctx.work / archived).parent.mkdir(parents=True, exist_ok=True)
            (ctx.work / source).rename(ctx.work / archived)
            touched.append(archived)
        else:
            (ctx.work / source).unlink()
    body = f"{len(touched)} old model files: {plan.retire}."
    return f"retire the old model files ({plan.retire})", body, touched


def step_migration(ctx: Context) -> tuple[str, str, list[str]]:
    from unify import migration_step

    if not ctx.migration_on:
        return "no database migration (--no-migration)", "Turned off by --no-migration.", []
    result = migration_step.run(ctx)
    ctx.migration = result
    if result.path:
        ctx.generated.append(result.path)
    return result.summary, result.body, [result.path] if result.path else []


def step_format(ctx: Context) -> tuple[str, str, list[str]]:
    """Black formats what unify wrote (compat module, shims); the target holds moved
    code, formatted only in a black-formatted project, so review shows pure moves."""
    files = [f for f in dict.fromkeys(ctx.generated) if (ctx.work / f).is_file()]
    kept = [] if ctx.black else [f for f in files if f == ctx.plan.target]
    files = [f for f in files if f not in kept]
    result = subprocess.run([sys.executable, "-m", "black", "-q", *files], cwd=ctx.work,
                            capture_output=True, text=True) if files else None
    if result is not None and result.returncode != 0:
        ctx.notes.append("black could not format the generated files: "
                         + (result.stderr.strip().splitlines() or ["?"])[-1])
    body = ("Only files unify generated, with the project's own black configuration: "
            + (", ".join(files) or "none") + ".")
    if kept:
        body += (f" Not {', '.join(kept)}: the project is not black-formatted, so the moved "
                 "code stays byte-identical to its source (git diff --color-moved shows it "
                 "as moved).")
    return "format the generated files with black", body, files


STEP_FUNCTIONS: tuple[Callable[[Context], tuple[str, str, list[str]]], ...] = (
    step_target, step_compat, step_rewrite, step_retire, step_migration, step_format,
)


def run_steps(ctx: Context, tree: gitops.Worktree, progress) -> list[StepResult]:
    results = []
    for number, (name, step) in enumerate(zip(STEPS, STEP_FUNCTIONS), start=1):
        progress(f"step {number}/{len(STEPS)} {name} ...")
        summary, body, files = step(ctx)
        sha = tree.commit(message(ctx, number, name, summary, body), files)
        results.append(StepResult(number, name, sha, tuple(files)))
        # the last commit is amended (Unify-Verified) after verification: its hash
        # is printed then, by the caller, so no printed commit is left dangling
        final = number == len(STEPS)
        progress(f"step {number}/{len(STEPS)} {name}: {len(files)} files"
                 + ("" if final else f", commit {sha[:10]}"))
        _fault_injection(number)
    return results


def _fault_injection(number: int) -> None:
    """Tests simulate a failure after step N (6: after verification): UNIFY_FAIL_AFTER_STEP=N
    raises, N:int sends SIGINT (Ctrl-C), N:kill ends the process on the spot (kill -9)."""
    value = os.environ.get("UNIFY_FAIL_AFTER_STEP", "")
    if value == f"{number}:kill":
        os._exit(137)
    if value == f"{number}:int":  # Ctrl-C
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)
    if value == str(number):
        raise Refused(f"simulated failure after step {number} (UNIFY_FAIL_AFTER_STEP)")
