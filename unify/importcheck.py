"""verify's import checks: the models imported the way the project imports them, and
every module that imported a source imported on its own, before and after.

* A target that does not import on its own at base (its package needs the application
  module loaded first, issue 16.4) is probed after what makes it import: the
  application module (a module that builds the app: ``Flask(...)``, ``FastAPI(...)``,
  ``def create_app``), else the project's modules that import the sources. The runtime
  check says which.
* Probing the target alone cannot see an import cycle the merge created (issue 11.8):
  importing the target first may work while importing a helper first fails. So every
  module that imported a source, and every module on a cycle the plan names, is
  imported on its own (``probe.py --import-each``) before and after; one that imported
  before and does not after fails the check, named with its error's last line.
"""

from __future__ import annotations

import posixpath
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from unify import verify
from unify.runtime import ProbeResult, run_probe
from unify.verify import Check

#: file names an application module usually has (a package's __init__ too)
APP_FILES = ("app.py", "__init__.py", "application.py", "wsgi.py", "asgi.py", "autoapp.py",
             "main.py", "factory.py", "server.py", "manage.py")
_BUILDS_APP = re.compile(rb"\b(?:Flask|FastAPI|Quart|Sanic|Starlette)\s*\(|^def create_app\b",
                         re.M)


@dataclass(frozen=True)
class Baseline:
    probe: ProbeResult  # the models at base, imported as below
    preload: tuple[str, ...] = ()  # imported first, the way the project does; () when cold
    how: str = ""  # "" (cold) or what was imported first, for the runtime check
    modules: tuple[str, ...] = ()  # the importers, each imported on its own
    imports: ProbeResult | None = None  # their imports at base (probe --import-each)


def baseline(work: Path, ctx, python: str | None) -> Baseline:
    """The runtime probe of the sources at base, warmed up if it must be, and the
    importers' imports."""
    root, each = _root(work, ctx), python or sys.executable
    sources = [ctx.dotted(s) for s in ctx.plan.sources]
    modules = importers(ctx)
    imports = run_probe(root, modules, each, import_each=True,
                        timeout=_timeout(modules)) if modules else None
    probe = verify.probe(work, ctx.sys_root, sources, python)  # the probe verify always ran
    if probe.ok or probe.stage != "import":
        return Baseline(probe, (), "", modules, imports)
    for preload, how in _ways_in(work, ctx, imports):
        warm = verify.probe(work, ctx.sys_root, [*preload, *sources], python)
        if warm.ok or warm.stage not in ("import", "environment", "usage"):
            if modules:  # the importers too are imported the way the project does
                imports = run_probe(root, modules, each, import_each=True, first=preload,
                                    timeout=_timeout(modules))
            return Baseline(warm, preload, how, modules, imports)
    return Baseline(probe, (), "", modules, imports)


def preload(base: Baseline | None) -> list[str]:
    return list(base.preload) if base else []


def said_how(check: Check, base: Baseline | None) -> Check:
    """The runtime check, saying how the target was imported when it was not cold."""
    if base is None or not base.how:
        return check
    return replace(check, detail=f"{check.detail}; imported {base.how}, as the project does "
                                 "(the models do not import on their own at base)")


def importers(ctx) -> tuple[str, ...]:
    """Dotted names of the modules that imported a source, and of those on a cycle."""
    plan = ctx.plan
    skip = set(plan.sources) | {plan.target, plan.compat}
    paths = {s.path for s in ctx.inventory.dependents if s.target in plan.sources}
    for cycle in plan.cycles:
        paths |= {step.split(":", 1)[0] for step in cycle.chain}
    names = {ctx.dotted(p) for p in paths - skip if p.endswith(".py")}
    return tuple(sorted(n for n in names if all(part.isidentifier() for part in n.split("."))))


def importers_check(work: Path, ctx, base: Baseline | None, python: str | None) -> Check:
    name = "runtime-importers"
    if base is None or not base.modules:
        return Check(name, True, "no other module imports a source")
    before = dict(base.imports.imports) if base.imports else {}
    if not before:
        return Check(name, True, "not checked: the importers could not be imported at base ("
                     + (base.imports.message if base.imports else "no report") + ")")
    worked = [m for m in base.modules if before.get(m, "") is None]
    after = run_probe(_root(work, ctx), list(base.modules), python or sys.executable,
                      import_each=True, first=base.preload, timeout=_timeout(base.modules))
    now = dict(after.imports)
    if not now:
        return Check(name, False, f"the importers could not be imported after apply: "
                     f"{after.message}")
    broken = tuple(f"{m}: {now.get(m)}" for m in worked if now.get(m, "?") is not None)
    failing = len(base.modules) - len(worked)
    also = f" ({failing} did not import at base either)" if failing else ""
    first = f", each after {', '.join(base.preload)}" if base.preload else ""
    if broken:
        return Check(name, False, f"{len(broken)} of the {len(worked)} modules that imported a "
                     f"source (or are on an import cycle) and imported at base no longer "
                     f"import on their own{first}{also}", broken)
    if not worked:
        return Check(name, True, f"not checked: none of the {failing} modules that imported a "
                     f"source imported on its own at base{first}")
    return Check(name, True, f"all {len(worked)} modules that imported a source (or are on an "
                 f"import cycle) import on their own{first}, as at base{also}")


# -- the way the project imports its models ------------------------------------------


def _timeout(modules) -> float:
    return 120 + len(modules)  # each module is imported afresh


def _root(work: Path, ctx) -> Path:
    return work / ctx.sys_root if ctx.sys_root else work


def _ways_in(work: Path, ctx, imports: ProbeResult | None):
    """(modules to import first, how to say it), in the order they are tried."""
    for dotted in _application_modules(work, ctx)[:3]:
        yield (dotted,), f"after {dotted} (the application module)"
    worked = tuple(m for m, error in (imports.imports if imports else ()) if error is None)
    if worked:
        shown = ", ".join(worked[:3]) + (f" and {len(worked) - 3} more" if len(worked) > 3
                                         else "")
        yield worked, f"after the modules that import the sources ({shown})"


def _application_modules(work: Path, ctx) -> list[str]:
    """Modules near the top of the import root that build the application."""
    skip = set(ctx.plan.sources) | {ctx.plan.target, ctx.plan.compat}
    found = []
    base = ctx.sys_root.rstrip("/")
    for path in sorted(ctx.index.by_path):
        rel = path[len(base) + 1:] if base else path
        if path in skip or (base and not path.startswith(base + "/")) or \
                posixpath.basename(path) not in APP_FILES or rel.count("/") > 1:
            continue
        try:
            text = (work / path).read_bytes()
        except OSError:
            continue
        if _BUILDS_APP.search(text):
            found.append((rel.count("/"), APP_FILES.index(posixpath.basename(path)), path))
    return [ctx.dotted(path) for _, _, path in sorted(found)]
