"""Counts as people write them: "1 member", "2 members", never "member(s)"."""

from __future__ import annotations


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun it counts, singular for exactly one (and minus one)."""
    noun = singular if abs(n) == 1 else (plural or singular + "s")
    return f"{n} {noun}"
