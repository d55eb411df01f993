"""Where the unified models go: the plan's ``target``, chosen or validated.

The target is a ``models.py`` (the user asked for one sectioned ``models.py``):

1. ``<pkg>/models/__init__.py`` when most sources already live in that ``models/``
   package (and its ``__init__`` holds nothing but imports);
2. else the one source named ``models.py``, when there is exactly one;
3. else ``models.py`` in the deepest folder that contains every source and is
   importable from the sources' import roots.

Never a module holding code that is not models (an app factory ``__init__.py``),
never a path whose dotted name is empty or that no import root reaches. A file
already at the target path is merged in as a source when it holds models or
tables, else the target is refused. ``--target`` goes through the same checks.
"""

from __future__ import annotations

import ast
import posixpath
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from unify.errors import InputError
from unify.inventory import Inventory, module_dotted

# what an existing file at a candidate path holds: see :func:`file_kind`
ABSENT, MODELS, IMPORTS, CODE = "absent", "models", "imports", "code"


@dataclass(frozen=True)
class TargetChoice:
    target: str
    sources: tuple[str, ...]  # the sources, plus an existing target file merged in
    reason: str  # why this target, and the alternatives (the plan's comment)


def file_kind(root: Path, inv: Inventory | None, path: str) -> str:
    """ABSENT, MODELS (a model module), IMPORTS (docstring, imports, ``__all__`` only)
    or CODE (anything else: an app factory, ``db``, functions). Without an inventory
    (a plan being checked) a model module counts as CODE."""
    if inv is not None and path in inv.model_modules:
        return MODELS
    file = root / path
    if not file.is_file():
        return ABSENT
    try:
        tree = ast.parse(file.read_bytes())
    except (SyntaxError, ValueError):
        return CODE
    imports = False
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            imports = True
            continue
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == "__all__":
            continue
        return CODE
    # re-exports of the models (they stay defined in the target), or nothing at all
    return IMPORTS if not imports or inv is None or path in inv.reexport_modules else CODE


def roots(inv: Inventory, sources: tuple[str, ...]) -> list[str]:
    """The import roots the sources are imported from (``""``: the repository root),
    most used first: by how the project's absolute imports name each source, else by
    the module name the inventory gives it."""
    found: Counter[str] = Counter()
    for site in inv.dependents:
        if site.target in sources and site.form != "star" and "relative" not in site.flags:
            module = site.module + (f".{site.names[0][0]}" if "submodule" in site.flags else "")
            root = _root(site.target, module)
            if root is not None:
                found[root] += 1
    if not found:
        modules = {m.path: m.module for m in inv.models}
        for path in sources:
            root = _root(path, modules.get(path) or module_dotted(path, inv.scope))
            if root is not None:
                found[root] += 1
    return [r for r, _ in found.most_common()] or [inv.scope]


def _root(path: str, module: str) -> str | None:
    parts, names = _parts(path), module.split(".") if module else []
    if names and parts[-len(names):] == names:
        return "/".join(parts[: len(parts) - len(names)])
    return None


def dotted(path: str, import_roots: list[str]) -> str:
    """The module name of ``path`` under the deepest root containing it, or ``""``."""
    for root in sorted(import_roots, key=len, reverse=True):
        if root and not path.startswith(root + "/"):
            continue
        name = ".".join(_parts(path[len(root) + 1:] if root else path))
        if name and all(part.isidentifier() for part in name.split(".")):
            return name
    return ""


def _parts(path: str) -> list[str]:
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


def choose(inv: Inventory, sources: tuple[str, ...], given: str | None,
           kind: Callable[[str], str]) -> TargetChoice:
    """The target (``given``: the user's ``--target``, validated), raising InputError."""
    import_roots = roots(inv, sources)
    if given:
        return _validate(given, sources, import_roots, kind, "--target")
    options = _options(inv, sources, import_roots, kind)
    (target, why), others = options[0], options[1:]
    choice = _validate(target, sources, import_roots, kind, "the default target")
    reason = f"Chosen because {why}."
    if choice.sources != sources:
        reason += f" {target} already exists and holds models: it is merged in as a source."
    if others:
        reason += " Alternatives (pass --target): " + "; ".join(
            f"{path} ({text})" for path, text in others) + "."
    return TargetChoice(choice.target, choice.sources, reason)


def _options(inv, sources, import_roots, kind) -> list[tuple[str, str]]:
    """Every candidate target, best first, with why it would be chosen."""
    options: list[tuple[str, str]] = []
    package = _models_package(sources, kind)
    if package:
        options.append((package, "most sources already live in the models/ package "
                        f"{posixpath.dirname(package)}/"))
    named = [s for s in sources if posixpath.basename(s) == "models.py"]
    if len(named) == 1:
        options.append((named[0], "it is the only source named models.py"))
    folder = _common_folder(sources, import_roots)
    if folder is not None:
        path = posixpath.join(folder, "models.py")
        where = f"{folder}/" if folder else "the import root"
        state = ("it exists and holds models or tables: merged in as a source"
                 if path in sources else "an existing file"
                 if kind(path) != ABSENT else "a new file")
        options.append((path, f"models.py in {where}, the deepest folder holding every "
                        f"source ({state})"))
    importers = Counter(s.target for s in inv.dependents if s.target in sources)
    busiest = max(sorted(sources), key=lambda p: importers[p])
    count = importers[busiest]
    options.append((busiest, f"the most imported source ({count} import "
                    f"site{'' if count == 1 else 's'})"))
    seen: dict[str, str] = {}
    for path, why in options:
        if path not in seen and dotted(path, import_roots) and \
                (kind(path) != CODE or path in sources):
            seen[path] = why
    return list(seen.items())


def _models_package(sources, kind) -> str | None:
    folders = Counter(posixpath.dirname(s) for s in sources
                      if posixpath.basename(posixpath.dirname(s)) == "models")
    if not folders:
        return None
    folder, count = max(sorted(folders.items()), key=lambda kv: kv[1])
    init = posixpath.join(folder, "__init__.py")
    return init if 2 * count > len(sources) and kind(init) != CODE else None


def _common_folder(sources, import_roots) -> str | None:
    """The deepest folder holding every source from which a models.py is importable."""
    folder = posixpath.commonpath([posixpath.dirname(s) or "." for s in sources])
    folder = "" if folder == "." else folder
    while True:
        if dotted(posixpath.join(folder, "models.py"), import_roots):
            return folder
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _validate(target: str, sources, import_roots, kind, what: str) -> TargetChoice:
    if not target.endswith(".py"):
        raise InputError(f"{what} {target} is not a Python file",
                         "name a models.py (or a models/__init__.py)")
    name = dotted(target, import_roots)
    if not name:
        where = ", ".join(r or "the repository root" for r in import_roots)
        raise InputError(f"{what} {target} has no importable module name from the import "
                         f"roots of the sources ({where})",
                         "pass --target DIR/models.py inside one of those folders")
    state = kind(target)
    if target in sources or state == ABSENT:
        return TargetChoice(target, sources, "")
    if state == MODELS:
        return TargetChoice(target, tuple(sorted((*sources, target))), "")
    if state == IMPORTS:
        return TargetChoice(target, sources, "")
    raise InputError(f"{what} {target} already exists and holds code that is not models",
                     "it would be overwritten: pass --target NEW/models.py")
