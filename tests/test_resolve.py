"""Resolving imports across files: roots, packages, relative imports, aliases."""

from __future__ import annotations

from unify.extract import extract
from unify.resolve import ClassRef, ExtRef, ModuleIndex


def index(files: dict[str, str]) -> ModuleIndex:
    return ModuleIndex(extract(p, s.encode()) for p, s in files.items())


def test_src_backend_root_and_package_paths():
    idx = index({
        "src/backend/models.py": "class User: pass\n",
        "src/backend/app/routes.py": "from models import User\n",
        "src/backend/app/__init__.py": "",
    })
    assert idx.resolve_module("src/backend/app/routes.py", "models") == "src/backend/models.py"
    assert idx.resolve_module("src/backend/app/routes.py", "app.routes") == "src/backend/app/routes.py"


def test_shallowest_ancestor_root_wins_for_same_named_packages():
    idx = index({
        "models/booking.py": "class Booking: pass\n",
        "app/models/booking.py": "class Booking: pass\n",
        "app/api/routes.py": "",
        "services/hook.py": "",
    })
    # with the repository root on sys.path, `models.booking` is the top-level package
    assert idx.resolve_module("app/api/routes.py", "models.booking") == "models/booking.py"
    assert idx.resolve_module("services/hook.py", "models.booking") == "models/booking.py"
    assert idx.resolve_module("app/api/routes.py", "app.models.booking") == "app/models/booking.py"


def test_relative_imports_and_namespace_packages():
    idx = index({
        "app/models/__init__.py": "from .user import User\n",
        "app/models/user.py": "class User: pass\n",
        "db/models/core.py": "class Chef: pass\n",
    })
    assert idx.resolve_module("app/models/__init__.py", ".user", 1) == "app/models/user.py"
    assert idx.resolve_module("app/models/user.py", ".", 1) == "app/models/__init__.py"
    assert idx.resolve_module("x.py", "db.models") == "db/models/"
    assert idx.submodule("db/models/", "core") == "db/models/core.py"


def test_names_follow_reexports_aliases_and_prefer_imports_over_fallbacks():
    idx = index({
        "base.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
        "pkg/__init__.py": "from .impl import Thing as Alias\n",
        "pkg/impl.py": "class Thing: pass\n",
        "user.py": (
            "try:\n    from pkg import Alias\nexcept ImportError:\n"
            "    class Alias: pass\nfrom base import Base as B\nOther = B\n"
        ),
    })
    assert idx.resolve_name("user.py", "Alias") == ClassRef("pkg/impl.py", "Thing")
    assert idx.resolve_expr("base.py", "declarative_base") == ExtRef("sqlalchemy.orm.declarative_base")
    ref = idx.resolve_name("user.py", "Other")
    assert ref.path == "base.py" and ref.name == "Base"


def test_star_import_chains_and_missing_names():
    idx = index({
        "models.py": "class User: pass\n",
        "compat.py": "from models import *\nMVPUser = User\n",
        "opaque.py": "from somewhere_else import *\n",
    })
    assert idx.resolve_name("compat.py", "User") == ClassRef("models.py", "User")
    assert idx.defines("compat.py", "MVPUser") is True
    assert idx.defines("compat.py", "Nope") is False
    assert idx.defines("opaque.py", "Nope") is None  # cannot know
