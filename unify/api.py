"""The library entry points: each reads as the list of stages it runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from unify import planfile
from unify.analyze import analyze
from unify.diagnostics import Diagnostic, select
from unify.errors import InputError, Refused
from unify.gitrepo import head_commit
from unify.inventory import Inventory, build_inventory
from unify.plan import Plan, build_plan
from unify.plancheck import Lines, Problem, blob_id, semantics, structure
from unify.scan import locate, scan


@dataclass(frozen=True)
class CheckResult:
    inventory: Inventory
    diagnostics: tuple[Diagnostic, ...]

    @property
    def return_code(self) -> int:
        return 1 if self.diagnostics else 0


def inventory(path: str | None = None, repo: str | None = None) -> Inventory:
    root, scope = locate(path, repo)
    return build_inventory(scan(root, scope))


def check(
    path: str | None = None,
    repo: str | None = None,
    select_codes: tuple[str, ...] = (),
    ignore_codes: tuple[str, ...] = (),
) -> CheckResult:
    inv = inventory(path, repo)
    found = select(analyze(inv), select_codes, ignore_codes)
    return CheckResult(inv, tuple(found))


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    inventory: Inventory
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
) -> PlanResult:
    root, scope = locate(path, repo)
    inv = build_inventory(scan(root, scope))
    if not inv.model_modules:
        raise Refused(f"no ORM models found under {scope or root}",
                      "run `unify scan` to see what unify found")
    sources = tuple(_in_scope(root, scope, s) for s in sources) or inv.model_modules
    unknown = sorted(set(sources) - set(inv.model_modules))
    if unknown:
        raise InputError(f"--source {unknown[0]} defines no models",
                         f"model modules: {', '.join(inv.model_modules)}")
    fingerprints = {f: blob_id((root / f).read_bytes()) for f in read_set(inv, sources)}
    plan = build_plan(
        inv, analyze(inv), head_commit(root), fingerprints,
        target=_in_scope(root, scope, target) if target else None,
        compat=_in_scope(root, scope, compat) if compat else None,
        sources=sources, retire=retire,
    )
    text = planfile.render(plan)
    written = _write(root, output, text, force) if output != "-" else None
    return PlanResult(plan, inv, written, text)


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
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
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
    path = Path(plan_path)
    text = planfile.read_text(path)
    data = planfile.parse(text, path)
    lines = Lines(text)
    problems = structure(data, lines)
    root = _plan_repo(path, repo)
    if problems:
        return None, PlanCheck(None, tuple(problems)), root
    plan = planfile.to_plan(data)
    inv = build_inventory(scan(root, plan.scope))
    found = semantics(plan, inv, root, lines)
    return plan, PlanCheck(plan, tuple(found)), root


def _plan_repo(path: Path, repo: str | None) -> Path:
    """--repo, else the work tree holding the plan file, else the current one."""
    if repo:
        return locate(None, repo)[0]
    try:
        return locate(str(path.resolve().parent), None)[0]
    except InputError:
        return locate(None, None)[0]
