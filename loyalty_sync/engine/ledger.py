"""The books of one member, as the planner sees them.

The ledger is the truth: the balance is the sum of its lines, every line says
which order, rule and multiplier it came from, and every line has a unique
`key` so that writing the same decision twice is impossible (the database
puts a unique index on it). The planner reads these books and proposes only
new lines; it never edits or deletes a booked line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.program import CouponTemplate, Program


class LedgerKind:
    EARN = "earn"  # an order's award (or its increase after an edit)
    REVERSE = "reverse"  # an order's award taken back (refund, cancel, edit)
    REDEEM = "redeem"  # points turned into a coupon
    EXPIRE = "expire"  # points too old, or a member inactive too long
    RESTORE = "restore"  # points of a coupon that expired unused
    BONUS = "bonus"  # referral, birthday, review, survey...
    ADJUST = "adjust"  # an admin's correction, always with a reason

    ALL = ("earn", "reverse", "redeem", "expire", "restore", "bonus", "adjust")


class CouponSource:
    REWARD = "reward"
    TIERUP = "tierup"
    VIP_FREE_SHIPPING = "vip_free_shipping"
    VIP_EXCLUSIVE = "vip_exclusive"
    REFERRAL = "referral"
    BIRTHDAY = "birthday"
    CAMPAIGN = "campaign"

    ALL = ("reward", "tierup", "vip_free_shipping", "vip_exclusive", "referral", "birthday", "campaign")


class CouponStatus:
    PENDING = "pending"  # decided, not yet in the store
    PUSHED = "pushed"  # created in the store, usable
    USED = "used"  # an order used its code
    EXPIRED = "expired"  # past its expiry date, unused
    FAILED = "failed"  # the store refused it

    ALL = ("pending", "pushed", "used", "expired", "failed")
    # A coupon in one of these can still be used or still expire.
    OPEN = ("pending", "pushed")


class VipSource:
    QUALIFIED = "qualified"
    PAID = "paid"
    INVITED = "invited"


@dataclass(frozen=True)
class LedgerLine:
    key: str
    kind: str
    points: int
    at: datetime
    order_id: int | None = None
    reason: str = ""
    rule_version: int | None = None
    multiplier: Decimal | None = None
    coupon_key: str | None = None


@dataclass(frozen=True)
class CouponLine:
    key: str
    source: str
    template: CouponTemplate
    points_cost: int
    issued: datetime
    expires: datetime | None
    status: str
    reason: str = ""
    code: str = ""


@dataclass(frozen=True)
class VipPeriod:
    """[start, end): the member is VIP from start, up to but excluding end."""

    source: str
    start: datetime
    end: datetime | None
    reason: str = ""
    order_id: int | None = None


@dataclass(frozen=True)
class OrderRecord:
    """One order of the member and what it has already got.

    `earned` is the sum of this order's earn/reverse ledger points, `rows` how
    many such lines exist (the next key is `order:<id>:<rows+1>`). The
    multipliers are fixed when the order first earns; None: never earned.
    """

    facts: OrderFacts
    earned: int = 0
    rows: int = 0
    tier_multiplier: Decimal | None = None
    vip_multiplier: Decimal | None = None
    program_version: int | None = None


@dataclass(frozen=True)
class MemberBooks:
    # Stable identity of the member in keys (see the service notes in plan.py).
    member_key: str
    email: str
    orders: tuple[OrderRecord, ...]
    ledger: tuple[LedgerLine, ...]
    coupons: tuple[CouponLine, ...]
    tier: str
    tier_below_since: datetime | None = None
    tiers_rewarded: frozenset[str] = frozenset()
    vip_periods: tuple[VipPeriod, ...] = ()

    @property
    def balance(self) -> int:
        return sum(line.points for line in self.ledger)

    def pending(self, now: datetime, program: Program) -> int:
        return pending_points(self.ledger, now, program.pending_days)

    def spendable(self, now: datetime, program: Program) -> int:
        """What can be redeemed now: the balance less the pending points
        (negative when a reversal took back points already spent)."""
        return self.balance - self.pending(now, program)


def pending_points(ledger: tuple[LedgerLine, ...] | list[LedgerLine], now: datetime, pending_days: int) -> int:
    """Points still inside the return window at `now`.

    Each earn line of an order is a lot that becomes spendable `pending_days`
    after it was booked. A reversal of that order takes back its newest lots
    first, which are the pending ones when there are any ("a reversal inside
    the window takes back pending points first"). An order's reversals never
    exceed its earnings, so a reversal always finds its own lots.
    """
    if pending_days <= 0:
        return 0
    window = timedelta(days=pending_days)
    lots_by_order: dict[int, list[list]] = {}
    for line in sorted(ledger, key=lambda ln: ln.at):
        if line.order_id is None or line.kind not in (LedgerKind.EARN, LedgerKind.REVERSE):
            continue
        lots = lots_by_order.setdefault(line.order_id, [])
        if line.points > 0:
            lots.append([line.at, line.points])
        else:
            take = -line.points
            for lot in reversed(lots):
                used = min(take, lot[1])
                lot[1] -= used
                take -= used
                if not take:
                    break
    return sum(remaining for lots in lots_by_order.values() for at, remaining in lots if at + window > now)
