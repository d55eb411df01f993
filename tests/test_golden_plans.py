"""plans/<case>.toml: the golden plans, worked examples of the plan format.

Each file is exactly what `unify plan` writes for corpus/<case> (plus, where the case
is built to need one, the reviewed decision of unify.demo.DECISIONS), compared byte
for byte. The corpus case is committed into a fresh repository with a fixed author,
committer and date, so that `base_commit` (and every fingerprint) is reproducible.

Every corpus case has one. After a deliberate change to what `unify plan` writes (or a
new corpus case), regenerate them and review the diff like any other change:

    UNIFY_WRITE_PLANS=1 python -m pytest -q tests/test_golden_plans.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from unify.demo import DECISIONS

PLANS = ROOT / "plans"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "codemods")
WRITE = os.environ.get("UNIFY_WRITE_PLANS") == "1"
FIXED = {"GIT_AUTHOR_NAME": "unify corpus", "GIT_AUTHOR_EMAIL": "corpus@unify.invalid",
         "GIT_COMMITTER_NAME": "unify corpus", "GIT_COMMITTER_EMAIL": "corpus@unify.invalid",
         "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
         "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00"}


def reproducible_repo(case: str, where: Path) -> Path:
    """corpus/<case> committed with a fixed identity and date: the same commit id anywhere."""
    root = where / case
    shutil.copytree(CORPUS / case, root)
    env = {**FIXED, "HOME": str(where), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q", "-b", "main"], ["config", "core.autocrlf", "false"],
                 ["add", "-A"], ["commit", "-q", "-m", f"corpus/{case}"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    return root


def golden_text(case: str, where: Path, run) -> tuple[Path, str]:
    repo = reproducible_repo(case, where)
    result = run("plan", "--repo", str(repo), "-o", "-")
    assert result.code == (1 if case in DECISIONS else 0), result.err
    text = result.out
    if case in DECISIONS:
        old, new = DECISIONS[case]
        assert text.count(old) == 1, f"{case}: the reviewed decision {old!r} is not in the plan"
        text = text.replace(old, new)
    return repo, text


def test_commits_are_reproducible(tmp_path):
    one = reproducible_repo("seqpt_like", tmp_path / "one")
    two = reproducible_repo("seqpt_like", tmp_path / "two")
    head = ["git", "rev-parse", "HEAD"]
    assert subprocess.run(head, cwd=one, capture_output=True, text=True).stdout == \
        subprocess.run(head, cwd=two, capture_output=True, text=True).stdout


@pytest.mark.parametrize("case", CASES)
def test_golden_plan_is_what_unify_plan_writes(case, tmp_path, run):
    repo, text = golden_text(case, tmp_path, run)
    golden = PLANS / f"{case}.toml"
    if WRITE:
        PLANS.mkdir(exist_ok=True)
        golden.write_bytes(text.encode("utf-8"))
    assert golden.is_file(), (f"corpus/{case} has no golden plan plans/{case}.toml: "
                              "UNIFY_WRITE_PLANS=1 python -m pytest tests/test_golden_plans.py")
    assert golden.read_bytes() == text.encode("utf-8"), (
        f"plans/{case}.toml differs from what `unify plan` writes now; if the change is "
        "meant, regenerate (see this module's docstring) and review the diff")
    # a worked example is a valid plan: --check accepts it against the case's repository
    (repo / "plans").mkdir(exist_ok=True)
    shutil.copy(golden, repo / "plans" / "golden.toml")
    check = run("plan", "--check", str(repo / "plans" / "golden.toml"), "--repo", str(repo))
    assert check.code == 0, check.out + check.err


def test_every_golden_plan_has_its_corpus_case():
    assert sorted(p.stem for p in PLANS.glob("*.toml")) == CASES
