"""The library entry points: each reads as the list of stages it runs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from unify.errors import InputError, Refused
from unify.gitrepo import locate

# Everything else is imported by the function that needs it: `unify --version`,
# `--help` and a `unify plan` the plan memo answers never load libcst, black,
# GitPython, tomlkit or the analysis stages.
if TYPE_CHECKING:
    from unify import dbcheck
    from unify import finalize as finalize_mod
    from unify import rollback as rollback_mod
    from unify import status as status_mod
    from unify.diagnostics import Diagnostic
    from unify.inventory import Inventory
    from unify.plan import Plan
    from unify.plancheck import Problem


@dataclass(frozen=True)
class CheckResult:
    inventory: Inventory
    diagnostics: tuple[Diagnostic, ...]
    database: str | None = None  # the --database URL, without its password

    @property
    def return_code(self) -> int:
        return 1 if any(d.severity != "note" for d in self.diagnostics) else 0  # notes: 0


def inventory(path: str | None = None, repo: str | None = None) -> Inventory:
    from unify.inventory import build_inventory
    from unify.scan import scan

    root, scope = locate(path, repo)
    return build_inventory(scan(root, scope))


def check(
    path: str | None = None,
    repo: str | None = None,
    select_codes: tuple[str, ...] = (),
    ignore_codes: tuple[str, ...] = (),
    database: str | None = None,
) -> CheckResult:
    from unify import dbcheck
    from unify.analyze import analyze
    from unify.diagnostics import select

    inv = inventory(path, repo)
    found = analyze(inv)
    live = live_schema(inv, database) if database else None
    if live is not None:
        found = sorted(found + dbcheck.compare(inv, live))
    found = select(found, select_codes, ignore_codes)
    return CheckResult(inv, tuple(found), live.display if live else None)


def live_schema(inv: Inventory, database: str) -> dbcheck.LiveSchema:
    """The database's tables, in its default schema and in every schema the models name."""
    from unify import dbcheck

    schemas = {m.schema for m in inv.models} | {t.schema for t in inv.tables}
    return dbcheck.read_schema(database, sorted(s for s in schemas if s))


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    inventory: Inventory | None  # None: the plan came from the plan memo (no scan ran)
    path: Path | None  # where the plan was written (None: not written)
    text: str


def read_set(inv: Inventory, sources: tuple[str, ...]) -> list[str]:
    """Every file a plan depends on: sources, re-exports, dependents, dynamic importers."""
    files = set(sources) | set(inv.reexport_modules) | set(inv.dependent_files)
    files |= {d.path for d in inv.dynamic_imports if d.target}
    return sorted(files)


def make_plan(
    path: str | None = None,
    repo: str | None = None,
    output: str | None = None,
    target: str | None = None,
    compat: str | None = None,
    sources: tuple[str, ...] = (),
    retire: str = "shim",
    force: bool = False,
    database: str | None = None,
) -> PlanResult:
    from unify import planmemo

    root, scope = locate(path, repo)
    options = None if database else _memo_options(root, scope, target, compat, sources, retire)
    slot = planmemo.slot(root, scope, options)
    recalled = planmemo.recall(root, slot) if slot else None
    if recalled is not None:
        (plan, text), inv = recalled, None
    else:
        from unify import planfile  # tomlkit: only to render

        plan, inv, stats = _build_plan(root, scope, target, compat, sources, retire, database)
        text = planfile.render(plan)
        if slot is not None and planmemo.slot(root, scope, options) == slot:  # none changed
            planmemo.remember(slot, plan, text, stats)
    written = _write(root, output, text, force) if output != "-" else None
    return PlanResult(plan, inv, written, text)


def _build_plan(root: Path, scope: str, target: str | None, compat: str | None,
                sources: tuple[str, ...], retire: str, database: str | None):
    """(plan, inventory, stats of the fingerprinted files): scan, analyse, decide."""
    from unify.analyze import analyze
    from unify.gitrepo import head_commit
    from unify.inventory import build_inventory
    from unify.plan import build_plan
    from unify.planmemo import fingerprints
    from unify.scan import scan
    from unify.target import choose as choose_target
    from unify.target import file_kind

    # PATH narrows the models merged, never the importers rewritten: the whole
    # repository is scanned, so every importer of a source is found (issue 16).
    scanned = scan(root, "", focus=True)
    inv = build_inventory(scanned)
    in_path = tuple(m for m in inv.live_model_modules if within(m, scope))
    if not in_path:
        raise Refused(f"no ORM models found under {scope or root}",
                      "run `unify scan` to see what unify found")
    live = live_schema(inv, database) if database else None
    sources = tuple(_in_scope(root, scope, s) for s in sources) or in_path
    unknown = sorted(set(sources) - set(inv.model_modules))
    if unknown:
        raise InputError(f"--source {unknown[0]} defines no models",
                         f"model modules: {', '.join(inv.model_modules)}")
    chosen = choose_target(inv, sources, _in_scope(root, scope, target) if target else None,
                           lambda p: file_kind(root, inv, p))
    sources = chosen.sources
    read = read_set(inv, sources)  # + an existing target: apply refuses if it changes
    if chosen.target not in read and (root / chosen.target).is_file():
        read = sorted([*read, chosen.target])
    blobs, stats = fingerprints(root, read)
    plan = build_plan(
        inv, analyze(inv), head_commit(root), blobs,
        target=chosen.target,
        compat=_in_scope(root, scope, compat) if compat else None,
        sources=sources, retire=retire, target_reason=chosen.reason,
        headings=source_headings(root, inv, sources),
    )
    plan = replace(plan, scope=scope)
    from unify.migration import mark_data_loss

    plan = mark_data_loss(plan, root)
    if live is not None:
        from unify import stubs  # black

        texts = {p: (root / p).read_bytes().decode("utf-8", "replace") for p in sources}
        plan = stubs.extend_plan(plan, inv, live, texts)
    return _with_module_strings(root, plan, [m.path for m in scanned.modules]), inv, stats


def _with_module_strings(root: Path, plan, paths: list[str]):
    """The plan with the strings naming an old module path in its blast radius."""
    import dataclasses

    from unify import modrefs

    old = set(plan.sources) - {plan.target}
    found = modrefs.find(root, paths, modrefs.names_of(paths, old),
                         skip=set(plan.sources) | {plan.target, plan.compat}, target=plan.target)
    # a dynamic import's argument is listed once, as the dynamic import
    dynamic = {u.split(" ", 1)[0] for u in plan.unrewritable}
    found = [s for s in found if f"{s.path}:{s.line}" not in dynamic]
    if not found:
        return plan
    return dataclasses.replace(plan, unrewritable=plan.unrewritable + tuple(
        s.render() for s in found))


def source_headings(root: Path, inv: Inventory, sources) -> dict[str, dict[str, str]]:
    """Path -> {class: the heading above it in that source} (:mod:`unify.headings`)."""
    from unify.headings import model_headings

    names: dict[str, set[str]] = {}
    for model in inv.models:
        names.setdefault(model.path, set()).add(model.name)
    return {p: model_headings((root / p).read_bytes().decode("utf-8-sig", "replace"),
                              names[p]) for p in sources if p in names}


def within(path: str, scope: str) -> bool:
    """Is the repository-relative ``path`` the scope or inside it ("" is everything)?"""
    return not scope or path == scope or path.startswith(scope.rstrip("/") + "/")


def _memo_options(root: Path, scope: str, target: str | None, compat: str | None,
                  sources: tuple[str, ...], retire: str) -> tuple | None:
    """The options as the plan sees them (paths resolved against the current folder
    and the scope); None when one is refused: the run reports it where it always has."""
    try:
        return (
            _in_scope(root, scope, target) if target else None,
            _in_scope(root, scope, compat) if compat else None,
            tuple(_in_scope(root, scope, s) for s in sources),
            retire,
        )
    except InputError:
        return None


def _in_scope(root: Path, scope: str, rel: str) -> str:
    """A path given on the command line, as a repository-relative path."""
    candidate = Path(rel)
    if candidate.is_absolute():
        try:
            return candidate.resolve().relative_to(root).as_posix()
        except ValueError:
            raise InputError(f"{rel} is outside the repository {root}") from None
    if (Path.cwd() / candidate).resolve().is_relative_to(root) and (Path.cwd() / candidate).exists():
        return (Path.cwd() / candidate).resolve().relative_to(root).as_posix()
    return (Path(scope) / candidate).as_posix() if scope else candidate.as_posix()


def _write(root: Path, output: str | None, text: str, force: bool) -> Path:
    target = Path(output) if output else root / "plans" / "models.toml"
    if target.exists() and not force:
        raise Refused(f"{target} already exists (it may hold your edits)",
                      "validate it with `unify plan --check`, or pass --force / -o OTHER.toml")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot write the plan ({exc.strerror or exc})",
                         "pass -o with a file in a writable folder") from None
    return target


@dataclass(frozen=True)
class PlanCheck:
    plan: Plan | None
    problems: tuple[Problem, ...]

    @property
    def return_code(self) -> int:
        return 1 if self.problems else 0


def load_plan(plan_path: str, repo: str | None = None) -> tuple[Plan | None, PlanCheck, Path]:
    """Read and validate a plan file against the repository it belongs to."""
    plan, check, root, _ = _load_plan(plan_path, repo)
    return plan, check, root


def _load_plan(plan_path: str, repo: str | None, watch: bool = False):
    """load_plan's (plan, check, root) and the scan it checked against (None when the
    plan did not parse). ``watch``: the scan also reads the importers of the plan's
    sources, as ``apply`` needs (the models it checks against are the same)."""
    from unify import planfile
    from unify.inventory import build_inventory
    from unify.plancheck import Lines, semantics, structure
    from unify.scan import scan

    path = Path(plan_path)
    text = planfile.read_text(path)
    data = planfile.parse(text, path)
    lines = Lines(text)
    problems = structure(data, lines)
    root = _plan_repo(path, repo)
    if problems:
        return None, PlanCheck(None, tuple(problems)), root, None
    plan = planfile.to_plan(data)
    # importers anywhere, whatever the scope (issue 16)
    result = scan(root, "", focus=True, watch=plan.sources if watch else ())
    found = semantics(plan, build_inventory(result), root, lines)
    return plan, PlanCheck(plan, tuple(found)), root, result


def _plan_repo(path: Path, repo: str | None) -> Path:
    """--repo, else the work tree holding the plan file, else the current one."""
    if repo:
        return locate(None, repo)[0]
    try:
        return locate(str(path.resolve().parent), None)[0]
    except InputError:
        return locate(None, None)[0]


# -- apply ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult:
    branch: str | None  # None for a dry run
    base: str
    steps: tuple
    verification: object | None
    pr_path: Path | None
    notes: tuple[str, ...]
    diffs: tuple[str, ...] = ()

    @property
    def return_code(self) -> int:
        failed = self.verification is not None and not self.verification.ok
        return 1 if failed else 0


def _refuse_bad_plan(plan_path: str, plan: Plan | None, check: PlanCheck) -> Plan:
    if check.problems:
        first = check.problems[0]
        raise Refused(f"{plan_path}:{first.line}: {first.message} "
                      f"({len(check.problems)} problems in the plan)",
                      f"run `unify plan --check {plan_path}`")
    assert plan is not None
    if plan.open_decisions:
        raise Refused(f"{plan_path}: undecided: {', '.join(plan.open_decisions)}",
                      'edit the plan (search for "?"), then apply again')
    return plan


def _refuse_dirty(repo) -> None:
    from unify import gitops

    dirty = gitops.dirty_files(repo)
    if dirty:
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        raise Refused(f"the work tree has uncommitted changes: {shown}",
                      "commit or stash them, then apply again")


def _refuse_bad_repo(repo, plan: Plan, branch: str | None) -> None:
    from unify import gitops

    if gitops.sparse(repo):
        raise Refused("the work tree is a sparse checkout: files outside it would not be "
                      "rewritten", "`git sparse-checkout disable`, then apply again")
    loose = gitops.untracked(repo, [p for p, _ in plan.fingerprints])
    if loose:
        raise Refused(f"the plan read files git does not track: {', '.join(loose[:5])}",
                      "commit them (apply works from the commit), then plan again")
    if branch is None:
        return
    if not gitops.valid_branch_name(repo, branch):
        raise InputError(f"{branch!r} is not a valid branch name", "e.g. --branch unify/models")
    if gitops.branch_exists(repo, branch):
        raise Refused(f"branch {branch} already exists",
                      "pick another --branch, or `unify rollback` the previous apply")


def already_applied(plan_path: str, branch: str, repo: str | None) -> ApplyResult | None:
    """The plan's finished result, on ``branch`` or in HEAD's history, if there is one."""
    from unify import apply as apply_steps
    from unify import gitops, planfile

    root = _plan_repo(Path(plan_path), repo)
    git_repo = gitops.open_repo(root)
    ident = apply_steps.plan_id(planfile.read_text(Path(plan_path)))
    revs = ([gitops.head_ref(branch)] if gitops.branch_exists(git_repo, branch) else []) + ["HEAD"]
    for rev in revs:
        commits = gitops.commits_of_plan(git_repo, rev, ident)
        if rev != "HEAD" and unverified_run(git_repo, branch, ident) is not None:
            continue  # finished but never verified: apply_plan verifies it now
        if any(_final_step(step) for _, step in commits):
            notes = (f"already applied: {rev} has the {len(commits)} commits of this plan "
                     f"(Unify-Plan: {ident}); nothing to do",)
            return ApplyResult(rev, commits[-1][0], (), None, None, notes)
    return None


def _final_step(step: str) -> bool:
    """``6/6 format`` (and ``5/5 format`` of an apply made before the migration step)."""
    number, _, total = step.partition(" ")[0].partition("/")
    return bool(total) and number == total


def apply_plan(
    plan_path: str,
    branch: str,
    repo: str | None = None,
    dry_run: bool = False,
    run_verify: bool = True,
    python: str | None = None,
    progress=lambda message: None,
    migration: bool = True,
) -> ApplyResult:
    from unify import apply as apply_steps
    from unify import gitops, importcheck, verify
    from unify.prdoc import render_pr

    done = already_applied(plan_path, branch, repo)
    if done is not None:
        return done
    git_repo = gitops.open_repo(_plan_repo(Path(plan_path), repo))
    _refuse_dirty(git_repo)
    if not dry_run:
        pending = unverified_run(git_repo, branch, apply_steps.plan_id(
            planfile_text(plan_path)))
        if pending is not None:
            return _reverify(plan_path, branch, repo, git_repo, pending, run_verify, python,
                             progress)
    loaded, check_result, root, scanned = _load_plan(plan_path, repo, watch=True)
    plan = _refuse_bad_plan(plan_path, loaded, check_result)
    _refuse_bad_repo(git_repo, plan, None if dry_run else branch)
    if migration:
        from unify import migration as migration_mod

        setup = migration_mod.find_alembic(root)
        if setup is not None:
            migration_mod.current_head(root, setup)  # several heads: refused before any step
    if not dry_run:
        refuse_foreign_file(Path(plan_path).with_suffix(".pr.md"))
    text = planfile_text(plan_path)
    # the work tree is HEAD; so is this one (clean), unless it has untracked files
    scanned = scanned if apply_steps.same_as_head(root, "") else None
    interpreter = _interpreter(git_repo, python) if run_verify else None
    if interpreter is not None:
        progress(f"runtime check in {interpreter.python} ({interpreter.why})")
        python = interpreter.python
    with gitops.Worktree(git_repo, None if dry_run else branch) as tree:
        base = tree.head()
        ctx = apply_steps.build_context(plan, text, tree.path, base, "" if dry_run else branch,
                                        scanned)
        ctx.migration_on = migration
        baseline = importcheck.baseline(tree.path, ctx, python) if run_verify else None
        before = baseline.probe if baseline else None
        steps = apply_steps.run_steps(ctx, tree, progress)
        diffs = tuple(tree.diff(a, b.commit) for a, b in
                      zip([base] + [s.commit for s in steps], steps)) if dry_run else ()
        checked = None
        if run_verify:
            progress("verifying ...")
            checked = _verification(ctx, tree.path, steps, before, python, baseline,
                                    interpreter)
        apply_steps._fault_injection(len(apply_steps.STEPS) + 1)  # "after verification"
        steps[-1] = tree.add_trailer(steps[-1], "Unify-Verified", _verified(checked))
        tree.settle()
        last = steps[-1]
        progress(f"step {last.number}/{len(apply_steps.STEPS)} {last.name}: commit "
                 f"{last.commit[:10]} (Unify-Verified: {_verified(checked)})")
    pr_path = None
    if not dry_run:
        pr_path = Path(plan_path).with_suffix(".pr.md")
        write_generated(pr_path, render_pr(plan, plan_path, branch, steps, checked, ctx.notes,
                                           ctx.migration))
    return ApplyResult(None if dry_run else branch, base, tuple(steps), checked, pr_path,
                       tuple(ctx.notes), diffs)


_GENERATED = "<!-- written by unify; it rewrites this file only while this line matches: "


def write_generated(path: Path, text: str) -> None:
    """Write a file unify owns, with a last line recording what it wrote."""
    import hashlib

    text = text if text.endswith("\n") else text + "\n"
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    path.write_text(f"{text}{_GENERATED}{digest} -->\n", encoding="utf-8")


def refuse_foreign_file(path: Path) -> None:
    """Refuse to overwrite ``path`` unless unify wrote it and nobody changed it since."""
    import hashlib

    if not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    body, _, last = text.rstrip("\n").rpartition("\n")
    body = f"{body}\n" if body else ""
    if not (path.is_file() and last.startswith(_GENERATED) and last[len(_GENERATED):]
            .removesuffix(" -->") == hashlib.sha1(body.encode("utf-8")).hexdigest()):
        raise Refused(f"{path} exists and unify did not write it (or it was edited since)",
                      "move it away; apply writes the PR description there")


def planfile_text(plan_path: str) -> str:
    from unify import planfile

    return planfile.read_text(Path(plan_path))


def unverified_run(git_repo, branch: str, ident: str):
    """The run of plan ``ident`` on ``branch`` whose every step is committed but whose
    verification was never recorded (killed, Ctrl-C, disk full after step 5)."""
    from unify import gitops, history

    if not gitops.branch_exists(git_repo, branch):
        return None
    for run in history.runs(git_repo, gitops.head_ref(branch)):
        if run.plan == ident and run.branch == branch and run.complete and not run.verified:
            return run
    return None


def _reverify(plan_path: str, branch: str, repo, git_repo, run, run_verify: bool, python,
              progress) -> ApplyResult:
    """Verify the steps an interrupted apply committed, then record the result."""
    from unify import apply as apply_steps
    from unify import gitops, importcheck
    from unify.prdoc import render_pr
    from unify.status import stale_worktrees

    loaded, check_result, _ = load_plan(plan_path, repo)
    plan = _refuse_bad_plan(plan_path, loaded, check_result)
    for path in stale_worktrees(git_repo, branch):
        git_repo.git.worktree("remove", "--force", path)
    git_repo.git.worktree("prune")
    tip = gitops.commit_sha(git_repo, gitops.head_ref(branch))
    progress(f"{branch}: every step is committed, the verification never ran; verifying ...")
    interpreter = _interpreter(git_repo, python) if run_verify else None
    if interpreter is not None:
        python = interpreter.python
    with gitops.Worktree(git_repo, None, start=run.base) as tree:
        assert tree.tree is not None
        ctx = apply_steps.build_context(plan, planfile_text(plan_path), tree.path, run.base,
                                        branch)
        baseline = importcheck.baseline(tree.path, ctx, python) if run_verify else None
        before = baseline.probe if baseline else None
        tree.tree.git.checkout("--quiet", "--detach", tip)
        steps = [apply_steps.StepResult(s.number, s.name, s.sha, tuple(
            tree.tree.git.diff_tree("--no-commit-id", "--name-only", "-r", "-z", s.sha
                                    ).split("\x00")[:-1])) for s in run.steps]
        checked = (_verification(ctx, tree.path, steps, before, python, baseline, interpreter)
                   if run_verify else None)
        steps[-1] = tree.add_trailer(steps[-1], "Unify-Verified", _verified(checked))
        git_repo.git.update_ref(gitops.head_ref(branch), steps[-1].commit, tip)
    gitops.clear_pending(git_repo, branch)
    pr_path = Path(plan_path).with_suffix(".pr.md")
    write_generated(pr_path, render_pr(plan, plan_path, branch, steps, checked, ctx.notes))
    return ApplyResult(branch, run.base, tuple(steps), checked, pr_path, tuple(ctx.notes))


def _verified(checked) -> str:
    """The Unify-Verified trailer: travels with the branch, so `status` can tell."""
    if checked is None:
        return "skipped"
    failed = [c.name for c in checked.checks if not c.ok]
    return checked.verdict if not failed else f"failed ({', '.join(failed)})"


def _interpreter(git_repo, python: str | None):
    """The runtime check's interpreter: --python, $VIRTUAL_ENV, the repository's venv, ours."""
    from unify.runtime import choose_interpreter

    return choose_interpreter(Path(git_repo.working_tree_dir), python)


def _verification(ctx, work: Path, steps, before, python, baseline=None,
                  interpreter=None):
    from unify import apply as apply_steps
    from unify import importcheck, verify
    from unify.inventory import build_inventory
    from unify.resolve import ModuleIndex

    touched = sorted({f for s in steps for f in s.files})
    after_scan = apply_steps.rescan(ctx, touched)  # re-reads only the files the steps wrote
    after = build_inventory(after_scan)
    index = ModuleIndex([m for m in after_scan.modules if m.error is None], after_scan.layout)
    old_names = {n for s in ctx.plan.sources if s != ctx.plan.target
                 for n in apply_steps._old_module_names(ctx, s)}
    after_probe = verify.probe(work, ctx.sys_root, importcheck.preload(baseline)
                               + [ctx.dotted(ctx.plan.target)], python)
    schema_check, intended = verify.schema(ctx.plan, ctx.inventory, after)
    checks = (
        verify.compiles(work, touched),
        verify.no_retired_imports(ctx.plan, index, old_names),
        verify.names_resolve(ctx.inventory, after, ctx.plan),
        importcheck.said_how(verify.runtime(after_probe, before,
                                            verify.probe_root(work, ctx.sys_root), interpreter),
                             baseline),
        schema_check,
        verify.nothing_lost(ctx.plan, work, ctx.base, ctx.sys_root),
        importcheck.importers_check(work, ctx, baseline, python),
    )
    from unify import migration_step

    migration_check = migration_step.check(ctx.migration, ctx.plan, work, ctx.inventory, after)
    checks += (migration_check,) if migration_check is not None else ()
    return verify.Verification(checks, before, after_probe, intended)


# -- status, rollback, finalize ---------------------------------------------------------


def _git_repo(repo: str | None):
    from unify import gitops

    root, _ = locate(None, repo)
    return root, gitops.open_repo(root)


def repo_status(repo: str | None = None) -> list[status_mod.RunStatus]:
    from unify import status as status_mod

    _, git_repo = _git_repo(repo)
    return status_mod.status(git_repo)


def roll_back(repo: str | None = None, branch: str | None = None, to_step: int | None = None,
              keep_branch: bool = False) -> rollback_mod.RollbackResult:
    from unify import rollback as rollback_mod

    _, git_repo = _git_repo(repo)
    return rollback_mod.rollback(git_repo, branch, to_step, keep_branch)


def finalize(repo: str | None = None, branch: str = "unify/finalize") -> finalize_mod.FinalizeResult:
    from unify import finalize as finalize_mod

    root, git_repo = _git_repo(repo)
    return finalize_mod.finalize(git_repo, root, branch)
