"""Counts and lists as people write them: "1 member", "2 members", never "member(s)";
"a, b and c". Used by the panel, the CLI and the sync log."""

from __future__ import annotations


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun it counts, singular for exactly one (and minus one)."""
    noun = singular if abs(n) == 1 else (plural or singular + "s")
    return f"{n:,} {noun}"


def and_list(parts) -> str:
    """ "a", "a and b", "a, b and c" (and "" for nothing)."""
    parts = list(parts)
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
