"""The first-sync plan: what the first pass of a store in review would book
and push in each history mode (PRODUCT.md, "Connecting a store that already
has history"), computed from the data its review passes pulled, with the
planner the pass itself uses (books/member_plans.py), writing nothing.

Per mode: members, points, members per tier (in rank order), VIP members,
coupons by kind (reward coupons first: those are the points the history
leaves, auto-redeemed at the connection) with their count and money value,
and the liability (outstanding points x the money value of a point, as the
dashboard values it).

The pass after the owner chose a mode books exactly these figures, with one
difference it cannot avoid: the plan connects "now", the pass at the moment
the mode was chosen (a month or a birthday week that begins in between
changes which perks count as before the connection).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import Decimal

from loyalty_sync.books.history import AWARD, TIERS_ONLY, HistoryMode, history_rules, mode_of
from loyalty_sync.books.member_books import load_books
from loyalty_sync.books.member_plans import MemberPlanner
from loyalty_sync.books.program_versions import programs_by_number
from loyalty_sync.engine.coupon_kinds import coupon_kind_name
from loyalty_sync.engine.ledger import CouponSource, MemberBooks, OrderRecord
from loyalty_sync.engine.plan import apply_plan
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.engine.vip import is_vip
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store

CENT = Decimal("0.01")
#: Coupon kinds in the order the plan lists them (reward coupons first), with the names people read
#: (engine/coupon_kinds.py, as every page names them).
KIND_ORDER = (
    CouponSource.REWARD,
    CouponSource.TIERUP,
    CouponSource.VIP_FREE_SHIPPING,
    CouponSource.VIP_EXCLUSIVE,
    CouponSource.BIRTHDAY,
    CouponSource.REFERRAL,
    CouponSource.CAMPAIGN,
)
KIND_NAMES = {kind: coupon_kind_name(kind) for kind in KIND_ORDER}
_CHUNK = 500


@dataclass
class CouponKind:
    kind: str
    name: str
    count: int = 0
    #: Sum of the fixed-amount coupons' values; percentage and free-shipping
    #: coupons have no value before a cart (`unpriced` counts them).
    value: Decimal = Decimal(0)
    unpriced: int = 0


@dataclass
class ModePlan:
    mode: str
    description: str
    currency: str
    members: int = 0
    points: int = 0
    tiers: dict[str, int] = field(default_factory=dict)
    vip: int = 0
    coupons: list[CouponKind] = field(default_factory=list)
    liability: Decimal = Decimal(0)

    @property
    def coupon_count(self) -> int:
        return sum(k.count for k in self.coupons)

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "description": self.description,
            "members": self.members,
            "points": self.points,
            "tiers": self.tiers,
            "vip": self.vip,
            "currency": self.currency,
            "coupons": [
                {"kind": k.kind, "name": k.name, "count": k.count, "value": str(k.value), "unpriced": k.unpriced}
                for k in self.coupons
            ],
            "coupons_total": self.coupon_count,
            "liability": str(self.liability),
        }


def default_modes(store: Store) -> list[HistoryMode]:
    """award and tiers-only, and the store's own mode when it is another."""
    modes = [HistoryMode(AWARD), HistoryMode(TIERS_ONLY)]
    own = mode_of(store)
    return modes + ([own] if own.kind not in ("review", AWARD, TIERS_ONLY) else [])


def first_sync_plan(
    store: Store, modes: list[HistoryMode] | None = None, *, now: datetime | None = None
) -> list[ModePlan]:
    """What the first pass would do in each mode (nothing is written)."""
    now = now or datetime.now(timezone.utc)
    cut = store.connected_at or now.replace(microsecond=0)
    modes = modes or default_modes(store)
    members = (
        db.session.execute(
            db.select(Member).where(Member.store_id == store.id, Member.merged_into_id.is_(None)).order_by(Member.id)
        )
        .scalars()
        .all()
    )
    runs = [_ModeRun(store, mode, now, cut, members) for mode in modes]
    for start in range(0, len(members), _CHUNK):
        chunk = members[start : start + _CHUNK]
        loaded = load_books(chunk)
        for run in runs:
            run.plan_chunk(chunk, loaded)
    return [run.result() for run in runs]


class _ModeRun:
    def __init__(self, store: Store, mode: HistoryMode, now: datetime, cut: datetime, members: list[Member]):
        self.mode, self.now = mode, now
        programs = programs_by_number(store)
        self.planner = MemberPlanner(store, now, cut=cut, programs=programs)
        self.earns_from = mode.earns_from(cut)
        self.history_number = max(programs, default=0) + 1  # where the pass saves its history-only version
        self.planner.programs[self.history_number] = history_rules(self.planner.program)
        self.planner.expand(members)
        self.figures = ModePlan(mode.text, mode.describe(), store.currency)
        self.tiers: Counter = Counter()
        self.kinds = {kind: CouponKind(kind, name) for kind, name in KIND_NAMES.items()}
        self.outstanding = 0

    def plan_chunk(self, chunk: list[Member], loaded) -> None:
        self.planner.prepare(chunk, loaded)
        for member in chunk:
            books = self._marked(loaded.books[member.id])
            plan = self.planner.plan(member, books)
            after = apply_plan(books, plan)
            balance = sum(line.points for line in after.ledger)
            self.figures.members += 1
            self.figures.points += balance
            self.outstanding += max(balance, 0)
            self.tiers[plan.tier] += 1
            self.figures.vip += is_vip(plan.vip_periods, self.now)
            for coupon in plan.coupons:
                kind = self.kinds.setdefault(coupon.source, CouponKind(coupon.source, coupon.source))
                kind.count += 1
                template = coupon.template
                if template.discount_type == "fixed_cart" and not template.free_shipping:
                    kind.value += Decimal(template.amount)
                else:
                    kind.unpriced += 1

    def _marked(self, books: MemberBooks) -> MemberBooks:
        """The books as the pass marks them (history.mark_history_orders)."""
        if self.earns_from is None:
            return books
        entry = self.planner.program.entry_tier.multiplier
        orders = tuple(
            OrderRecord(
                facts=r.facts,
                earned=r.earned,
                rows=r.rows,
                tier_multiplier=entry,
                vip_multiplier=Decimal(1),
                program_version=self.history_number,
            )
            if r.tier_multiplier is None and r.rows == 0 and r.facts.created < self.earns_from
            else r
            for r in books.orders
        )
        return replace(books, orders=orders)

    def result(self) -> ModePlan:
        program = self.planner.program
        rank = {t.name: i for i, t in enumerate(sorted(program.tiers, key=lambda t: t.threshold))}
        self.figures.tiers = dict(sorted(self.tiers.items(), key=lambda kv: (rank.get(kv[0], -1), kv[0])))
        self.figures.coupons = [k for k in self.kinds.values() if k.count]
        for kind in self.figures.coupons:
            kind.value = kind.value.quantize(CENT)
        self.figures.liability = (Decimal(self.outstanding) * point_value(program.rewards)).quantize(CENT)
        return self.figures
