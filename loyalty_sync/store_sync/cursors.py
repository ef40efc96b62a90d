"""Where an incremental listing starts, and where its bookmark goes next.

A bookmark's `modified_after` is one of two kinds (`SyncBookmark.cursor`
says which, so old bookmarks keep their meaning):

- **the store's clock before the listing was sent** (`STORE_CLOCK`): the
  newest `Date` header the store had answered with (woocommerce/store_clock.py).
  Every change the listing may have missed (a record edited on a page already
  read, a save still committing) is stamped at or after it, so the next pass
  only needs `CLOCK_OVERLAP` behind it: one-second dates with an exclusive
  `modified_after` (a change in the very second of the `Date`), a save whose
  date was written a moment before its commit, and a little clock drift
  between the store's web server and PHP. Passes are minutes apart, so once
  that minute has passed a quiet store gives an empty first page and nothing
  is read twice again;
- **the newest change seen** (`NEWEST_CHANGE`, also every bookmark written
  before store clocks were kept): a store that sent no usable `Date` (a proxy
  stripping it, a clock far off ours). It says nothing about how late the
  store's clock is, so the next pass looks `CHANGE_OVERLAP` behind it, and a
  burst is re-read by every pass until the store changes again.

A bookmark moves only forward, and only once the listing's last batch is
applied and committed (sync_pass.py): a pass that dies re-reads, never skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from loyalty_sync.models import SyncBookmark

NEWEST_CHANGE = 0
STORE_CLOCK = 1

CLOCK_OVERLAP = timedelta(minutes=1)
CHANGE_OVERLAP = timedelta(minutes=10)
#: A `Date` further than this from our own clock is not believed: a broken
#: proxy's date in 2099 would otherwise stop every later pass from reading.
#: (Stores on http are held to 15 minutes anyway by OAuth's timestamp window.)
MAX_STORE_SKEW = timedelta(hours=1)


@dataclass(frozen=True)
class Cursor:
    at: datetime
    kind: int


def listing_bound(bookmark: SyncBookmark) -> datetime | None:
    """The exclusive lower bound to ask the store for (None: read everything)."""
    if bookmark.modified_after is None:
        return None
    overlap = CLOCK_OVERLAP if bookmark.cursor == STORE_CLOCK else CHANGE_OVERLAP
    return bookmark.modified_after - overlap


def store_clock_cursor(store_time: datetime | None, *, now: datetime | None = None) -> Cursor | None:
    """A cursor on the store's clock, taken *before* a listing is sent; None
    when the store sent no `Date` or one we cannot believe."""
    if store_time is None:
        return None
    now = now or datetime.now(timezone.utc)
    if abs(store_time - now) > MAX_STORE_SKEW:
        return None
    return Cursor(store_time, STORE_CLOCK)


def newest_change_cursor(newest: datetime | None) -> Cursor | None:
    return Cursor(newest, NEWEST_CHANGE) if newest is not None else None


def advance(bookmark: SyncBookmark, cursor: Cursor | None) -> None:
    """Move `bookmark` to `cursor` if that is forward (the caller commits)."""
    if cursor is None:
        return
    if bookmark.modified_after is None or cursor.at > bookmark.modified_after:
        bookmark.modified_after, bookmark.cursor = cursor.at, cursor.kind
