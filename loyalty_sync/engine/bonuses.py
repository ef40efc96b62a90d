"""Bonus points and coupons that do not come from an order's own award:
referrals, reviews, birthdays (PRODUCT.md). Each decision has a key that
makes it happen once: `referral:<friend order id>`, `review:<member>:<product>`,
`birthday:<member>:<year>`. The service gathers the facts (which coupon an
order used and whose referral coupon that is, the member's reviews, the
birthday meta) and writes what these functions return.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone

from loyalty_sync.engine.facts import OrderFacts, ReviewFacts
from loyalty_sync.engine.ledger import CouponLine, CouponSource, LedgerKind, LedgerLine
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.rewards import new_coupon


def referral_bonus_line(
    referrer_key: str,
    referrer_email: str,
    referrer_address: str,
    friend_order: OrderFacts,
    friend_is_new: bool,
    program: Program,
    now: datetime,
) -> LedgerLine | None:
    """The referrer's bonus for a friend's first completed order that used
    the referrer's coupon (the caller checked the coupon). Nothing for a
    self-referral: same email, or same billing address."""
    if program.referral_bonus <= 0 or not friend_is_new or friend_order.status != "completed":
        return None
    if friend_order.email and friend_order.email == referrer_email.strip().lower():
        return None
    if friend_order.billing_address and friend_order.billing_address == referrer_address:
        return None
    at = min(friend_order.completed or friend_order.modified, now)
    return LedgerLine(
        key=f"referral:{friend_order.order_id}",
        kind=LedgerKind.BONUS,
        points=program.referral_bonus,
        at=at,
        order_id=friend_order.order_id,
        reason=f"referral: a friend's first order #{friend_order.order_id}: {program.referral_bonus} points",
    )


def review_bonus_lines(
    member_key: str,
    reviews: Iterable[ReviewFacts],
    ledger: Sequence[LedgerLine],
    program: Program,
    now: datetime,
) -> list[LedgerLine]:
    """Review bonuses: approved, by a verified buyer, once per product, at
    most `reviews_per_month` per calendar month (oldest reviews first)."""
    if program.review_bonus <= 0:
        return []
    booked = {line.key for line in ledger}
    per_month: dict[tuple[int, int], int] = {}
    for line in ledger:
        if line.key.startswith(f"review:{member_key}:"):
            per_month[(line.at.year, line.at.month)] = per_month.get((line.at.year, line.at.month), 0) + 1
    lines = []
    for review in sorted(reviews, key=lambda r: (r.created, r.review_id)):
        key = f"review:{member_key}:{review.product_id}"
        month = (review.created.year, review.created.month)
        if review.status != "approved" or not review.verified or key in booked or review.created > now:
            continue
        if per_month.get(month, 0) >= program.reviews_per_month:
            continue
        per_month[month] = per_month.get(month, 0) + 1
        booked.add(key)
        lines.append(
            LedgerLine(
                key=key,
                kind=LedgerKind.BONUS,
                points=program.review_bonus,
                at=review.created,
                reason=f"review of product {review.product_id}: {program.review_bonus} points",
            )
        )
    return lines


def parse_birthday(value: str | None) -> tuple[int, int] | None:
    """(month, day) from "1990-05-17", "05-17" or "--05-17"; None if unreadable."""
    if not value:
        return None
    text = value.strip().lstrip("-")
    parts = text.split("-")
    try:
        if len(parts) == 3:
            d = date(int(parts[0]), int(parts[1]), int(parts[2]))
            return d.month, d.day
        if len(parts) == 2:
            month, day = int(parts[0]), int(parts[1])
            date(2000, month, day)  # 2000 is a leap year: 02-29 is valid
            return month, day
    except ValueError:
        return None
    return None


def birthday_week(month: int, day: int, year: int) -> tuple[datetime, datetime]:
    """[Monday, next Monday) UTC of the ISO week holding this year's birthday
    (29 February counts as 28 February in other years)."""
    try:
        birthday = date(year, month, day)
    except ValueError:
        birthday = date(year, month, day - 1)
    monday = birthday - timedelta(days=birthday.weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=timezone.utc)
    return start, start + timedelta(days=7)


def birthday_gifts(
    member_key: str,
    birthday_value: str | None,
    ledger: Sequence[LedgerLine],
    coupons: Sequence[CouponLine],
    program: Program,
    now: datetime,
) -> tuple[LedgerLine | None, CouponLine | None]:
    """The birthday bonus and/or coupon, once a year, during the birthday week."""
    born = parse_birthday(birthday_value)
    if born is None:
        return None, None
    start, end = birthday_week(born[0], born[1], now.year)
    if not (start <= now < end):
        return None, None
    key = f"birthday:{member_key}:{now.year}"
    line = None
    if program.birthday_bonus > 0 and all(ln.key != key for ln in ledger):
        line = LedgerLine(
            key=key,
            kind=LedgerKind.BONUS,
            points=program.birthday_bonus,
            at=now,
            reason=f"happy birthday {now.year}: {program.birthday_bonus} points",
        )
    coupon = None
    if program.birthday_coupon is not None and all(c.key != key for c in coupons):
        coupon = new_coupon(
            key, CouponSource.BIRTHDAY, program.birthday_coupon, 0, now, program, f"happy birthday {now.year}"
        )
    return line, coupon
