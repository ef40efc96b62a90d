"""Points an unused coupon gave back wait for the member's next earning
before auto-redeem may spend them again.

Without this, auto-redeem and points-back-on-expiry (both on by default) make
a loop: the coupon expires, its points come back, auto-redeem turns them into
a new coupon at once, which expires in its turn, forever. The member may
still spend returned points by asking for a reward; auto-redeem takes them
again only after new points became spendable (an order's earning once its
return window is over, a bonus, an admin's addition): the member is active
again, so a new coupon is worth sending. DECISIONS.md, "Returned points and
auto-redeem".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from loyalty_sync.engine.ledger import LedgerKind, LedgerLine

# Positive lines of these kinds are new points; a restore is not.
_FRESH_KINDS = (LedgerKind.EARN, LedgerKind.BONUS, LedgerKind.ADJUST)


def _net_by_order(ledger: Sequence[LedgerLine]) -> dict[int, int]:
    net: dict[int, int] = defaultdict(int)
    for line in ledger:
        if line.order_id is not None and line.kind != LedgerKind.RESTORE:
            net[line.order_id] += line.points
    return net


def last_fresh_points(ledger: Sequence[LedgerLine], now: datetime, pending_days: int) -> datetime | None:
    """When new points last became spendable, up to `now`.

    An order's earning counts from the end of its return window (before it
    cannot be spent anyway), and not at all once the order lost all it earned:
    an order bought and refunded does not win the coupon back."""
    window = timedelta(days=max(pending_days, 0))
    net = _net_by_order(ledger)
    latest = None
    for line in ledger:
        if line.points <= 0 or line.kind not in _FRESH_KINDS:
            continue
        if line.order_id is not None and net[line.order_id] <= 0:
            continue
        at = line.at + window if line.kind == LedgerKind.EARN and line.order_id is not None else line.at
        if at <= now and (latest is None or at > latest):
            latest = at
    return latest


def returned_points_on_hold(ledger: Sequence[LedgerLine], now: datetime, pending_days: int) -> int:
    """Points given back by expired coupons that auto-redeem leaves alone at
    `now`: those given back at or after the last fresh points."""
    restores = [line for line in ledger if line.kind == LedgerKind.RESTORE and line.points > 0]
    if not restores:  # the usual case, and always in a what-if replay (its coupons count as used)
        return 0
    fresh = last_fresh_points(ledger, now, pending_days)
    return sum(line.points for line in restores if fresh is None or line.at >= fresh)
