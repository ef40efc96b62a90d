"""The one place where requests to the store are retried (tenacity).

What is retried: HTTP 429, 500, 502, 503, 504, connection errors, timeouts
and a 2xx whose JSON is garbled or cut short; never 400/401/403/404/413 (the
same request would get the same answer). Waits grow exponentially with jitter
(``backoff_base * 2**n`` plus up to ``backoff_base`` random, at most
``backoff_max``) so parallel page fetches do not come back in lock-step; a
``Retry-After`` header on 429/503 is honoured instead (FACTS.md: wc/v3 has no
rate limit of its own, but hosts and WAFs add 429s).

Whether a failed request *may* be retried is decided by the caller
(``StoreClient._exchange``): a POST that creates records is only retried when
the store cannot have acted on it (429, 503, connection never made), because a
second create after a lost answer would duplicate an order note, a refund or
a coupon.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base, wait_exponential_jitter

log = logging.getLogger("loyalty_sync.woocommerce")

T = TypeVar("T")

#: Statuses worth another try; everything else is final at once.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Statuses where the server says it did not process the request (safe for POST too).
NOT_PROCESSED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    #: A store asking for more than this is waited for this long only.
    retry_after_max: float = 300.0


class Transient(Exception):
    """An outcome worth another attempt; after the last attempt the client
    turns it into the matching ``StoreError``."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        body: Any = None,
        garbled: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.body = body
        self.garbled = garbled


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """``Retry-After`` is seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


class _wait_for_store(wait_base):
    """Retry-After when the store gave one, exponential backoff with jitter otherwise."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.backoff = wait_exponential_jitter(
            multiplier=policy.backoff_base, max=policy.backoff_max, jitter=policy.backoff_base
        )

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return min(exc.retry_after, self.policy.retry_after_max)
        return self.backoff(retry_state)


def call_with_retries(
    attempt: Callable[[], T],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    what: str,
) -> T:
    """Run ``attempt`` until it returns, raises a non-``Transient`` error, or
    ``policy.max_attempts`` are spent (then the last ``Transient`` is raised).

    ``what`` ("GET orders") is the only request detail logged: no URL, no
    query string, so no key, secret or signature can reach the log.
    """

    def log_retry(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "WooCommerce %s: %s; retry %d of %d in %.1f s",
            what,
            getattr(exc, "reason", type(exc).__name__),
            state.attempt_number,
            policy.max_attempts - 1,
            wait,
        )

    retrying = Retrying(
        stop=stop_after_attempt(max(1, policy.max_attempts)),
        wait=_wait_for_store(policy),
        retry=retry_if_exception_type(Transient),
        sleep=sleep,
        before_sleep=log_retry,
        reraise=True,
    )
    return retrying(attempt)
