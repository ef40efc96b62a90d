"""Birthday gifts (PRODUCT.md): once a year, in the birthday week, a birthday
coupon (`program.birthday_coupon`, restricted to the member's email) and/or
bonus points (`program.birthday_bonus`).

- The date comes from the customer meta key `program.birthday_meta_key`;
  `apply.apply_customers` reads it into `Member.birthday` with several
  common formats (1990-05-17, 17.05.1990, 17/05/1990, 05/17/1990,
  19900517, "May 17, 1990", --05-17 / 05-17 without a year). An unreadable
  or impossible date (31.02.1990, "soon") is reported as a
  `models.RejectedRecord` (resource `customer`) and the member simply has no
  birthday; nothing crashes.
- The birthday week is the ISO week (Monday to Sunday, UTC) holding this
  year's birthday; 29 February counts as 28 February in other years
  (`engine.bonuses.birthday_week`).
- Never twice in a year, also across re-runs and concurrent workers: the
  coupon and the ledger line are keyed `birthday:<member key>:<year>`, unique
  in the store.

Every planning of a member (orders, customers, the daily `reevaluate`) gives
a gift that is due (see program_extras.py). `birthday_gifts_due(store, now)`
is the cheap daily entry point for the worker: it plans only the members
whose birthday week is now; the caller commits (e.g.
`apply_with_retry(lambda: birthday_gifts_due(store, now))`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

from loyalty_sync.books.apply import reevaluate
from loyalty_sync.engine.bonuses import birthday_week
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store


def in_birthday_week(birthday: date | None, now: datetime) -> bool:
    if birthday is None:
        return False
    start, end = birthday_week(birthday.month, birthday.day, now.year)
    return start <= now < end


def members_with_birthday_now(store: Store, now: datetime) -> list[Member]:
    rows: Iterable[Member] = db.session.execute(
        db.select(Member).where(
            Member.store_id == store.id,
            Member.birthday.is_not(None),
            Member.merged_into_id.is_(None),
            Member.anonymised_at.is_(None),
        )
    ).scalars()
    return [m for m in rows if in_birthday_week(m.birthday, now)]


def birthday_gifts_due(store: Store, now: datetime | None = None):
    """Plan the members whose birthday week is now (gifts once a year).
    Returns the `ApplyResult`; the caller commits."""

    now = now or datetime.now(timezone.utc)
    return reevaluate(store, members_with_birthday_now(store, now), now=now)
