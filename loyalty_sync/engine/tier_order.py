"""Tiers are listed lowest first, as the ladder goes (Bronze, Silver, Gold),
never alphabetically (Bronze, Gold, Silver) or by head count."""

from __future__ import annotations

from collections.abc import Iterable

from loyalty_sync.engine.program import Program


def in_rank_order(names: Iterable[str], programs: Iterable[Program]) -> list[str]:
    """The tier names lowest first on the programs' ladders. With several
    stores a name takes its lowest rank in any of them; a name no program
    knows any more (a renamed or removed tier) comes after the known ones,
    alphabetically."""
    ranks: dict[str, int] = {}
    for program in programs:
        for name, rank in program.tier_ranks.items():
            ranks[name] = min(rank, ranks.get(name, rank))
    unknown = len(ranks) + 1
    return sorted(set(names), key=lambda name: (ranks.get(name, unknown), name))
