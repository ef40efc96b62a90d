"""Remembering results of pure functions of an order and a program, by identity.

The planner asks about the same OrderFacts object many times: the tier
metric re-reads every order at each first earn, and a what-if replay plans a
member at many checkpoints. Hashing a frozen dataclass walks every field,
which costs as much as the arithmetic, so results are keyed by the identity
of the two input objects (and kept with them, so a recycled id never
matches). Bounded (emptied when full): enough for a chunk of members'
histories, small enough not to hold a big store's orders in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class IdentityMemo:
    def __init__(self, size: int = 4096):
        self.size = size
        self._table: dict[tuple, tuple[object, object, Any]] = {}

    def get_or_compute(
        self, order: object, program: object, extra: Hashable, compute: Callable[..., Any], *args
    ) -> Any:
        """`compute(*args)`, remembered for (order, program, extra); `args`
        instead of a closure because this is called hundreds of thousands
        of times per pass."""
        key = (id(order), id(program), extra)
        hit = self._table.get(key)
        if hit is not None and hit[0] is order and hit[1] is program:
            return hit[2]
        value = compute(*args)
        if len(self._table) >= self.size:
            self._table.clear()
        self._table[key] = (order, program, value)
        return value
