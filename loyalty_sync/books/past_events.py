"""No coupon for the past (PRODUCT.md, "Connecting a store that already has
history"): whatever the history mode, an event that happened before the
store's connection (`Store.connected_at`) gives no live coupon:

- a tier promotion: every tier the member's orders before the connection
  reached counts as rewarded (no tier-up coupon for it, ever);
- a VIP status held at the connection: its perks of the period the
  connection falls in (the month's free shipping, the year's exclusive
  coupon) are not issued; the next period's are;
- a birthday whose week began before the connection.

Reward coupons (points turned into coupons by auto-redeem) are not events:
points the history earned may still be redeemed at the connection.

Both functions are pure and run at every plan of a member, so they decide
the same way each time: a withheld coupon is never issued by a later pass.
A store without a connection time (made in tests, or by hand) has no cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from loyalty_sync.engine.bonuses import birthday_week
from loyalty_sync.engine.earning import order_earns
from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.ledger import CouponSource, MemberBooks
from loyalty_sync.engine.plan import Plan
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.tiers import tier_for_metric, tier_metric
from loyalty_sync.engine.vip import is_vip, qualifies
from loyalty_sync.engine.windows import OrderWindows


def tiers_reached_before(orders: Sequence[OrderFacts], program: Program, cut: datetime) -> frozenset[str]:
    """The tiers (and those below them) the orders created before `cut`
    reached: just after each earning order, as promotions happen, and at
    `cut` itself."""
    history = [o for o in orders if o.created < cut]
    if not history:
        return frozenset()
    windows = OrderWindows(history, program)
    best = tier_for_metric(tier_metric(history, program, cut, None, windows), program)
    for order in history:
        if order_earns(order, program):
            reached = tier_for_metric(
                tier_metric(history, program, order.created, None, windows, order.order_id), program
            )
            best = reached if reached.threshold > best.threshold else best
    return frozenset(t.name for t in program.tiers if t.threshold <= best.threshold)


def with_past_tiers_rewarded(books: MemberBooks, program: Program, cut: datetime | None) -> MemberBooks:
    """The books to plan from: tiers reached before the connection count as rewarded."""
    if cut is None or {t.name for t in program.tiers} <= books.tiers_rewarded:
        return books  # (the common case of a member planned before: nothing left to find)
    reached = tiers_reached_before([r.facts for r in books.orders], program, cut)
    if reached <= books.tiers_rewarded:
        return books
    return replace(books, tiers_rewarded=books.tiers_rewarded | reached)


def without_past_coupons(
    plan: Plan, books: MemberBooks, program: Program, cut: datetime | None, now: datetime, birthday: date | None
) -> Plan:
    """The plan without the coupons of events before the connection."""
    if cut is None or not plan.coupons:
        return plan
    history = [r.facts for r in books.orders if r.facts.created < cut]
    vip_then = is_vip(plan.vip_periods, cut) or (bool(history) and qualifies(history, program, cut))

    def past(coupon) -> bool:
        if coupon.source == CouponSource.VIP_FREE_SHIPPING:
            return vip_then and _month_start(now) <= cut
        if coupon.source == CouponSource.VIP_EXCLUSIVE:
            return vip_then and now.year == cut.year
        if coupon.source == CouponSource.BIRTHDAY and birthday is not None:
            return birthday_week(birthday.month, birthday.day, now.year)[0] < cut
        return False

    kept = [c for c in plan.coupons if not past(c)]
    return plan if len(kept) == len(plan.coupons) else replace(plan, coupons=kept)


def _month_start(at: datetime) -> datetime:
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
