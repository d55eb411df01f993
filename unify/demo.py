"""`unify demo`: the whole workflow on a bundled corpus case, in a scratch repository."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from unify.errors import InputError

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# seqpt_like is built to need one decision from a person: a foreign key to a table
# ('roles') that nothing defines. The demo makes that decision the way a reviewer would.
DECISIONS = {"seqpt_like": ('to = "?"', 'to = "role_cluster.id"'),
             "alembic_seed001": ('data_loss = "?"', 'data_loss = "accept"')}


def cases() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


def prepare(case: str, folder: str | None) -> Path:
    """Copy corpus/<case> into a new git repository with one commit."""
    if case not in cases():
        raise InputError(f"no demo case {case!r}",
                         f"choose one of {', '.join(cases()) or '(corpus/ not found: run from a checkout)'}")
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix=f"unify-demo-{case}-"))
    if root.exists() and not root.is_dir():
        raise InputError(f"{root} is a file, not a folder", "pass --dir with a new or empty folder")
    if root.exists() and any(root.iterdir()):
        raise InputError(f"{root} is not empty", "pass --dir with a new or empty folder")
    shutil.copytree(CORPUS / case, root, dirs_exist_ok=True)
    env = ["-c", "user.name=unify demo", "-c", "user.email=demo@unify.invalid"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 [*env, "commit", "-q", "-m", f"{case}: the project before unify"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def run_demo(case: str, folder: str | None, invoke: Callable[[list[str]], int],
             say: Callable[[str], None]) -> int:
    root = prepare(case, folder)
    plan = root / "plans" / "models.toml"
    say(f"# {case} copied into a new git repository: {root}\n")
    steps = [["check", "--repo", str(root)], ["plan", "--repo", str(root)]]
    for args in steps:
        say(f"$ unify {' '.join(args)}")
        invoke(args)
        say("")
    if case in DECISIONS:
        old, new = DECISIONS[case]
        plan.write_text(plan.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        say(f"# a reviewer edits {plan.name}: {old}  ->  {new}\n")
        say(f"$ unify plan --check {plan}")
        invoke(["plan", "--check", str(plan), "--repo", str(root)])
        say("")
    say(f"$ unify apply {plan} --branch unify/models")
    code = invoke(["apply", str(plan), "--repo", str(root), "--branch", "unify/models"])
    say(f"\n# Explore: cd {root} && git log --stat main..unify/models")
    return code
