"""Write a synthetic Flask-SQLAlchemy code base of N files, as a git repository.

    python bench/generate.py OUT --files 10000 [--importers 0.2] [--seed 0]

The layout is the one unify exists for (seed 001): three overlapping model
modules in one package, ``app/data/models.py``, ``unified_models.py`` and
``mvp_models.py`` (22 models on ``db.Model`` from ``app/extensions.py``), a
share of files (``--importers``, default 20%) that import them in every import
form of DESIGN.md, and the rest unrelated code: utility packages that import
each other, with a little noise that looks like models to a text search
(pydantic ``BaseModel`` schemas, docstrings that say "relationship" or
"Table"). Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

PACKAGE = "app.data"
OLD_MODULES = ("app.data.models", "app.data.unified_models", "app.data.mvp_models")
TARGET_MODULE = "app.data"  # unify's default target: the package holding the sources

# -- the three model modules ---------------------------------------------------------

EXTENSIONS = '''\
"""Flask extensions, created once and bound in create_app()."""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
'''

MODELS = '''\
"""Core models: users, organizations and their work."""
from datetime import datetime

from app.extensions import db


class TimestampMixin:
    created_at = db.Column(db.DateTime, default=datetime.utcnow)
    updated_at = db.Column(db.DateTime, default=datetime.utcnow)


user_roles = db.Table(
    "user_roles",
    db.Column("user_id", db.Integer, db.ForeignKey("users.id"), primary_key=True),
    db.Column("role_id", db.Integer, db.ForeignKey("roles.id"), primary_key=True),
)


class Organization(TimestampMixin, db.Model):
    """A customer organization."""
    __tablename__ = "organizations"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False)
    users = db.relationship("User", back_populates="organization")
    teams = db.relationship("Team", back_populates="organization")


class User(TimestampMixin, db.Model):
    """A person who signs in."""
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey("organizations.id"))
    organization = db.relationship("Organization", back_populates="users")
    roles = db.relationship("Role", secondary="user_roles", back_populates="users")

    def display_name(self):
        return self.email.split("@")[0]


class Role(db.Model):
    __tablename__ = "roles"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80), unique=True)
    users = db.relationship("User", secondary="user_roles", back_populates="roles")


class Team(db.Model):
    __tablename__ = "teams"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120))
    organization_id = db.Column(db.Integer, db.ForeignKey("organizations.id"))
    organization = db.relationship("Organization", back_populates="teams")
    projects = db.relationship("Project", back_populates="team")


class Project(TimestampMixin, db.Model):
    __tablename__ = "projects"

    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    team_id = db.Column(db.Integer, db.ForeignKey("teams.id"))
    team = db.relationship("Team", back_populates="projects")
    tasks = db.relationship("Task", back_populates="project")


class Task(TimestampMixin, db.Model):
    __tablename__ = "tasks"

    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    done = db.Column(db.Boolean, default=False)
    project_id = db.Column(db.Integer, db.ForeignKey("projects.id"))
    project = db.relationship("Project", back_populates="tasks")
    comments = db.relationship("Comment", back_populates="task")


class Comment(db.Model):
    __tablename__ = "comments"

    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text)
    task_id = db.Column(db.Integer, db.ForeignKey("tasks.id"))
    task = db.relationship("Task", back_populates="comments")


class Tag(db.Model):
    __tablename__ = "tags"

    id = db.Column(db.Integer, primary_key=True)
    label = db.Column(db.String(40), unique=True)


class Attachment(db.Model):
    __tablename__ = "attachments"

    id = db.Column(db.Integer, primary_key=True)
    filename = db.Column(db.String(255))
    task_id = db.Column(db.Integer, db.ForeignKey("tasks.id"))


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id = db.Column(db.Integer, primary_key=True)
    action = db.Column(db.String(80))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
'''

UNIFIED_MODELS = '''\
"""Competency models (the "unified" schema)."""
from app.extensions import db
from app.data.models import TimestampMixin


class Competency(TimestampMixin, db.Model):
    __tablename__ = "competencies"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    indicators = db.relationship("CompetencyIndicator", back_populates="competency")


class CompetencyIndicator(db.Model):
    __tablename__ = "competency_indicators"

    id = db.Column(db.Integer, primary_key=True)
    level = db.Column(db.Integer)
    competency_id = db.Column(db.Integer, db.ForeignKey("competencies.id"))
    competency = db.relationship("Competency", back_populates="indicators")


class RoleCluster(db.Model):
    __tablename__ = "role_clusters"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120))
    organization_id = db.Column(db.Integer, db.ForeignKey("organizations.id"))


class RoleCompetencyMatrix(db.Model):
    __tablename__ = "role_competency_matrix"

    id = db.Column(db.Integer, primary_key=True)
    role_cluster_id = db.Column(db.Integer, db.ForeignKey("role_clusters.id"))
    competency_id = db.Column(db.Integer, db.ForeignKey("competencies.id"))
    required_level = db.Column(db.Integer)


class Skill(db.Model):
    __tablename__ = "skills"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
    levels = db.relationship("SkillLevel", back_populates="skill")


class SkillLevel(db.Model):
    __tablename__ = "skill_levels"

    id = db.Column(db.Integer, primary_key=True)
    skill_id = db.Column(db.Integer, db.ForeignKey("skills.id"))
    skill = db.relationship("Skill", back_populates="levels")


class Survey(db.Model):
    __tablename__ = "surveys"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    score = db.Column(db.Float)
'''

MVP_MODELS = '''\
"""MVP models (maturity assessment, role mapping, learning plans)."""
import uuid

from app.extensions import db


def _uuid():
    return str(uuid.uuid4())


class MVPBase(db.Model):
    """Abstract base: UUID primary key."""
    __abstract__ = True

    id = db.Column(db.String(36), primary_key=True, default=_uuid)


class MaturityAssessment(MVPBase):
    __tablename__ = "maturity_assessments"

    organization_id = db.Column(db.Integer, db.ForeignKey("organizations.id"))
    level = db.Column(db.Integer)


class RoleMapping(MVPBase):
    __tablename__ = "role_mappings"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    role_cluster_id = db.Column(db.Integer, db.ForeignKey("role_clusters.id"))


class LearningPlan(MVPBase):
    __tablename__ = "learning_plans"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    goals = db.relationship("LearningGoal", back_populates="plan")


class LearningGoal(MVPBase):
    __tablename__ = "learning_goals"

    plan_id = db.Column(db.String(36), db.ForeignKey("learning_plans.id"))
    plan = db.relationship("LearningPlan", back_populates="goals")
    title = db.Column(db.String(200))


class Feedback(MVPBase):
    __tablename__ = "feedback"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    text = db.Column(db.Text)
'''

NAMES = {
    "app.data.models": ("User", "Organization", "Role", "Team", "Project", "Task",
                        "Comment", "Tag", "Attachment", "AuditLog"),
    "app.data.unified_models": ("Competency", "CompetencyIndicator", "RoleCluster",
                                "RoleCompetencyMatrix", "Skill", "SkillLevel", "Survey"),
    "app.data.mvp_models": ("MaturityAssessment", "RoleMapping", "LearningPlan",
                            "LearningGoal", "Feedback"),
}
AREAS = ("routes", "services", "api", "tasks", "admin", "reports", "views", "jobs")


# -- importers: one function per import form of DESIGN.md ---------------------------------


@dataclass
class Form:
    """The import lines of one form and the lines that use what it binds."""

    header: list[str]  # module-level lines (imports, guards)
    body: list[str]  # functions using the names


def _pick(rng: random.Random, module: str, k: int) -> list[str]:
    return rng.sample(NAMES[module], k)


def _uses(names: list[str], prefix: str = "", fn: str = "lookup") -> list[str]:
    lines = [f"def {fn}(key):"]
    for name in names:
        lines.append(f"    if key == {name!r}:")
        lines.append(f"        return {prefix}{name}.query.filter_by(id=key).first()")
    lines.append("    return None")
    return lines


def form_from(rng, module, n):
    names = _pick(rng, module, 2)
    return Form([f"from {module} import {', '.join(names)}"], _uses(names, fn=f"find_{n}"))


def form_parenthesised(rng, module, n):
    names = _pick(rng, module, 3)
    lines = [f"from {module} import (  # models this view needs"]
    lines += [f"    {name},  # {name.lower()} rows" for name in names]
    lines.append(")")
    return Form(lines, _uses(names, fn=f"find_{n}"))


def form_aliased(rng, module, n):
    name = _pick(rng, module, 1)[0]
    alias = f"{name}Model"
    return Form([f"from {module} import {name} as {alias}"], _uses([alias], fn=f"find_{n}"))


def form_import(rng, module, n):
    name = _pick(rng, module, 1)[0]
    return Form([f"import {module}"], _uses([name], prefix=f"{module}.", fn=f"find_{n}"))


def form_import_as(rng, module, n):
    name = _pick(rng, module, 1)[0]
    alias = module.rsplit(".", 1)[-1][:3] + "m"
    return Form([f"import {module} as {alias}"], _uses([name], prefix=f"{alias}.", fn=f"find_{n}"))


def form_star(rng, module, n):
    name = _pick(rng, module, 1)[0]
    return Form([f"from {module} import *  # noqa: F403"], _uses([name], fn=f"find_{n}"))


def form_relative(rng, module, n, up=".."):
    names = _pick(rng, module, 2)
    last = module.rsplit(".", 1)[-1]
    return Form([f"from {up}data.{last} import {', '.join(names)}"], _uses(names, fn=f"find_{n}"))


def form_relative_module(rng, module, n, up=".."):
    name = _pick(rng, module, 1)[0]
    last = module.rsplit(".", 1)[-1]
    return Form([f"from {up}data import {last}"], _uses([name], prefix=f"{last}.", fn=f"find_{n}"))


def form_package_path(rng, module, n):
    name = _pick(rng, module, 1)[0]
    last = module.rsplit(".", 1)[-1]
    return Form([f"from app.data import {last} as {last}_mod"],
                _uses([name], prefix=f"{last}_mod.", fn=f"find_{n}"))


def form_lazy(rng, module, n):
    name = _pick(rng, module, 1)[0]
    body = [f"def find_{n}(key):",
            "    # imported here to dodge a circular import",
            f"    from {module} import {name}",
            f"    return {name}.query.get(key)"]
    return Form([], body)


def form_try(rng, module, n):
    name = _pick(rng, module, 1)[0]
    header = ["try:", f"    from {module} import {name}",
              "except ImportError:  # models not deployed", f"    {name} = None"]
    body = [f"def find_{n}(key):", f"    if {name} is None:", "        return None",
            f"    return {name}.query.get(key)"]
    return Form(header, body)


def form_type_checking(rng, module, n):
    name = _pick(rng, module, 1)[0]
    header = ["from typing import TYPE_CHECKING", "", "if TYPE_CHECKING:",
              f"    from {module} import {name}"]
    body = [f'def describe_{n}(row: "{name}") -> str:', "    return repr(row)"]
    return Form(header, body)


def form_dunder_all(rng, module, n):
    names = _pick(rng, module, 2)
    header = [f"from {module} import {', '.join(names)}", "",
              f"__all__ = [{', '.join(repr(x) for x in names)}, 'find_{n}']"]
    return Form(header, _uses(names, fn=f"find_{n}"))


FORMS = (form_from, form_parenthesised, form_aliased, form_import, form_import_as, form_star,
         form_relative, form_relative_module, form_package_path, form_lazy, form_try,
         form_type_checking, form_dunder_all)


# -- filler: ordinary code that makes files the size of real ones ------------------------


def filler(rng: random.Random, tag: str, lines: int) -> list[str]:
    out: list[str] = []
    k = 0
    while len(out) < lines:
        k += 1
        kind = rng.randrange(4)
        name = f"{tag}_{k}"
        if kind == 0:
            out += [f"def {name}(items, limit={rng.randrange(5, 500)}):",
                    f'    """Return the first items above {k}."""',
                    "    result = []",
                    "    for item in items:",
                    f"        if item > {k} and len(result) < limit:",
                    "            result.append(item * 2)",
                    "    return sorted(result)", "", ""]
        elif kind == 1:
            out += [f"class {name.title().replace('_', '')}:",
                    f'    """Holds {name} state."""', "",
                    "    def __init__(self, value):", "        self.value = value",
                    "        self.history = []", "",
                    "    def push(self, value):", "        self.history.append(self.value)",
                    "        self.value = value", "        return self", "", ""]
        elif kind == 2:
            out += [f"{name.upper()} = {{",
                    *[f'    "{name}_{i}": {rng.randrange(1000)},' for i in range(4)], "}",
                    "", ""]
        else:
            out += [f"async def {name}(client, url):",
                    "    try:", "        response = await client.get(url, timeout=5)",
                    "    except OSError as exc:", f'        raise RuntimeError("{name}") from exc',
                    "    return response.json()", "", ""]
    return out


SCHEMA_NOISE = '''\
from pydantic import BaseModel


class {name}Schema(BaseModel):
    """Request body; no relationship to the ORM, just a Model-ish name."""

    id: int
    label: str = ""

'''


# -- the whole tree ------------------------------------------------------------------


@dataclass
class Summary:
    files: int
    importers: int
    unrelated: int
    forms: dict[str, int]


SHAPES = ("extensions", "package-init", "deep", "wide", "heavy")
DEEP = 6  # packages nested this deep in the deep shape (app/<area>/s1/s2/s3/s4/x.py)

PACKAGE_INIT = '''\
"""The application package: the extensions live here (the Flask idiom)."""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
'''
USES_DB = ["def _session():", "    return db.session", "", ""]


@dataclass(frozen=True)
class Layout:
    """Where files go in one shape (``extensions``, the original, is the default)."""

    shape: str = "extensions"

    @property
    def db_in_package(self) -> bool:  # app/__init__.py defines db; every file imports it
        return self.shape == "package-init"

    def importer(self, index: int, area: str) -> tuple[str, str]:
        """(path, the relative prefix that reaches the ``app`` package from it)."""
        if self.shape == "deep":
            return (f"app/{area}/s1/s2/s3/s{index % 4 + 1}x/{area}_{index:05d}.py",
                    "." * DEEP)
        if self.shape == "wide":
            return f"app/w{index:05d}/{area}.py", ".."
        return f"app/{area}/{area}_{index:05d}.py", ".."


def importer_file(rng: random.Random, index: int,
                  layout: Layout = Layout()) -> tuple[str, str, list[str]]:
    area = AREAS[index % len(AREAS)]
    path, up = layout.importer(index, area)
    picks = [FORMS[(index + j * 5) % len(FORMS)] for j in range(1 + index % 3)]
    modules = [OLD_MODULES[(index + j) % 3] for j in range(len(picks))]
    forms = [f(rng, m, j, up=up) if "relative" in f.__name__ else f(rng, m, j)
             for j, (f, m) in enumerate(zip(picks, modules))]
    header = [f'"""{area.title()} {index}: reads the models."""', "import logging", ""]
    if layout.db_in_package:
        header += ["from app import db", ""]
    for form in forms:
        header += form.header + [""]
    body = ["log = logging.getLogger(__name__)", "", ""]
    if layout.db_in_package:
        body += USES_DB
    for form in forms:
        body += form.body + ["", ""]
    if index % 250 == 7:  # a few dynamic imports: reported, never rewritten
        header.insert(1, "import importlib")
        body += ["def plugin():", f'    return importlib.import_module("{modules[0]}")', "", ""]
    body += filler(rng, f"{area}_{index}", rng.randrange(40, 110))
    return path, "\n".join(header + body).rstrip() + "\n", [f.__name__ for f in picks]


def unrelated_file(
    rng: random.Random, index: int, packages: int, per_package: int,
    layout: Layout = Layout(),
) -> tuple[str, str]:
    pkg = index % packages
    mod = index // packages
    path = unrelated_path(layout, pkg, mod)
    header = [f'"""Utilities {pkg}.{mod}: plain helpers."""',
              "import json", "import os", "from dataclasses import dataclass", ""]
    if layout.db_in_package:
        header += ["from app import db", ""]
    for _ in range(rng.randrange(0, 3)):
        other_pkg, other_mod = rng.randrange(packages), rng.randrange(per_package)
        if layout.shape == "wide":
            other_mod = 0
        if other_pkg == pkg and other_mod != mod:
            header.append(f"from .mod_{other_mod:05d} import *  # noqa: F403")
        elif other_pkg != pkg:
            header.append(_import_module_of(layout, pkg, other_pkg, other_mod))
    header.append("")
    if index % 37 == 0:  # text noise a model prefilter has to read past
        header.append(SCHEMA_NOISE.format(name=f"Payload{index}"))
    if index % 53 == 0:
        header.append('NOTE = "a relationship Table in prose, not code"\n')
    body = (USES_DB if layout.db_in_package else []) + filler(rng, f"u{index}", rng.randrange(60, 140))
    return path, "\n".join(header + body).rstrip() + "\n"


def _deep_package(pkg: int) -> list[str]:
    """lib/aN/bN/cN/dN/eN: 6 packages deep, 3 ways at each level below the first."""
    parts = [f"a{pkg // 81}"]
    for level, letter in enumerate("bcde"):
        parts.append(f"{letter}{pkg // 3 ** (3 - level) % 3}")
    return ["lib", *parts]


def unrelated_package(layout: Layout, pkg: int) -> list[str]:
    if layout.shape == "deep":
        return _deep_package(pkg)
    if layout.shape == "wide":
        return ["lib", f"w{pkg:05d}"]
    return ["lib", f"pkg{pkg:03d}"]


def unrelated_path(layout: Layout, pkg: int, mod: int) -> str:
    return "/".join(unrelated_package(layout, pkg)) + f"/mod_{mod:05d}.py"


def _import_module_of(layout: Layout, pkg: int, other_pkg: int, other_mod: int) -> str:
    here, there = unrelated_package(layout, pkg), unrelated_package(layout, other_pkg)
    if layout.shape == "extensions" or layout.shape == "heavy" or layout.shape == "package-init":
        return f"from {'.'.join(there)} import mod_{other_mod:05d}"
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    level = len(here) - common + 1  # relative: up to the common ancestor, then down
    return f"from {'.' * level}{'.'.join(there[common:])} import mod_{other_mod:05d}"


def generate(out: Path, files: int, importers: float | None = None, seed: int = 0,
             shape: str = "extensions") -> Summary:
    """Write the tree into ``out`` (created, must not exist) and commit it."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    if importers is None:
        importers = 0.5 if shape == "heavy" else 0.2
    layout = Layout(shape)
    rng = random.Random(seed)
    out.mkdir(parents=True)
    models = {"app/data/models.py": MODELS, "app/data/unified_models.py": UNIFIED_MODELS,
              "app/data/mvp_models.py": MVP_MODELS}
    fixed = {
        "app/__init__.py": '"""The application package."""\n',
        "app/extensions.py": EXTENSIONS,
        "app/data/__init__.py": '"""Model package."""\n',
        **models,
        "lib/__init__.py": "",
    }
    if layout.db_in_package:
        fixed["app/__init__.py"] = PACKAGE_INIT
        del fixed["app/extensions.py"]
        for rel in models:
            fixed[rel] = fixed[rel].replace("from app.extensions import db", "from app import db")
    n_importers = max(1, round(files * importers))
    if layout.shape in ("deep", "wide"):
        importer_paths = [layout.importer(i, AREAS[i % len(AREAS)])[0] for i in range(n_importers)]
        fixed.update({k: v for k, v in _inits(importer_paths).items() if k not in fixed})
    else:
        fixed.update({f"app/{area}/__init__.py": "" for area in AREAS})
    n_unrelated = max(0, files - n_importers - len(fixed))
    if layout.shape == "wide":  # one module and its __init__.py a package
        packages = max(1, n_unrelated // 2)
    elif layout.shape == "deep":
        packages = max(1, n_unrelated // 60)
    else:
        packages = max(1, n_unrelated // 200)
    fixed.update({k: v for k, v in _inits(unrelated_path(layout, p, 0) for p in range(packages)).items()
                  if k not in fixed})
    n_unrelated = max(0, files - n_importers - len(fixed))
    per_package = max(1, -(-n_unrelated // packages))
    forms: dict[str, int] = {}
    written = dict(fixed)
    for i in range(n_importers):
        path, text, used = importer_file(rng, i, layout)
        written[path] = text
        for name in used:
            forms[name] = forms.get(name, 0) + 1
    for i in range(n_unrelated):
        path, text = unrelated_file(rng, i, packages, per_package, layout)
        written[path] = text
    for rel, text in written.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    _commit(out)
    return Summary(len(written), n_importers, n_unrelated, dict(sorted(forms.items())))


def _inits(paths) -> dict[str, str]:
    """An empty ``__init__.py`` in every folder below the top one of these files."""
    inits = {}
    for path in paths:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            inits.setdefault("/".join(parts[:depth]) + "/__init__.py", "")
    return inits


def _commit(root: Path) -> None:
    env = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
           "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(root)}
    for args in (["init", "-q", "-b", "main"], ["config", "core.autocrlf", "false"],
                 ["add", "-A"], ["commit", "-q", "-m", "synthetic code base"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist)")
    parser.add_argument("--files", type=int, default=1000, help="number of Python files")
    parser.add_argument("--importers", type=float, default=None,
                        help="share of files that import the model modules "
                             "(default 0.2; 0.5 in the heavy shape)")
    parser.add_argument("--shape", choices=SHAPES, default="extensions",
                        help="layout of the tree (default extensions, the original)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"{args.out} already exists; pick a new folder", file=sys.stderr)
        return 2
    summary = generate(args.out, args.files, args.importers, args.seed, args.shape)
    print(json.dumps(asdict(summary), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
