"""rewrite_fast gives RewriteImportsCommand's bytes, or declines (None).

The codemod's own before/after pairs run through both (test_rewrite_imports.py);
here: generated code bases in every import form, whole applies of each corpus
case with and without the fast path, and each reason to decline."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, SkipFile

from codemods.rewrite_imports import RewriteImportsCommand
from codemods.rewrite_imports_fast import rewrite_fast
from conftest import CORPUS, commit_all, git, init_repo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402  (bench/generate.py: the benchmark's code base)

OLD = ["models", "unified_models", "mvp_models"]
NEW = "app.db_models"


def both(source: bytes, module: str = "app.views", package: str | None = None,
         old=OLD, new=NEW, renames=None) -> tuple[bytes | None, bytes]:
    """(rewrite_fast's bytes or None, the codemod's bytes) for one file."""
    package = module.rpartition(".")[0] if package is None else package
    renames = renames or {}
    fast = rewrite_fast(source, old_modules=old, new_module=new, renames=renames,
                        module_name=module, package=package)
    context = CodemodContext(full_module_name=module, full_package_name=package)
    try:
        command = RewriteImportsCommand(context, old_modules=old, new_module=new,
                                        renames=renames)
        slow = command.transform_module(cst.parse_module(source)).bytes
    except SkipFile:
        slow = source
    return fast, slow


def fast_only(text: str, **kwargs) -> bytes | None:
    source = textwrap.dedent(text).lstrip("\n").encode()
    fast, slow = both(source, **kwargs)
    if fast is not None:
        assert fast == slow
    return fast


# -- the benchmark's code base: every import form of DESIGN.md -------------------------


def test_generated_importers_match_the_codemod() -> None:
    """400 files of the benchmark generator: all but the dynamic-import ones take the
    fast path, and every one it takes is the codemod's output byte for byte."""
    rng = random.Random(1)
    handled = changed = 0
    forms: set[str] = set()
    for index in range(400):
        path, text, picked = generate.importer_file(rng, index)
        dotted = path[:-3].replace("/", ".")
        fast, slow = both(text.encode(), module=dotted, old=list(generate.OLD_MODULES),
                          new=generate.TARGET_MODULE)
        assert slow != text.encode(), path
        if fast is None:
            assert "importlib" in text, f"{path} ({picked}) declined"
            continue
        assert fast == slow, path
        handled += 1
        changed += fast != text.encode()
        forms.update(picked)
    assert handled >= 396 and changed == handled
    assert len(forms) == len(generate.FORMS)


@pytest.mark.parametrize("case", ["seqpt_like", "package_models", "typed_sqla2",
                                  "seed000_drift"])
def test_corpus_apply_is_the_same_with_and_without_fast_path(case, tmp_path) -> None:
    """unify apply with UNIFY_FAST_REWRITE=0 (codemod only) and without: the same trees."""
    trees = []
    for fast in ("0", "1"):
        repo = tmp_path / f"fast{fast}"
        shutil.copytree(CORPUS / case, repo)
        init_repo(repo)
        commit_all(repo)
        env = {"UNIFY_FAST_REWRITE": fast, "UNIFY_CACHE": "0"}
        run = [sys.executable, "-m", "unify"]
        plan = subprocess.run([*run, "plan", "--repo", str(repo)], capture_output=True,
                              text=True, env=_env(env))
        assert plan.returncode in (0, 1), plan.stderr
        toml = repo / "plans" / "models.toml"
        toml.write_text(toml.read_text().replace('to = "?"', 'to = "role_cluster.id"'))
        applied = subprocess.run(
            [*run, "apply", str(toml), "--repo", str(repo), "--no-verify", "-q"],
            capture_output=True, text=True, env=_env(env))
        assert applied.returncode == 0, applied.stdout + applied.stderr
        trees.append(git(repo, "rev-parse", "unify/models~2^{tree}").strip())
        trees.append(git(repo, "rev-parse", "unify/models^{tree}").strip())
    assert trees[:2] == trees[2:]


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os

    return {**os.environ, **extra}


# -- what it rewrites, exactly as the codemod -------------------------------------------


def test_from_import_keeps_comments_and_crlf() -> None:
    source = (b"from models import (  # needed\r\n    User,  # rows\r\n    Role,\r\n)\r\n"
              b"x = User\r\n")
    fast, slow = both(source)
    assert fast == slow == source.replace(b"from models", b"from app.db_models")


def test_relative_forms_stay_relative() -> None:
    assert fast_only("""
        from .models import User
        from . import unified_models
        unified_models.Role
        """, module="app.db_models_views", package="app") is not None


def test_import_module_uses_follow() -> None:
    out = fast_only("""
        import models

        def load():
            return models.User.query.all()
        """)
    assert out == b"import app.db_models\n\ndef load():\n    return app.db_models.User.query.all()\n"


def test_import_module_keeps_its_name_when_the_top_name_is_taken() -> None:
    out = fast_only("""
        import models
        app = object()
        models.User
        """)
    assert out == b"import app.db_models as models\napp = object()\nmodels.User\n"


def test_dotted_import_uses_follow() -> None:
    out = fast_only("""
        import app.data.models

        app.data.models.User.query
        """, old=["app.data.models"], new="app.data")
    assert out == b"import app.data\n\napp.data.User.query\n"


def test_try_without_a_fallback_import_is_rewritten() -> None:
    assert fast_only("""
        try:
            from models import User
        except ImportError:
            User = None
        """) is not None


def test_file_without_old_modules_is_returned_as_is() -> None:
    source = b"import os\n"
    assert rewrite_fast(source, old_modules=OLD, new_module=NEW, renames={},
                        module_name="app.views", package="app") is source


# -- what it leaves to the codemod ----------------------------------------------------


@pytest.mark.parametrize("source, kwargs", [
    pytest.param("from models import MVPUser\n", {"renames": {"MVPUser": "User"}},
                 id="a renamed class"),
    pytest.param("try:\n    from models import User\nexcept ImportError:\n"
                 "    from unified_models import User\n", {}, id="try fallback collapses"),
    pytest.param("from app.db_models import User\nfrom models import User\n", {},
                 id="duplicate after the rewrite"),
    pytest.param("import importlib\nimportlib.import_module('models')\nfrom models import A\n",
                 {}, id="dynamic import to report"),
    pytest.param("from models import A; from unified_models import B\n", {},
                 id="two imports on one line"),
    pytest.param("def f():\n    import models\n    return models.A\n", {},
                 id="module binding inside a function"),
    pytest.param("import models\ndef f(models):\n    return models\n", {},
                 id="shadowed module name"),
    pytest.param("import models\nx: 'models.User'\n", {}, id="string annotation"),
    pytest.param("import models\nprint((models).User)\n", {}, id="parenthesised use"),
    pytest.param("from ...models import A\n", {}, id="relative above the top"),
    pytest.param("from models import A\n", {"module": "app.db_models"}, id="the target"),
    pytest.param("import app.data.models\napp.config\n",
                 {"old": ["app.data.models"], "new": "app.data"}, id="other use of the top"),
])
def test_declines(source: str, kwargs: dict) -> None:
    module = kwargs.pop("module", "app.views")
    fast, _ = both(source.encode(), module=module, **kwargs)
    assert fast is None


@pytest.mark.parametrize("source", [
    "# -*- coding: latin-1 -*-\nfrom models import A\n".encode("latin-1"),
    b"\xef\xbb\xbffrom models import A\n",
    b"from models import A\rx = 1\r",
    b"from models import A\nx = '\xff'\n",
])
def test_declines_bytes_it_cannot_map(source: bytes) -> None:
    assert rewrite_fast(source, old_modules=OLD, new_module=NEW, renames={},
                        module_name="app.views", package="app") is None
