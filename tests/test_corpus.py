"""Every corpus case: `unify scan` and `unify check` find exactly what its oracle says.

The oracle (corpus/<case>.expected.toml) is written by hand from docs/checks.md,
not recorded from unify's output, so a mismatch is a bug on one side or the
other and gets investigated, never re-recorded.
"""

from __future__ import annotations

import tomllib

import pytest

from conftest import CORPUS

CASES = sorted(p.name[: -len(".expected.toml")] for p in CORPUS.glob("*.expected.toml"))


def expected(case: str) -> dict:
    return tomllib.loads((CORPUS / f"{case}.expected.toml").read_text(encoding="utf-8"))


def test_every_case_has_an_oracle():
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "codemods")
    assert CASES == folders
    assert len(CASES) >= 3


@pytest.fixture(params=CASES)
def case(request, corpus_repo, run):
    repo = corpus_repo(request.param)
    scan = run("scan", "--repo", str(repo), "--json")
    assert scan.code == 0, scan.err
    check = run("check", "--repo", str(repo), "--json")
    assert check.code == 1, check.err  # every case is broken on purpose
    return expected(request.param), scan.json(), check.json()


def test_scan_counts(case):
    want, scan, _ = case
    want = want["scan"]
    summary = scan["summary"]
    models_modules = [m["path"] for m in scan["model_modules"] if m["kind"] == "models"]
    assert models_modules == sorted(want["model_modules"])
    assert summary["models"] == want["models"]
    assert summary["dependent_files"] == want["dependent_files"]
    assert summary["import_sites"] == want["import_sites"]
    assert summary["dynamic_imports"] == want["dynamic_imports"]
    parse_errors = sorted(d["path"] for d in scan["diagnostics"] if d["code"] == "U001")
    assert parse_errors == sorted(want.get("parse_errors", []))


def test_non_models_are_not_models(case):
    want, scan, _ = case
    models = {f"{m['path']}:{m['name']}" for m in scan["models"]}
    assert models.isdisjoint(want["scan"].get("non_models", []))


def test_check_findings(case):
    want, _, check = case
    found = sorted(f"{d['code']} {d['path']} {d['subject']}".rstrip() for d in check["diagnostics"])
    assert found == sorted(want["check"]["findings"])
