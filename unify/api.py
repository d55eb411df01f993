"""The library entry points: each reads as the list of stages it runs."""

from __future__ import annotations

from dataclasses import dataclass

from unify.analyze import analyze
from unify.diagnostics import Diagnostic, select
from unify.inventory import Inventory, build_inventory
from unify.scan import locate, scan


@dataclass(frozen=True)
class CheckResult:
    inventory: Inventory
    diagnostics: tuple[Diagnostic, ...]

    @property
    def return_code(self) -> int:
        return 1 if self.diagnostics else 0


def inventory(path: str | None = None, repo: str | None = None) -> Inventory:
    root, scope = locate(path, repo)
    return build_inventory(scan(root, scope))


def check(
    path: str | None = None,
    repo: str | None = None,
    select_codes: tuple[str, ...] = (),
    ignore_codes: tuple[str, ...] = (),
) -> CheckResult:
    inv = inventory(path, repo)
    found = select(analyze(inv), select_codes, ignore_codes)
    return CheckResult(inv, tuple(found))
