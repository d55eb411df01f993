"""merge's post-pass: break the import cycles the plan names (codemods/break_import_cycles)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext

from codemods.break_import_cycles import BreakImportCyclesCommand
from unify.cycles import Cycle


def break_cycles(module: cst.Module, cycles: Sequence[Cycle], notes: list[str]) -> cst.Module:
    moves: dict[str, list[str]] = {}
    for cycle in cycles:
        if cycle.fix in ("function", "type_checking"):
            moves.setdefault(cycle.module, []).extend(cycle.names)
    if not moves:
        return module
    context = CodemodContext()
    changed = BreakImportCyclesCommand(context, moves).transform_module(module)
    notes += context.warnings
    if changed is not module:
        where = {"function": "into the functions that use it",
                 "type_checking": "under TYPE_CHECKING"}
        notes += [f"{c.source}:{c.line}: the import of {c.module} would close an import cycle "
                  f"in the merged module: moved {where[c.fix]}"
                  for c in cycles if c.fix in where]
    return changed
