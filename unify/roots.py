"""Import roots: the folders on ``sys.path`` each file really runs with.

A module name is resolved only against the roots of the importing file, never
by matching the dotted suffix of any file. A name no root provides is
third-party. The roots come from:

* ``repository``: the repository root (where commands and tests run);
* ``src-layout``: ``src/`` when it holds packages or modules and is no package;
* ``config``: ``pyproject.toml`` / ``setup.cfg`` / ``setup.py`` / ``pytest.ini``
  (setuptools ``package-dir`` and ``packages.find where``, ``find_packages("src")``,
  poetry/hatch ``packages``, pytest ``pythonpath``);
* ``package-base``: the folder above the top of each ``__init__.py`` chain
  (for the files under it);
* ``script-folder``: a folder whose files import each other as top-level
  modules (``from models import db`` beside ``models.py``), for the files
  under it; a module importing its own name (``redis.py`` doing
  ``import redis``) means the installed package, so its folder is not one;
  nor is a local package whose own files import a ``name.x`` it lacks any
  evidence for its folder;
* ``sys-path``: ``sys.path.insert/append/extend`` of a literal or
  ``__file__``-relative path, for the files under the editing file's folder.

Environment trees (virtualenvs, anything holding ``site-packages/``,
``node_modules/``) are not scanned at all: :func:`skip_environments`.

Every lookup is a dict or set probe: the roots of a folder are computed once
per folder, a module under a root is a probe of the path set.
"""

from __future__ import annotations

import ast
import configparser
import posixpath
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from unify.facts import ModuleFacts

#: Root kinds, in the order they are tried after the file's own folders.
GLOBAL_KINDS = ("sys-path", "repository", "config", "src-layout")


@dataclass(frozen=True)
class Root:
    path: str  # the folder on sys.path, "" for the repository root
    kind: str  # repository | src-layout | config | package-base | script-folder | sys-path
    reason: str  # where it comes from, for people
    applies_to: str = ""  # the folder whose files run with it ("" every file)


@dataclass(frozen=True)
class Skipped:
    path: str  # a folder ("venv/")
    reason: str
    files: int  # Python files in it, not scanned


@dataclass(frozen=True)
class Layout:
    """What the roots need from outside the per-file facts (found by the scan)."""

    declared: tuple[Root, ...] = ()  # config and sys.path roots
    skipped: tuple[Skipped, ...] = ()


# -- environment trees -------------------------------------------------------------

_ENV_NAMES = {"venv", ".venv", "env", ".env", "virtualenv", ".virtualenv", ".tox", ".nox",
              "__pypackages__"}
_SITE = {"site-packages", "dist-packages"}


def skip_environments(paths: Iterable[str], repo: Path | None = None
                      ) -> tuple[list[str], tuple[Skipped, ...]]:
    """(paths outside environment trees, the trees skipped)."""
    paths = list(paths)
    known = set(paths)
    trees: dict[str, str] = {}
    for path in paths:
        parts = path.split("/")[:-1]
        for i, part in enumerate(parts):
            folder = "/".join(parts[: i + 1])
            if part == "node_modules":
                trees.setdefault(folder, "vendored JavaScript packages (node_modules)")
                break
            if part in _SITE:
                top = i
                if top >= 1 and re.fullmatch(r"python\d[\d.]*", parts[top - 1]):
                    top -= 1
                if top >= 1 and parts[top - 1].lower() in ("lib", "lib64"):
                    top -= 1
                env = "/".join(parts[:top]) or folder
                trees.setdefault(env, f"an environment: holds {'/'.join(parts[top:i + 1])}/")
                break
            if part in _ENV_NAMES and folder + "/__init__.py" not in known:
                trees.setdefault(folder, "a virtual environment folder")
                break
            if i == 0 and repo is not None and (repo / folder / "pyvenv.cfg").is_file():
                trees.setdefault(folder, "a virtual environment (pyvenv.cfg)")
                break
    # the outermost tree wins (venv/ over venv/Lib/site-packages/x/node_modules/)
    tops = sorted(t for t in trees if not any(t.startswith(o + "/") for o in trees if o != t))
    kept, counts = [], dict.fromkeys(tops, 0)
    for path in paths:
        top = _under_any(path, tops)
        if top is None:
            kept.append(path)
        else:
            counts[top] += 1
    return kept, tuple(Skipped(t + "/", trees[t], counts[t]) for t in tops)


def _under_any(path: str, folders: list[str]) -> str | None:
    for folder in folders:
        if path.startswith(folder + "/"):
            return folder
    return None


# -- declared roots: configuration files and sys.path edits -------------------------


def declared_roots(repo: Path, paths: list[str], syspath_files: Iterable[str]) -> tuple[Root, ...]:
    """Roots named by configuration files and by ``sys.path`` edits in ``syspath_files``."""
    known = set(paths)
    found: list[Root] = []
    folders = {""}  # configuration files sit at most two folders deep
    for path in paths:
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[:i]) for i in range(1, min(len(parts), 2) + 1))
    for folder in sorted(folders):
        found += _config_roots(repo, folder)
    for path in sorted(syspath_files):
        if path in known:
            found += _syspath_roots(repo, path)
    seen: set[tuple[str, str]] = set()
    unique = []
    for root in found:
        if (root.path, root.applies_to) not in seen and (root.path == "" or _has_files(root.path, paths)):
            seen.add((root.path, root.applies_to))
            unique.append(root)
    return tuple(unique)


def _has_files(folder: str, paths: list[str]) -> bool:
    return any(p.startswith(folder + "/") for p in paths)


def _join(folder: str, rel: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(folder, rel)) if rel else (folder or ".")
    if joined.startswith("..") or joined.startswith("/"):
        return None
    return "" if joined == "." else joined


def _config_roots(repo: Path, folder: str) -> list[Root]:
    base = repo / folder if folder else repo
    prefix = f"{folder}/" if folder else ""
    roots: list[Root] = []

    def add(rel: str, why: str) -> None:
        path = _join(folder, rel.strip().rstrip("/"))
        if path is not None:
            roots.append(Root(path, "config", why))

    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = {}
        where = f"{prefix}pyproject.toml"
        setuptools = _table(data, "tool", "setuptools")
        package_dir = setuptools.get("package-dir")
        for name, rel in (package_dir.items() if isinstance(package_dir, dict) else ()):
            if isinstance(rel, str) and isinstance(name, str):
                rel_root = rel if name == "" else _mapped_parent(name, rel)
                if rel_root is not None:
                    add(rel_root, f"{where} [tool.setuptools] package-dir")
        for rel in _strings(_table(setuptools, "packages", "find").get("where")):
            add(rel, f"{where} [tool.setuptools.packages.find] where")
        for entry in _list(_table(data, "tool", "poetry").get("packages")):
            if isinstance(entry, dict) and isinstance(entry.get("from"), str):
                add(entry["from"], f"{where} [tool.poetry] packages from")
        wheel = _table(data, "tool", "hatch", "build", "targets", "wheel")
        for rel in _strings(wheel.get("packages")):
            add(posixpath.dirname(rel.rstrip("/")), f"{where} [tool.hatch] wheel packages")
        for rel in _strings(_table(data, "tool", "pytest", "ini_options").get("pythonpath")):
            add(rel, f"{where} [tool.pytest.ini_options] pythonpath")
    setup_py = base / "setup.py"
    if setup_py.is_file():
        for rel, why in _setup_py_roots(setup_py):
            add(rel, f"{prefix}setup.py {why}")
    for name, section, keys in (("setup.cfg", "options", ("package_dir",)),
                                ("setup.cfg", "options.packages.find", ("where",)),
                                ("setup.cfg", "tool:pytest", ("pythonpath",)),
                                ("pytest.ini", "pytest", ("pythonpath",)),
                                ("tox.ini", "pytest", ("pythonpath",))):
        config = base / name
        if not config.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, configparser.Error):
            continue
        for key in keys:
            value = parser.get(section, key, fallback=None)
            if value is None:
                continue
            for item in value.replace(",", "\n").split():
                if key == "package_dir":
                    name_part, _, rel = item.rpartition("=")
                    rel_root = rel if name_part.strip() == "" else _mapped_parent(name_part, rel)
                    if rel_root is not None:
                        add(rel_root, f"{prefix}{name} [{section}] {key}")
                else:
                    add(item, f"{prefix}{name} [{section}] {key}")
    return roots


def _table(data: object, *keys: str) -> dict:
    """``data[k1][k2]...`` when every level is a table, else {}."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _strings(value: object) -> list[str]:
    """A string or a list of strings, as a list (anything else: none)."""
    items = [value] if isinstance(value, str) else _list(value)
    return [v for v in items if isinstance(v, str)]


def _setup_py_roots(path: Path) -> list[tuple[str, str]]:
    """``setup(package_dir={"": "src"})`` and ``packages=find_packages("src")`` literals."""
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "setup":
            for kw in node.keywords:
                if kw.arg == "package_dir" and isinstance(kw.value, ast.Dict):
                    for key, value in zip(kw.value.keys, kw.value.values):
                        if isinstance(key, ast.Constant) and isinstance(value, ast.Constant) \
                                and isinstance(key.value, str) and isinstance(value.value, str):
                            rel = value.value if key.value == "" else _mapped_parent(
                                key.value, value.value)
                            if rel is not None:
                                found.append((rel, "setup(package_dir=...)"))
        elif name in ("find_packages", "find_namespace_packages"):
            where = node.args[0] if node.args else next(
                (kw.value for kw in node.keywords if kw.arg == "where"), None)
            if isinstance(where, ast.Constant) and isinstance(where.value, str):
                found.append((where.value, f"{name}({where.value!r})"))
    return found


def _mapped_parent(package: str, rel: str) -> str | None:
    """``package-dir = {"pkg" = "lib/pkg"}`` puts ``lib`` on the path (same last name only)."""
    rel = rel.strip().rstrip("/")
    if "." in package.strip() or posixpath.basename(rel) != package.strip():
        return None
    return posixpath.dirname(rel)


_PATH_CALLS = {"abspath", "realpath", "normpath", "resolve", "absolute", "expanduser",
               "Path", "PurePath", "PosixPath", "WindowsPath", "str", "fspath"}


def _syspath_roots(repo: Path, path: str) -> list[Root]:
    try:
        tree = ast.parse((repo / path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    env: dict[str, str | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            env.setdefault(node.targets[0].id, _eval(node.value, path, env))
    applies = posixpath.dirname(path)
    roots = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and _is_sys_path(node.func.value)):
            continue
        method = node.func.attr
        args: list[ast.expr] = []
        if method == "insert" and len(node.args) == 2:
            args = [node.args[1]]
        elif method == "append" and len(node.args) == 1:
            args = [node.args[0]]
        elif method == "extend" and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
            args = list(node.args[0].elts)
        for arg in args:
            folder = _eval(arg, path, env)
            if folder is not None:
                roots.append(Root(folder, "sys-path",
                                  f"{path}:{node.lineno} sys.path.{method}", applies))
    return roots


def _is_sys_path(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "path"
            and isinstance(node.value, ast.Name) and node.value.id == "sys")


def _eval(node: ast.expr, path: str, env: dict[str, str | None]) -> str | None:
    """The repository folder a path expression names (relative literals: the repository root)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _join("", node.value) if not node.value.startswith("/") else None
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return path
        return env.get(node.id)
    if isinstance(node, ast.Attribute):
        if node.attr == "parent":
            inner = _eval(node.value, path, env)
            return None if inner is None or inner == "" else posixpath.dirname(inner)
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
            and node.value.attr == "parents" and isinstance(node.slice, ast.Constant) \
            and isinstance(node.slice.value, int):
        inner = _eval(node.value.value, path, env)
        for _ in range(node.slice.value + 1):
            if inner is None or inner == "":
                return None
            inner = posixpath.dirname(inner)
        return inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _eval(node.left, path, env), _part(node.right)
        return None if left is None or right is None else _join(left, right)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("getcwd", "cwd") and not node.args:
            return ""
        if name == "dirname" and len(node.args) == 1:
            inner = _eval(node.args[0], path, env)
            return None if inner is None or inner == "" else posixpath.dirname(inner)
        if name == "join" and node.args:
            first = _eval(node.args[0], path, env)
            rest = [_part(a) for a in node.args[1:]]
            if first is None or any(r is None for r in rest):
                return None
            return _join(first, posixpath.join(*rest)) if rest else first  # type: ignore[arg-type]
        if name == "joinpath" and isinstance(func, ast.Attribute):
            base, rest = _eval(func.value, path, env), [_part(a) for a in node.args]
            if base is None or not rest or any(r is None for r in rest):
                return None
            return _join(base, posixpath.join(*rest))  # type: ignore[arg-type]
        if name in ("resolve", "absolute") and isinstance(func, ast.Attribute) and not node.args:
            return _eval(func.value, path, env)
        if name in _PATH_CALLS and len(node.args) == 1:
            return _eval(node.args[0], path, env)
    return None


def _part(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and not node.value.startswith("/"):
        return node.value
    return None


def module_names(path: str, roots: Iterable[Root]) -> list[str]:
    """The dotted names ``path`` is importable by, one per root holding it, deepest root
    first (``src/backend/models.py`` -> ``["models", "backend.models", "src.backend.models"]``
    with roots src/backend, src and the repository). A package ``__init__.py`` directly
    in a root has no name there; a path with a part that is no identifier, none."""
    stem = path[:-3] if path.endswith(".py") else path
    if stem.endswith("/__init__") or stem == "__init__":
        stem = stem[: -len("__init__")].rstrip("/")
    names: list[str] = []
    for root in sorted({r.path for r in roots}, key=lambda p: (-p.count("/") - (p != ""), p)):
        if root and not stem.startswith(root + "/"):
            continue
        rest = stem[len(root) + 1:] if root else stem
        parts = rest.split("/") if rest else []
        if parts and all(p.isidentifier() for p in parts) and ".".join(parts) not in names:
            names.append(".".join(parts))
    return names


# -- the roots of a set of files --------------------------------------------------------


_ARCHIVE = re.compile(
    r"^[._]?(archives?|archived|old|backups?|bak|deprecated|attic|obsolete|unused|trash)"
    r"([-_ .].*)?$|.*[-_](old|archive|archived|backup|bak|deprecated)$", re.IGNORECASE)


class RootSet:
    """The roots of one set of files, and the roots each folder runs with."""

    def __init__(self, paths: Iterable[str], modules: dict[str, ModuleFacts],
                 layout: Layout | None = None) -> None:
        self.paths = set(paths)
        self.dirs: set[str] = set()
        for path in self.paths:
            folder = posixpath.dirname(path)
            while folder and folder not in self.dirs:
                self.dirs.add(folder)
                folder = posixpath.dirname(folder)
        self.layout = layout or Layout()
        roots: list[Root] = [Root("", "repository", "the repository root (where commands run)")]
        if "src" in self.dirs and "src/__init__.py" not in self.paths:
            roots.append(Root("src", "src-layout", "src/ layout (src/ is not a package)"))
        roots += [r for r in self.layout.declared]
        roots += self._package_bases()
        #: sibling modules a script folder's evidence went through (a focused scan reads
        #: them: whether they bind the names, or wrap a package of their own name)
        self.evidence: set[str] = set()
        roots += self._script_folders(modules)
        self.roots = _dedupe(roots)
        #: package bases and script folders: roots for the files under them
        self._local: set[str] = {r.path for r in self.roots if r.kind in ("package-base", "script-folder")}
        self._global: list[Root] = sorted(
            (r for r in self.roots if r.kind in GLOBAL_KINDS),
            key=lambda r: GLOBAL_KINDS.index(r.kind))
        self._for_dir: dict[str, tuple[str, ...]] = {}

    def _package_bases(self) -> list[Root]:
        bases: dict[str, str] = {}
        for path in self.paths:
            if not path.endswith("/__init__.py"):
                continue
            folder = posixpath.dirname(path)
            while folder and posixpath.dirname(folder) + "/__init__.py" in self.paths:
                folder = posixpath.dirname(folder)
            base = posixpath.dirname(folder)
            if base and base != "src":
                bases.setdefault(base, posixpath.basename(folder))
        return [Root(b, "package-base", f"holds the package {name}/ (an __init__.py chain)", b)
                for b, name in sorted(bases.items())]

    def _script_folders(self, modules: dict[str, ModuleFacts]) -> list[Root]:
        found: list[tuple[str, str, str, str]] = []  # (folder, top name, sibling, why)
        wrappers: set[str] = set()  # folders that cannot be on sys.path
        shadowed: set[tuple[str, str]] = set()  # (folder, name): the name is installed
        for path in sorted(modules):
            facts = modules[path]
            folder = posixpath.dirname(path)
            own = posixpath.basename(path)[:-3]
            for imp in facts.imports:
                if imp.level:
                    continue
                names = [n for n, _ in imp.names] if imp.kind == "import" else [imp.module]
                for name in names:
                    top = name.split(".")[0]
                    if top == own and own != "__init__":
                        wrappers.add(folder)  # redis.py doing `import redis`
                        continue
                    package = _named_ancestor(folder, top)
                    if package is not None and self._under(posixpath.dirname(package), name) is None:
                        # a file of the local package `top` imports a `top.x` it lacks: the
                        # name means an installed package (mlflow/server/graphql/, graphql.error)
                        shadowed.add((posixpath.dirname(package), top))
                        continue
                    hit = self._under(folder, name)
                    if hit is None or hit == path:
                        continue
                    if imp.kind == "from" and not imp.star and not _binds_all(
                            modules.get(hit), [n for n, _ in imp.names], self, hit):
                        continue
                    found.append((folder, top, hit, f"{path}:{imp.line} imports {name} from "
                                                    f"this folder as a top-level module"))
        evidence: dict[str, str] = {}
        for folder, top, hit, why in found:
            if folder and folder not in wrappers and (folder, top) not in shadowed:
                self.evidence.add(hit)
                evidence.setdefault(folder, why)
        return [Root(f, "script-folder", why, f) for f, why in sorted(evidence.items())]

    def _under(self, root: str, module: str) -> str | None:
        """The file (or "dir/") of ``module`` under one root: set probes only."""
        base = f"{root}/{module.replace('.', '/')}" if root else module.replace(".", "/")
        if base + "/__init__.py" in self.paths:
            return base + "/__init__.py"
        if base + ".py" in self.paths:
            return base + ".py"
        if base in self.dirs:
            return base + "/"
        return None

    def for_dir(self, folder: str) -> tuple[str, ...]:
        """The roots of the files in ``folder``, in the order Python would try them."""
        cached = self._for_dir.get(folder)
        if cached is not None:
            return cached
        local, ancestor = [], folder
        while ancestor:  # the folder's ancestors are probed, deepest first
            if ancestor in self._local:
                local.append(ancestor)
            ancestor = posixpath.dirname(ancestor)
        ordered: list[str] = []
        for path in local + [r.path for r in self._global if _covers(r.applies_to, folder)]:
            if path not in ordered:
                ordered.append(path)
        result = tuple(ordered)
        self._for_dir[folder] = result
        return result

    def resolve(self, folder: str, module: str) -> str | None:
        """``module`` imported from a file in ``folder``: a regular module or package
        under the first root that has one, else the first namespace package."""
        namespace = None
        for root in self.for_dir(folder):
            hit = self._under(root, module)
            if hit is None:
                continue
            if not hit.endswith("/"):
                return hit
            namespace = namespace or hit
        return namespace

    def declares(self, folder: str) -> bool:
        """Does a root from outside ``folder`` put it, or a folder in it, on sys.path?
        (A script inside an archive adding its own folder does not make it live.)"""
        return any(
            (r.path == folder or r.path.startswith(folder + "/")) and not _covers(folder, r.applies_to)
            for r in self.roots if r.kind in ("sys-path", "config", "src-layout"))

    def archive_folders(self) -> list[str]:
        """Folders named like archives (``archives/``, ``old/``, ``backup_2023/``), outermost."""
        found = []
        for folder in sorted(self.dirs):
            if _ARCHIVE.match(posixpath.basename(folder)) and not any(
                    folder.startswith(f + "/") for f in found):
                found.append(folder)
        return found


def _named_ancestor(folder: str, name: str) -> str | None:
    """The nearest of ``folder`` and its ancestors whose last part is ``name``."""
    while folder:
        if posixpath.basename(folder) == name:
            return folder
        folder = posixpath.dirname(folder)
    return None


def _covers(applies_to: str, folder: str) -> bool:
    return applies_to == "" or folder == applies_to or folder.startswith(applies_to + "/")


def _binds_all(facts: ModuleFacts | None, names: list[str], roots: RootSet, hit: str) -> bool:
    """Does the sibling module bind every imported name? (Unknown when it was not read.)"""
    if hit.endswith("/") or facts is None:
        return True
    bound = ({c.name for c in facts.classes} | {a.name for a in facts.assigns}
             | {n for n, _ in facts.functions} | set(facts.stored_names)
             | {asname or (n.split(".")[0] if i.kind == "import" else n)
                for i in facts.imports for n, asname in i.names})
    if not bound:
        return True  # not read (focus scan) or empty: no evidence against
    folder = posixpath.dirname(hit) if hit.endswith("__init__.py") else None
    return all(n in bound or (folder is not None and roots._under(folder, n)) for n in names)


def _dedupe(roots: list[Root]) -> list[Root]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for root in roots:
        key = (root.path, root.applies_to, root.kind)
        if key not in seen:
            seen.add(key)
            out.append(root)
    return out
