"""Tiers: which level a member is on, and when that changes.

Promotion happens as soon as the metric crosses a threshold; demotion only
when the member has stayed below the current tier's threshold for the grace
period (PRODUCT.md, "Tiers"), so a refund or a quiet month does not flip a
member's status back and forth. `tier_below_since` remembers when the member
first fell below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from loyalty_sync.engine.earning import eligible_amount, order_earns
from loyalty_sync.engine.facts import OrderFacts, counts_up_to
from loyalty_sync.engine.months import add_months
from loyalty_sync.engine.program import Program, Tier
from loyalty_sync.engine.windows import OrderWindows


def window_start(at: datetime) -> datetime:
    """`at` minus 12 calendar months."""
    return add_months(at, -12)


def in_window(created: datetime, at: datetime, window: str) -> bool:
    """Orders created in (at - 12 months, at] for the rolling window."""
    if created > at:
        return False
    if window == "lifetime":
        return True
    return created > window_start(at)


def counts_at(order: OrderFacts, at: datetime, window: str, upto: int | None) -> bool:
    """In the window ending at `at`, and not after order `upto` of the same second."""
    return in_window(order.created, at, window) and counts_up_to(order, at, upto)


def tier_metric(
    orders: Iterable[OrderFacts],
    program: Program,
    at: datetime,
    points_by_order: Mapping[int, int] | None = None,
    windows: OrderWindows | None = None,
    upto: int | None = None,
) -> Decimal:
    """The member's tier metric at `at`: spend (eligible amount of earning
    orders, net of refunds), number of earning orders, or points those orders
    earned (`points_by_order`), over the program's window. `windows` (the
    same orders, prepared) answers spend and orders without a walk. With
    `upto` (an order id), just after that order: orders of the same second
    with a higher id come after it and do not count yet."""
    if windows is not None and program.tier_metric != "points":
        spend, count = windows.spend_and_orders(at, program.tier_window, upto)
        return Decimal(count) if program.tier_metric == "orders" else spend
    total = Decimal(0)
    for order in orders:
        if not order_earns(order, program) or not counts_at(order, at, program.tier_window, upto):
            continue
        if program.tier_metric == "orders":
            total += 1
        elif program.tier_metric == "points":
            total += (points_by_order or {}).get(order.order_id, 0)
        else:
            total += eligible_amount(order, program)
    return total


def tier_for_metric(value: Decimal, program: Program) -> Tier:
    """The highest tier whose threshold the metric reaches."""
    best = program.entry_tier
    for tier in program.tiers:
        if value >= tier.threshold and tier.threshold >= best.threshold:
            best = tier
    return best


def tier_rank(name: str, program: Program) -> int:
    """Position on the ladder by threshold; -1 for a tier the program lost."""
    return program.tier_ranks.get(name, -1)


@dataclass(frozen=True)
class TierState:
    tier: str
    below_since: datetime | None
    # The tier reached by a promotion in this step (for the tier-up coupon).
    promoted_to: Tier | None = None
    demoted_from: str | None = None


def next_tier_state(
    current: str,
    below_since: datetime | None,
    metric: Decimal,
    at: datetime,
    program: Program,
) -> TierState:
    """One re-evaluation of the member's tier at `at`.

    Up at once; down only after `tier_grace_days` below the current tier's
    threshold (counted from the first re-evaluation that found it below).
    A tier the program no longer has is replaced by the one the metric gives.
    """
    target = tier_for_metric(metric, program)
    current_rank = tier_rank(current, program)
    target_rank = tier_rank(target.name, program)
    if current_rank < 0:
        return TierState(target.name, None, promoted_to=target if target_rank > 0 else None)
    if target_rank > current_rank:
        return TierState(target.name, None, promoted_to=target)
    if target_rank == current_rank:
        return TierState(current, None)
    since = below_since if below_since is not None else at
    if at - since >= timedelta(days=program.tier_grace_days):
        return TierState(target.name, None, demoted_from=current)
    return TierState(current, since)
