"""Probable duplicates under different names (``MVPUser`` vs ``User``).

Two models are suggested as one when they share most of their columns and
their names overlap. The plan shows them as commented-out aliases with the
score; a person turns them on.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from unify.inventory import ModelInfo

# Columns nearly every table has: they say nothing about what a table is.
_GENERIC = {"id", "created_at", "updated_at", "created", "updated", "is_active", "active"}
THRESHOLD = 0.55


@dataclass(frozen=True)
class Duplicate:
    old: str  # the name to retire
    new: str  # the name to keep
    score: float
    reason: str


def _columns(model: ModelInfo) -> set[str]:
    return {c.name for c in model.columns} - _GENERIC


def name_similarity(a: str, b: str) -> float:
    """1.0 when one name ends with the other (``MVPUser``/``User``), else a ratio."""
    low_a, low_b = a.lower(), b.lower()
    if low_a.endswith(low_b) or low_b.endswith(low_a):
        return 1.0
    return difflib.SequenceMatcher(None, low_a, low_b).ratio()


def similarity(a: ModelInfo, b: ModelInfo) -> tuple[float, set[str]]:
    cols_a, cols_b = _columns(a), _columns(b)
    if not cols_a or not cols_b:
        return 0.0, set()
    shared = cols_a & cols_b
    jaccard = len(shared) / len(cols_a | cols_b)
    return round(0.7 * jaccard + 0.3 * name_similarity(a.name, b.name), 2), shared


def probable_duplicates(models: list[ModelInfo], conflicts: Iterable) -> list[Duplicate]:
    """Pairs of differently named models in different tables that look like one entity.

    The shorter name is proposed as the one to keep (``MVPUser`` -> ``User``).
    """
    settled = {c.ref for conflict in conflicts for c in conflict.candidates}
    pool = [m for m in models if f"{m.path}:{m.name}" not in settled]
    found = []
    for i, a in enumerate(pool):
        for b in pool[i + 1 :]:
            if a.name == b.name or a.qualified_table == b.qualified_table:
                continue
            score, shared = similarity(a, b)
            if score < THRESHOLD:
                continue
            keep, old = sorted((a, b), key=lambda m: (len(m.name), m.name))
            found.append(Duplicate(
                old.name, keep.name, score,
                f"similarity {score:.2f}: both have {', '.join(sorted(shared))}",
            ))
    return sorted(found, key=lambda d: (-d.score, d.old))
