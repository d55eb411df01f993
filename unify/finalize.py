"""`unify finalize`: drop the compat module and the shims once nothing imports them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git

from unify import gitops, history
from unify.errors import Refused
from unify.inventory import attribute_sites
from unify.resolve import ModuleIndex
from unify.scan import scan

SHIM_MARK = "removes this shim"


@dataclass(frozen=True)
class FinalizeResult:
    branch: str
    plan: str
    files: tuple[str, ...]  # the compat module and shims
    importers: tuple[str, ...]  # "path:line imports module" still in the way
    commit: str | None


def applied_run(repo: git.Repo) -> history.Run:
    """The newest complete apply merged into HEAD and not rolled back."""
    undone = history.rollbacks(repo, "HEAD")
    for run in history.runs(repo, "HEAD"):
        if run.complete and run.plan not in undone:
            return run
    raise Refused("no applied unify plan in the current branch's history",
                  "merge the unify branch first; `unify status` shows where it stands")


def generated_files(repo: git.Repo, root: Path, run: history.Run) -> list[str]:
    compat = run.step(2)
    retire = run.step(4)
    files = []
    for step in (compat, retire):
        if step is None:
            continue
        for path in repo.git.show("--name-only", "-z", "--format=", step.sha).split("\x00"):
            path = path.strip("\n")
            if not path:
                continue
            file = root / path
            if not file.is_file():
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
            if step is compat or SHIM_MARK in text:
                files.append(path)
    return sorted(set(files))


def edited_since(repo: git.Repo, run: history.Run, files: list[str]) -> list[str]:
    """Those of ``files`` whose content in HEAD is not what the apply's last step left."""
    out = repo.git.diff("--name-only", "-z", "--no-renames", run.steps[-1].sha, "HEAD",
                        "--", *files)
    return sorted(p.strip("\n") for p in out.split("\x00") if p.strip("\n"))


def importers(root: Path, files: list[str]) -> list[str]:
    result = scan(root, "")
    index = ModuleIndex([m for m in result.modules if m.error is None], result.layout)
    wanted = set(files)
    found = []
    for path, facts in sorted(index.by_path.items()):
        if path in wanted:
            continue
        for imp, module, target in index.imports_of(path):
            if target in wanted:
                found.append(f"{path}:{imp.line}: imports {module}")
            elif target and imp.kind == "from" and not imp.star:
                found += [f"{path}:{imp.line}: imports {module}.{name}"
                          for name, _ in imp.names if index.submodule(target, name) in wanted]
        found += [f"{path}:{site.line}: uses {site.module}.{site.names[0][0] if site.names else ''}"
                  .rstrip(".") + " through its package"
                  for site in attribute_sites(index, facts, wanted)]  # pkg.shim.Name
        for dyn in facts.dynamic_imports:
            if dyn.literal and index.resolve_module(path, dyn.literal) in wanted:
                found.append(f"{path}:{dyn.line}: {dyn.call}({dyn.argument})")
    seen = {tuple(f.split(":")[:2]) for f in found}
    return found + [f for f in module_strings(root, list(index.by_path), files)
                    if tuple(f.split(":")[:2]) not in seen]


def module_strings(root: Path, paths: list[str], files: list[str]) -> list[str]:
    """Strings still naming a module finalize would remove (mock.patch targets...)."""
    from unify import modrefs

    found = modrefs.find(root, paths, modrefs.names_of(paths, files), skip=files)
    return [f"{s.path}:{s.line}: names '{s.text}' in a string" for s in found]


def finalize(repo: git.Repo, root: Path, branch: str) -> FinalizeResult:
    dirty = gitops.dirty_files(repo)
    if dirty:
        raise Refused(f"the work tree has uncommitted changes: {', '.join(dirty[:5])}",
                      "commit or stash them first")
    run = applied_run(repo)
    files = generated_files(repo, root, run)
    if not files:
        raise Refused("nothing to finalize: the compat module and the shims are already gone")
    changed = edited_since(repo, run, files)
    if changed:
        raise Refused(f"{', '.join(changed)} changed since unify wrote it; finalize deletes "
                      "only files exactly as unify generated them",
                      "move the code you added elsewhere, then finalize again")
    blocking = importers(root, files)
    if blocking:
        return FinalizeResult(branch, run.plan, tuple(files), tuple(blocking), None)
    if gitops.branch_exists(repo, branch):
        raise Refused(f"branch {branch} already exists", "pass --branch with another name")
    base = repo.head.commit.hexsha
    with gitops.Worktree(repo, branch) as tree:
        assert tree.tree is not None
        tree.tree.git.rm("--quiet", "--", *files)
        message = (f"unify: finalize: remove the compat module and shims\n\n"
                   f"Nothing imports {', '.join(files)} any more.\n\n"
                   f"Unify-Plan: {run.plan}\nUnify-Step: finalize\nUnify-Base: {base}\n"
                   f"Unify-Branch: {branch}\n")
        sha = tree.commit(message, [])
        tree.settle()
    return FinalizeResult(branch, run.plan, tuple(files), (), sha)
