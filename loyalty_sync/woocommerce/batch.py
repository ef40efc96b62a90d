"""Batch writes: split into store-sized requests, read per-item failures.

WooCommerce's ``POST /<resource>/batch`` takes ``create``/``update``/``delete``
lists with at most 100 items *counted across all three* (413 otherwise), and
answers 200 even when some items fail: a failed item is
``{"id": 0, "error": {"code", "message", "data"}}`` in its place (FACTS.md
"Batch endpoints", captures 042, 059, 060). So one logical batch becomes
ceil(items / 100) requests, and the failures become ``ItemError`` values
pointing at the caller's own list positions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from loyalty_sync.woocommerce.errors import clean_store_message

BATCH_LIMIT = 100
OPS = ("create", "update", "delete")


@dataclass(frozen=True)
class ItemError:
    """One item the store refused: ``index`` is its position in the caller's
    ``create``/``update``/``delete`` sequence (``op``)."""

    index: int
    op: str
    code: str | None
    message: str | None


@dataclass
class BatchResult:
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Chunk:
    """One request's worth: ``body`` to send, ``offsets[op]`` = index of its
    first ``op`` item in the caller's sequence."""

    body: dict[str, list[Any]]
    offsets: dict[str, int]


def chunks(
    create: Sequence[Any], update: Sequence[Any], delete: Sequence[Any], limit: int = BATCH_LIMIT
) -> Iterator[Chunk]:
    """Fill each request up to ``limit`` items, creates first, then updates,
    then deletes, keeping the caller's order within each list."""
    lists = {"create": list(create), "update": list(update), "delete": list(delete)}
    position = dict.fromkeys(OPS, 0)
    while any(position[op] < len(lists[op]) for op in OPS):
        room = limit
        body: dict[str, list[Any]] = {}
        offsets: dict[str, int] = {}
        for op in OPS:
            start = position[op]
            take = lists[op][start : start + room]
            if take:
                body[op] = take
                offsets[op] = start
                position[op] += len(take)
                room -= len(take)
        yield Chunk(body, offsets)


def add_answer(result: BatchResult, chunk: Chunk, answer: Any) -> None:
    """Sort one batch answer's items into ``result``."""
    answer = answer if isinstance(answer, dict) else {}
    targets = {"create": result.created, "update": result.updated, "delete": result.deleted}
    for op, offset in chunk.offsets.items():
        for i, item in enumerate(answer.get(op) or []):
            error = item.get("error") if isinstance(item, dict) else None
            if isinstance(error, dict):
                result.errors.append(
                    ItemError(
                        index=offset + i,
                        op=op,
                        code=error.get("code"),
                        message=clean_store_message(error.get("message")),
                    )
                )
            else:
                targets[op].append(item)
