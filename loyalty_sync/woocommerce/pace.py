"""How many requests the client has in flight at once, and how that adapts.

One politeness limit for everything a client sends (page reads, batch
writes, lookups): `ceiling` is `LOYALTY_SYNC_CONCURRENCY`. The store's
shoppers come first, so the limit gives way when the store says so:

- **429 or 503** (a host or WAF asking us to slow down): the limit halves and
  nothing new is sent until its `Retry-After` has passed (retry.py still waits
  before repeating the refused request itself);
- **answers slowing down**: an answer that takes `SLOW_FACTOR` times the
  fastest one of the same kind ("POST coupons/batch") seen by this client,
  and at least `SLOW_FLOOR` seconds, takes one slot away;
- **answers back to normal**: after `limit` answers in a row that were not
  slow, one slot comes back, up to the ceiling (additive increase,
  multiplicative decrease, as TCP does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SLOW_FACTOR = 4.0
SLOW_FLOOR = 2.0
#: Longest a sender waits before it looks at the limit and the pause again.
_RECHECK = 0.5


class Pace:
    def __init__(self, ceiling: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = max(1, int(ceiling))
        self._clock = clock
        self._cond = threading.Condition()
        self._limit = self.ceiling
        self._in_flight = 0
        self._most_in_flight = 0
        self._paused_until = 0.0
        self._fastest: dict[str, float] = {}
        self._good_in_a_row = 0
        self.backed_off = 0  # times the limit went down (for the sync log and benchmarks)

    @property
    def limit(self) -> int:
        with self._cond:
            return self._limit

    @property
    def most_in_flight(self) -> int:
        """The most requests this client ever had in flight together."""
        with self._cond:
            return self._most_in_flight

    @contextmanager
    def slot(self, kind: str) -> Iterator[None]:
        """Hold one of the limit's slots for one request; times its answer."""
        self._acquire()
        started = self._clock()
        try:
            yield
        finally:
            self._release(kind, self._clock() - started)

    def pushed_back(self, retry_after: float | None) -> None:
        """The store answered 429/503: halve the limit, pause new sends."""
        with self._cond:
            self._limit = max(1, self._limit // 2)
            self._good_in_a_row = 0
            self.backed_off += 1
            if retry_after:
                self._paused_until = max(self._paused_until, self._clock() + retry_after)
            self._cond.notify_all()

    def _acquire(self) -> None:
        with self._cond:
            while True:
                pause = self._paused_until - self._clock()
                if pause <= 0 and self._in_flight < self._limit:
                    break
                self._cond.wait(timeout=min(_RECHECK, pause) if pause > 0 else _RECHECK)
            self._in_flight += 1
            self._most_in_flight = max(self._most_in_flight, self._in_flight)

    def _release(self, kind: str, seconds: float) -> None:
        with self._cond:
            self._in_flight -= 1
            fastest = self._fastest.get(kind)
            if fastest is None or seconds < fastest:
                self._fastest[kind] = fastest = seconds
            if seconds >= SLOW_FLOOR and seconds >= SLOW_FACTOR * fastest:
                if self._limit > 1:
                    self._limit -= 1
                    self.backed_off += 1
                self._good_in_a_row = 0
            else:
                self._good_in_a_row += 1
                if self._good_in_a_row >= self._limit and self._limit < self.ceiling:
                    self._limit += 1
                    self._good_in_a_row = 0
            self._cond.notify_all()
