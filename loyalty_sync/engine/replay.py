"""Replaying a member's orders through time under a program (pure).

The what-if preview (`analysis/whatif.py`) and the backfill dry run replay
books that hold orders only (no ledger, no coupons, entry tier) to see what
a program would make of them. The replay walks through time like the books
do: the engine plans at checkpoints -- the start of the month after each
order, the start of the month after each order leaves the 12-month window
and again after the tier grace period (so demotions happen as the daily
upkeep would make them), and `now` -- and each plan is applied to the
in-memory books before the next.

What becomes of a coupon the replay issues is the books' word where they
have one (`fates`: coupon key -> its status and expiry in the books; a
replay issues the books' keys, e.g. `redeem:<member>:<n>`,
`tierup:<member>:<tier>`): one the books hold as used is used at once; any
other one the books hold stays open until the books' expiry date, then
expires and gives its points back as the daily upkeep books it (`restore`
lines at the expiry; returned points then wait for new points before
auto-redeem takes them, `returned_points.py`), or is still open at `now`
(unused, part of the liability). A coupon the books never issued (only the
proposed rules would) is taken as used: the most it can cost the shop.
Without `fates` every coupon is taken as used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from loyalty_sync.engine.evolve import evolve
from loyalty_sync.engine.facts import order_key
from loyalty_sync.engine.ledger import CouponLine, CouponStatus, LedgerKind, MemberBooks
from loyalty_sync.engine.memo import IdentityMemo
from loyalty_sync.engine.months import add_months, start_of_next_month
from loyalty_sync.engine.plan import HistoryViews, apply_plan, plan_member
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.vip import is_vip


@dataclass(frozen=True)
class Outcome:
    """Where a replay leaves the member: tier, VIP status, points balance."""

    tier: str
    vip: bool
    points: int


@dataclass(frozen=True)
class Figures:
    """What one member's replay (or the books) hold: coupons issued (count,
    fixed money value), points given by the program (earn, reverse and bonus
    lines), the balance left (when positive: a negative balance owes the shop
    nothing), the money value of the coupons still open (unused, not expired)
    and of the coupons given without points (tier-up, VIP, birthday...: a
    reward coupon's cost is its points, already counted)."""

    coupons: int = 0
    coupon_money: Decimal = Decimal(0)
    points_issued: int = 0
    outstanding: int = 0
    open_coupon_money: Decimal = Decimal(0)
    free_coupon_money: Decimal = Decimal(0)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))

    def times(self, k: int) -> Figures:
        """Totals of a sample scaled up to the whole (every k-th member replayed)."""
        return Figures(*(getattr(self, f.name) * k for f in fields(self)))


class CouponFate(NamedTuple):
    """A coupon as the books hold it."""

    status: str
    expires: datetime | None


@dataclass(frozen=True)
class Comparison:
    """The two programs a preview compares and what both are replayed with:
    the version numbers they would carry, one `now`, and each program's VIP
    top-N% spend cut-off (computed by the service over all members)."""

    current: Program
    proposed: Program
    number: int  # the version in force; the proposed one would be number + 1
    now: datetime
    cut_before: Decimal | None
    cut_after: Decimal | None


def checkpoints(orders, now: datetime, grace_days: int) -> list[datetime]:
    """When the replay plans: after each order's month, when it leaves the
    12-month window (and again after the grace period), and at `now`."""
    points = set()
    for rec in orders:
        month_after = start_of_next_month(rec.facts.created)
        points.add(month_after)
        gone = add_months(month_after, 12)  # the month after the order's month a year on (shared: cached)
        points.add(gone)
        points.add(start_of_next_month(gone + timedelta(days=grace_days)))
    return sorted(p for p in points if p < now) + [now]


_CHECKPOINTS = IdentityMemo(16)


def replay_history(
    books: MemberBooks,
    program: Program,
    version: int,
    now: datetime,
    vip_spend_cutoff: Decimal | None,
    fates: Mapping[str, CouponFate] | None = None,
) -> MemberBooks:
    """The books after replaying the member's orders through time (`fates`:
    the books' coupon statuses by key, see the module's docstring)."""
    fates = fates or {}
    records = sorted(books.orders, key=lambda r: order_key(r.facts))
    history = HistoryViews.of([r.facts for r in records], program)
    state = evolve(books, orders=())
    seen = 0
    # the same for both programs of a preview unless their grace periods differ
    moments = _CHECKPOINTS.get_or_compute(
        books.orders, now, program.tier_grace_days, checkpoints, records, now, program.tier_grace_days
    )
    for at in moments:
        while seen < len(records) and records[seen].facts.created <= at:
            seen += 1
        if seen > len(state.orders):
            state = evolve(state, orders=tuple(state.orders) + tuple(records[len(state.orders) : seen]))
        plan = plan_member(state, program, version, at, vip_spend_cutoff=vip_spend_cutoff, history=history)
        if plan.is_empty:
            continue
        if plan.coupons:
            plan = evolve(plan, coupons=[_as_the_books_had_it(c, fates) for c in plan.coupons])
        state = apply_plan(state, plan)
    if any(c.status in CouponStatus.OPEN and c.expires is not None and c.expires <= now for c in state.coupons):
        # a coupon the books hold until a date already past: the upkeep's next plan expires it
        plan = plan_member(state, program, version, now, vip_spend_cutoff=vip_spend_cutoff, history=history)
        state = apply_plan(state, evolve(plan, coupons=[_as_the_books_had_it(c, fates) for c in plan.coupons]))
    return state


def _as_the_books_had_it(coupon: CouponLine, fates: Mapping[str, CouponFate]) -> CouponLine:
    """Used if the books used it or never issued it; open until the books' expiry otherwise."""
    fate = fates.get(coupon.key)
    if fate is None or fate.status == CouponStatus.USED:
        return evolve(coupon, status=CouponStatus.USED)
    return coupon if fate.expires is None else evolve(coupon, expires=fate.expires)


def coupon_money(coupon_template) -> Decimal:
    """A coupon's money value: its amount for a fixed-amount cart coupon;
    0 for a percentage or free-shipping one (no value before a cart)."""
    if coupon_template.discount_type == "fixed_cart" and not coupon_template.free_shipping:
        return Decimal(coupon_template.amount)
    return Decimal(0)


def outcome_of(books: MemberBooks, now: datetime) -> Outcome:
    return Outcome(tier=books.tier, vip=is_vip(books.vip_periods, now), points=books.balance)


_GIVEN = (LedgerKind.EARN, LedgerKind.REVERSE, LedgerKind.BONUS)


def figures_of(books: MemberBooks) -> Figures:
    zero = Decimal(0)
    return Figures(
        coupons=len(books.coupons),
        coupon_money=sum((coupon_money(c.template) for c in books.coupons), zero),
        points_issued=sum(line.points for line in books.ledger if line.kind in _GIVEN),
        outstanding=max(books.balance, 0),
        open_coupon_money=sum((coupon_money(c.template) for c in books.coupons if c.status in CouponStatus.OPEN), zero),
        free_coupon_money=sum((coupon_money(c.template) for c in books.coupons if c.points_cost <= 0), zero),
    )


def replay_both(
    books: MemberBooks, comparison: Comparison, fates: Mapping[str, CouponFate] | None = None
) -> tuple[Outcome, Figures, Outcome, Figures] | str:
    """Both replays of one member (`fates`: the books' coupon statuses), or
    the reason it failed: one odd history must not hide the rest of a preview."""
    try:
        before = replay_history(
            books, comparison.current, comparison.number, comparison.now, comparison.cut_before, fates
        )
        after = replay_history(
            books, comparison.proposed, comparison.number + 1, comparison.now, comparison.cut_after, fates
        )
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    now = comparison.now
    return outcome_of(before, now), figures_of(before), outcome_of(after, now), figures_of(after)
