"""Remembering results of pure functions of frozen inputs, by identity.

The planner asks about the same OrderFacts object many times: the tier
metric re-reads every order at each first earn, and a what-if replay plans a
member at many checkpoints. Hashing a frozen dataclass walks every field,
which costs as much as the arithmetic, so results are keyed by the identity
of the input objects (and kept with them, so a recycled id never matches).
Bounded (1024 entries, emptied when full): enough for one member's history at a
time, small enough not to hold a big store's orders in memory.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Callable

_MISSING = object()


class IdentityMemo:
    def __init__(self, size: int = 1024):
        self.size = size
        self._table: dict[tuple, tuple[tuple, Any]] = {}

    def get_or_compute(self, objects: tuple, extra: tuple, compute: Callable[[], Any]) -> Any:
        key = tuple(id(o) for o in objects) + extra
        hit = self._table.get(key, _MISSING)
        if hit is not _MISSING and all(a is b for a, b in zip(hit[0], objects, strict=True)):
            return hit[1]
        value = compute()
        if len(self._table) >= self.size:
            self._table.clear()
        self._table[key] = (objects, value)
        return value
