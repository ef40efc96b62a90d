"""What to write for one member: the planner's answer.

(types first; `plan_member` is filled in below once the rules exist)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from loyalty_sync.engine.ledger import CouponLine, LedgerLine, MemberBooks, VipPeriod
from loyalty_sync.engine.program import Program


@dataclass(frozen=True)
class Plan:
    ledger: list[LedgerLine]
    coupons: list[CouponLine]
    # order_id -> (tier multiplier, VIP multiplier, program version) fixed on
    # the order's first earn; only orders earning for the first time appear.
    order_marks: dict[int, tuple[Decimal, Decimal, int]]
    tier: str
    tier_below_since: datetime | None
    tiers_rewarded: frozenset[str]
    # The complete new list of VIP periods (replaces the stored one).
    vip_periods: tuple[VipPeriod, ...]
    notes: list[str]
    # coupon key -> new status for existing coupons (used / expired).
    coupon_status: dict[str, str] = field(default_factory=dict)
    # True when tier, tier_below_since, tiers_rewarded or vip_periods differ
    # from the books the plan was made from.
    state_changed: bool = False

    @property
    def is_empty(self) -> bool:
        """Nothing to write: no line, no coupon, no status change."""
        return not (self.ledger or self.coupons or self.order_marks or self.coupon_status or self.state_changed)


def plan_member(
    books: MemberBooks,
    program: Program,
    program_version: int,
    now: datetime,
    vip_spend_cutoff: Decimal | None = None,
) -> Plan:
    raise NotImplementedError


def apply_plan(books: MemberBooks, plan: Plan) -> MemberBooks:
    raise NotImplementedError
