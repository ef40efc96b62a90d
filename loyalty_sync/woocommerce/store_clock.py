"""The store's own clock, read from the `Date` header of its answers.

Incremental passes ask for records "modified after" a cursor. That cursor
must be a time on the *store's* clock (the one `date_modified_gmt` is written
with): our clock may be minutes off the store's, and the newest change we saw
says nothing about how late the store's clock already is (after a burst of
changes it stays put, and every pass re-reads the burst). Every answer
carries `Date` (RFC 9110 6.6.1: an origin server with a clock must send it),
stamped by the store's web server, so the newest `Date` received *before* a
listing is sent is a time the listing cannot start before.

The header has one-second resolution and is truncated, like the store's own
dates; callers keep a small overlap for same-second ties and late commits.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


class StoreClock:
    """The newest `Date` the store has sent (thread-safe: pages arrive from a pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._newest: datetime | None = None

    def note(self, headers: Mapping[str, str] | None) -> None:
        stamp = parse_date_header(_date_header(headers))
        if stamp is None:
            return
        with self._lock:
            if self._newest is None or stamp > self._newest:
                self._newest = stamp

    @property
    def newest(self) -> datetime | None:
        """None until the store sent a readable `Date` (a proxy may strip it)."""
        with self._lock:
            return self._newest


def parse_date_header(value: str | None) -> datetime | None:
    """An HTTP date as aware UTC, or None when absent or unreadable."""
    if not value:
        return None
    try:
        stamp = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if stamp is None:
        return None
    if stamp.tzinfo is None:  # RFC 850 / asctime forms carry no zone: HTTP dates are GMT
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc)


def _date_header(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    try:
        value = headers.get("Date")
        if value is None:
            value = next((v for k, v in headers.items() if str(k).lower() == "date"), None)
    except AttributeError:
        return None
    return value if isinstance(value, str) else None
