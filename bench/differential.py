"""Run rewrite_fast and RewriteImportsCommand over a tree of Python files and compare.

    python bench/differential.py TREE --old typing --old collections.abc \\
        --new compat.merged [--limit 2500] [--seed 0]

Each file is named as a module from its path under TREE (``a/b/c.py`` is
``a.b.c``). For every file that mentions an old module, the fast path either
declines (the codemod runs instead, as in ``unify apply``) or must give the
codemod's bytes. Prints each difference as a diff and a summary line; exits 1
if any file differs. Any real code base will do: a virtualenv's
``site-packages`` has thousands of files importing ``typing`` in every form.
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import time
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codemods.rewrite_imports import RewriteImportsCommand  # noqa: E402
from codemods.rewrite_imports_fast import rewrite_fast  # noqa: E402


def module_of(tree: Path, path: Path) -> tuple[str, str]:
    """(dotted module name, package) of ``path`` inside ``tree``."""
    parts = list(path.relative_to(tree).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def codemod(raw: bytes, module: str, package: str, old: list[str], new: str) -> bytes:
    context = CodemodContext(full_module_name=module, full_package_name=package)
    command = RewriteImportsCommand(context, old_modules=old, new_module=new)
    try:
        return command.transform_module(cst.parse_module(raw)).bytes
    except SkipFile:
        return raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--old", action="append", required=True, metavar="MODULE")
    parser.add_argument("--new", required=True, metavar="MODULE")
    parser.add_argument("--limit", type=int, default=None, help="files to sample")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    files = sorted(args.tree.rglob("*.py"))
    random.Random(args.seed).shuffle(files)
    files = files[: args.limit]
    tails = [m.rpartition(".")[2].encode() for m in args.old]
    counts = dict.fromkeys(("mention", "declined", "same", "changed", "differ", "libcst error"), 0)
    spent = {"fast": 0.0, "codemod": 0.0}
    for path in files:
        raw = path.read_bytes()
        if not any(tail in raw for tail in tails):
            continue
        counts["mention"] += 1
        module, package = module_of(args.tree, path)
        start = time.perf_counter()
        fast = rewrite_fast(raw, old_modules=args.old, new_module=args.new, renames={},
                            module_name=module, package=package)
        spent["fast"] += time.perf_counter() - start
        start = time.perf_counter()
        try:
            slow = codemod(raw, module, package, args.old, args.new)
        except Exception:  # noqa: BLE001 - libcst cannot parse it: nothing to compare
            counts["libcst error"] += 1
            continue
        spent["codemod"] += time.perf_counter() - start
        if fast is None:
            counts["declined"] += 1
        elif fast == slow:
            counts["same" if fast == raw else "changed"] += 1
        else:
            counts["differ"] += 1
            old_text = slow.decode("utf-8", "replace").splitlines(True)
            new_text = fast.decode("utf-8", "replace").splitlines(True)
            print("".join(difflib.unified_diff(old_text, new_text, f"codemod {path}",
                                               f"fast {path}")))
    print(", ".join(f"{name}: {n}" for name, n in counts.items()),
          f"(fast path {spent['fast']:.1f} s, codemod {spent['codemod']:.1f} s)")
    return 1 if counts["differ"] else 0


if __name__ == "__main__":
    sys.exit(main())
