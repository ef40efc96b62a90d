"""What became of issued coupons: used (seen in an order's coupon lines) or
expired unused, which gives the points back when the shop wants that."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.ledger import CouponLine, CouponStatus, LedgerKind, LedgerLine
from loyalty_sync.engine.program import Program

# A cancelled or failed order gives the coupon use back (FACTS.md, Coupons).
_NOT_USING = ("cancelled", "failed", "trash", "checkout-draft", "auto-draft")


def used_codes(orders: Iterable[OrderFacts]) -> set[str]:
    return {code.lower() for o in orders if o.status not in _NOT_USING for code in o.coupon_codes}


def coupon_status_changes(coupons: Sequence[CouponLine], orders: Iterable[OrderFacts], now: datetime) -> dict[str, str]:
    """coupon key -> new status: `used` when an order used its code, `expired`
    when past its expiry unused."""
    codes = used_codes(orders)
    changes = {}
    for c in coupons:
        if c.code and c.code.lower() in codes:
            if c.status in CouponStatus.OPEN:
                changes[c.key] = CouponStatus.USED
        elif c.status in CouponStatus.OPEN and c.expires is not None and c.expires <= now:
            changes[c.key] = CouponStatus.EXPIRED
    return changes


def restore_lines(
    coupons: Sequence[CouponLine],
    status_changes: dict[str, str],
    ledger: Sequence[LedgerLine],
    program: Program,
    program_version: int | None = None,
) -> list[LedgerLine]:
    """Points back for coupons that expired unused (`restore:<coupon key>`)."""
    if not program.restore_on_expiry:
        return []
    booked = {line.key for line in ledger}
    lines = []
    for c in coupons:
        status = status_changes.get(c.key, c.status)
        key = f"restore:{c.key}"
        if status != CouponStatus.EXPIRED or c.points_cost <= 0 or key in booked:
            continue
        lines.append(
            LedgerLine(
                key=key,
                kind=LedgerKind.RESTORE,
                points=c.points_cost,
                at=c.expires or c.issued,
                reason=f"coupon {c.code or c.key} expired unused: {c.points_cost} points back",
                rule_version=program_version,
                coupon_key=c.key,
            )
        )
    return lines
