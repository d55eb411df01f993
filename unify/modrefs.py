"""Strings that name a module path: ``mock.patch("pkg.orders.models.Order")``,
``monkeypatch.setattr("pkg.orders.models.x", ...)``, ``importlib.import_module(
"pkg.orders.models")``, a dotted path in a settings dict.

Imports are rewritten by apply; these strings are not, and they break later (a
patch replaces the shim's name, not the one the code now uses; ``finalize``
removes the module they name).  So the plan lists them in its blast radius, the
PR description says to change them, and ``unify finalize`` refuses while one is
left.  A string counts when it is a dotted name of one of the modules (as the
repository can import it: under any folder that is no package), alone or followed by
``.attribute`` parts; a one-part module name (``models``) counts only with an
attribute after it, and never as a file name (``models.py``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path



def _dotted_names(paths: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """dotted name -> [(path, root folder)]: each path under every folder above it."""
    names: dict[str, list[tuple[str, str]]] = {}
    for path in paths:
        parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for i in range(len(parts)):
            if all(p.isidentifier() for p in parts[i:]):
                names.setdefault(".".join(parts[i:]), []).append((path, "/".join(parts[:i])))
    return names

_FILE_SUFFIXES = frozenset({"py", "pyi", "pyc", "txt", "md", "rst", "html", "json", "toml",
                            "cfg", "ini", "yaml", "yml", "csv", "sql", "db", "log", "js", "css"})
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


@dataclass(frozen=True)
class ModuleString:
    path: str
    line: int
    text: str  # the string's value
    module: str  # the file it names
    replacement: str | None  # the same string naming the new module, when known

    def render(self) -> str:
        hint = f" -> '{self.replacement}'" if self.replacement else ""
        return f"{self.path}:{self.line} string '{self.text}'{hint}"


def names_of(paths: Iterable[str], modules: Iterable[str]) -> dict[str, tuple[str, str]]:
    """dotted name -> (module path, import root) for each of ``modules`` among ``paths``."""
    known = tuple(sorted(set(paths)))
    wanted, packages = set(modules), {p[: -len("/__init__.py")] for p in known
                                      if p.endswith("/__init__.py")}
    out = {}
    for name, entries in _dotted_names(known).items():
        for key, root in entries:
            if key in wanted and root not in packages:  # a root is no package itself
                out.setdefault(name, (key, root))
    return out


def _as_module(path: str, root: str) -> str | None:
    rel = path[len(root) + 1:] if root else path
    if root and not path.startswith(root + "/"):
        return None
    parts = rel[:-3].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or None


def _match(text: str, names: dict[str, tuple[str, str]]) -> tuple[str, str, str] | None:
    """(name, module path, rest) when text names one of the modules, longest name first."""
    if len(text) > 300 or not _DOTTED.match(text):
        return None
    parts = text.split(".")
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        if name not in names:
            continue
        rest = parts[cut:]
        if cut == 1 and (not rest or (len(rest) == 1 and rest[0].lower() in _FILE_SUFFIXES)):
            return None
        return name, names[name][0], ".".join(rest)
    return None


def find(root: Path, files: Iterable[str], names: dict[str, tuple[str, str]],
         skip: Iterable[str] = (), target: str | None = None) -> list[ModuleString]:
    """Every string constant in ``files`` naming a module of ``names``, sorted.

    ``skip``: files not to read (the modules themselves, the compat module).
    ``target``: the new module's path, for the suggested replacement.
    """
    if not names:
        return []
    firsts = sorted({name.split(".")[0] for name in names}, key=len, reverse=True)
    prefilter = re.compile("|".join(re.escape(f) for f in firsts).encode())
    skipped = set(skip)
    found = []
    for rel in sorted(set(files) - skipped):
        if not rel.endswith(".py"):
            continue
        try:
            data = (Path(root) / rel).read_bytes()
        except OSError:
            continue
        if not prefilter.search(data):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            hit = _match(node.value, names)
            if hit is None:
                continue
            name, module, rest = hit
            new = _as_module(target, names[name][1]) if target else None
            replacement = (new + (f".{rest}" if rest else "")) if new else None
            found.append(ModuleString(rel, node.lineno, node.value, module, replacement))
    return sorted(set(found), key=lambda s: (s.path, s.line, s.text))
