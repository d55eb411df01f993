"""apply with the plan's other choices: retire modes and a brand-new target file."""

from __future__ import annotations

import pytest

from conftest import SMALL_PROJECT, git


def plan_and_apply(repo, run, *plan_args):
    assert run("plan", "--repo", str(repo), *plan_args).code == 0
    result = run("apply", str(repo / "plans" / "models.toml"), "--repo", str(repo), "-q",
                 "--json")
    assert result.code == 0, result.out + result.err
    return result.json()


def files_on(repo, rev="unify/models") -> set[str]:
    return set(git(repo, "ls-tree", "-r", "--name-only", rev).split())


@pytest.mark.parametrize("mode", ["archive", "delete"])
def test_retire_modes(make_repo, run, mode):
    repo = make_repo(SMALL_PROJECT)
    result = plan_and_apply(repo, run, "--retire", mode)
    files = files_on(repo)
    assert "mvp_models.py" not in files
    assert ("archive/mvp_models.py" in files) == (mode == "archive")
    assert result["verification"]["ok"]
    app = git(repo, "show", "unify/models:app.py")
    assert app == "from models import MVPUser\n"


def test_new_target_file_retires_every_source(make_repo, run):
    repo = make_repo(SMALL_PROJECT)
    result = plan_and_apply(repo, run, "--target", "db_models.py", "--compat", "compat.py")
    assert result["verification"]["ok"], result["verification"]
    files = files_on(repo)
    assert {"db_models.py", "compat.py", "models.py", "mvp_models.py"} <= files
    shim = git(repo, "show", "unify/models:models.py")
    assert "from db_models import *" in shim and "DeprecationWarning" in shim
    assert git(repo, "show", "unify/models:app.py") == "from db_models import MVPUser\n"
    target = git(repo, "show", "unify/models:db_models.py")
    assert "class User(db.Model):" in target and "class MVPUser(db.Model):" in target
    assert 'db.ForeignKey("users.id")' in target  # the plan's FK fix, applied
