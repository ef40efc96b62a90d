"""Mapping a function over many members, on every CPU when there are many
(the what-if replay).

A replay is CPU work per member (the engine over in-memory books), so a big
store's replay is spread over worker processes: they are forked (they
inherit the code, the function and its context, e.g. the two programs), only
the items (e.g. member ids) go over the pipe and only small results come
back. Small replays (the admin preview's sample, tests) stay in this
process: starting workers costs more than it saves there, and a web worker
should not fork.

The workers are started before the caller opens its session, so no
connection is in use while they fork; a worker that reads the database
opens its own connections (`worker_setup`, e.g. `engine.dispose(close=False)`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# Members from which a replay uses worker processes (below, one process is faster).
PARALLEL_FROM = 2000


class ReplayPool:
    """`map(items)` is `[function(item, context) for item in items]`, in order."""

    def __init__(
        self,
        function: Callable[[Any, Any], Any],
        context: Any,
        *,
        members: int,
        workers: int | None = None,
        worker_setup: Callable[[Any], None] | None = None,
    ):
        """`worker_setup(context)` runs once in each worker process as it starts."""
        self.function, self.context = function, context
        cpus = workers or os.cpu_count() or 1
        self._pool = None
        self._depth = 2 * cpus + 2  # items queued ahead of the one being waited for
        if cpus > 1 and (workers is not None or members >= PARALLEL_FROM):
            self._pool = ProcessPoolExecutor(
                max_workers=cpus,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_remember,
                initargs=(function, context, worker_setup),
            )
            list(self._pool.map(_ready, range(cpus)))  # fork now, before the caller opens a session

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def imap(self, items: Iterable) -> Iterator[tuple[Any, Any]]:
        """(item, function(item, context)) in order, lazily: items are read
        only as workers need them (the caller may be reading them from the
        database), and a few are kept queued so that no worker waits while
        the caller reads more or handles results."""
        if self._pool is None:
            for item in items:
                yield item, self.function(item, self.context)
            return
        queued: deque = deque()
        for item in items:
            queued.append((item, self._pool.submit(_call, item)))
            if len(queued) >= self._depth:
                item, future = queued.popleft()
                yield item, future.result()
        while queued:
            item, future = queued.popleft()
            yield item, future.result()

    def map(self, items: Iterable) -> list:
        return [result for _, result in self.imap(items)]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ReplayPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_WORKER: dict = {}


def _remember(function: Callable, context: Any, setup: Callable[[Any], None] | None) -> None:
    _WORKER["function"], _WORKER["context"] = function, context
    if setup is not None:
        setup(context)


def _ready(_n: int) -> bool:
    return True


def _call(item: Any) -> Any:
    return _WORKER["function"](item, _WORKER["context"])
