"""The VIP club: who is in, from when, until when.

A member is VIP while any period covers the moment: qualified (spend and
orders in the last 12 months, or top N% by spend), paid (a membership
product bought in an earning order), or invited by an admin. Periods are
[start, end): `end` is the first moment the member is no longer VIP.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from loyalty_sync.engine.earning import eligible_amount, order_earns
from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.ledger import VipPeriod, VipSource
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.tiers import counts_at
from loyalty_sync.engine.windows import OrderWindows


def covers(period: VipPeriod, at: datetime) -> bool:
    return period.start <= at and (period.end is None or at < period.end)


def is_vip(periods: Iterable[VipPeriod], at: datetime) -> bool:
    return any(covers(p, at) for p in periods)


def vip_before(periods: Iterable[VipPeriod], order: OrderFacts) -> bool:
    """VIP just before the order. A period that starts in the order's own
    second counts only when it came from an order before it in (created, id)
    order (dates have one-second resolution): a membership bought by a later
    order of the same second does not. (The walk opens a qualified period
    just after the order that reached it, before the later orders.)"""
    at, order_id = order.created, order.order_id
    return any(covers(p, at) and (p.start < at or p.order_id is None or p.order_id < order_id) for p in periods)


def vip_until(periods: Sequence[VipPeriod], at: datetime) -> datetime | None:
    """When the member's current VIP stretch ends (periods that touch or
    overlap are one stretch); None while open-ended or when not VIP at `at`
    (check `is_vip` first)."""
    if not is_vip(periods, at):
        return None
    end = at
    while True:
        extending = [p for p in periods if covers(p, end)]
        if not extending:
            return end
        if any(p.end is None for p in extending):
            return None
        end = max(p.end for p in extending if p.end is not None)


def vip_since(periods: Sequence[VipPeriod], at: datetime) -> datetime | None:
    """When the member's current VIP stretch began; None when not VIP at `at`."""
    if not is_vip(periods, at):
        return None
    start = at
    while True:
        earlier = [p for p in periods if p.start < start and (p.end is None or p.end >= start)]
        if not earlier:
            return start
        start = min(p.start for p in earlier)


def twelve_month_spend_and_orders(
    orders: Iterable[OrderFacts], program: Program, at: datetime, upto: int | None = None
) -> tuple[Decimal, int]:
    spend = Decimal(0)
    count = 0
    for order in orders:
        if order_earns(order, program) and counts_at(order, at, "rolling_12_months", upto):
            spend += eligible_amount(order, program)
            count += 1
    return spend, count


def qualifies(
    orders: Iterable[OrderFacts],
    program: Program,
    at: datetime,
    vip_spend_cutoff: Decimal | None = None,
    windows: OrderWindows | None = None,
    upto: int | None = None,
) -> bool:
    """Spend >= vip_min_spend and orders >= vip_min_orders in the last 12
    months, or (when the shop uses "top N%") spend >= the cutoff the service
    computed over all members. `upto`: just after that order (see tier_metric)."""
    spend, count = (
        windows.spend_and_orders(at, upto=upto)
        if windows is not None
        else twelve_month_spend_and_orders(orders, program, at, upto)
    )
    if spend >= program.vip_min_spend and count >= program.vip_min_orders:
        return True
    return (
        program.vip_top_percent is not None and vip_spend_cutoff is not None and spend > 0 and spend >= vip_spend_cutoff
    )


def top_percent_rank(members_with_spend: int, percent: Decimal) -> int | None:
    """Which member's 12-month spend is the top-N% cut-off (1 = the biggest
    spender): N% of the members who spent anything, rounded down; None when
    that is not even one member. The service counts the members and reads
    the spend at this rank (`books/vip_cutoff.py`)."""
    rank = int(members_with_spend * Decimal(percent) / 100)
    return rank if rank >= 1 else None


def _membership_quantity(order: OrderFacts, sku: str) -> int:
    """Membership units bought in the order and not refunded."""
    refunded: dict[int, int] = {}
    for refund in order.refunds:
        for rl in refund.lines:
            refunded[rl.line_id] = refunded.get(rl.line_id, 0) + rl.quantity
    return sum(max(0, line.quantity - refunded.get(line.line_id, 0)) for line in order.lines if line.sku == sku)


def had_membership(order: OrderFacts, sku: str) -> bool:
    return any(line.sku == sku for line in order.lines)


def paid_periods(
    orders: Iterable[OrderFacts],
    program: Program,
    earned_before: Iterable[int] = (),
) -> tuple[VipPeriod, ...]:
    """VIP periods bought with the membership product.

    Each unit grants `vip_membership_days` from payment; a renewal bought
    while a paid period runs extends it from its end. An order that stops
    earning (cancelled, refunded, membership line refunded) ends its period
    when it stopped; `earned_before` lists orders that once earned, so a
    membership that never counted does not appear at all.
    """
    sku = program.vip_membership_sku
    if not sku:
        return ()
    once = set(earned_before)
    periods: list[VipPeriod] = []
    live = []
    for order in orders:
        if not had_membership(order, sku):
            continue
        paid = order.paid or order.completed or order.created
        units = _membership_quantity(order, sku)
        if order_earns(order, program) and units > 0:
            live.append((paid, order.order_id, units))
        elif order.order_id in once:
            stopped = max([order.modified] + [r.created for r in order.refunds])
            end = min(stopped, paid + timedelta(days=program.vip_membership_days))
            if end > paid:
                periods.append(
                    VipPeriod(
                        VipSource.PAID,
                        paid,
                        end,
                        f"membership order #{order.order_id}, ended by refund/cancel",
                        order.order_id,
                    )
                )
    chain_end: datetime | None = None
    for paid, order_id, units in sorted(live):
        start = paid if chain_end is None or chain_end <= paid else chain_end
        end = start + timedelta(days=program.vip_membership_days * units)
        reason = f"membership order #{order_id}" + (" (renewal)" if start != paid else "")
        periods.append(VipPeriod(VipSource.PAID, start, end, reason, order_id))
        chain_end = end
    return tuple(periods)


def period_sort_key(p: VipPeriod):
    return (p.start, p.source, p.order_id or 0, p.end is None, p.end or p.start, p.reason)
