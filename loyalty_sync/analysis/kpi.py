"""The shop's KPIs, exactly as PRODUCT.md "What the shop reads" defines them,
for a period [start, end) of one store.

Pure functions over plain rows (`OrderRow`, `LedgerRow`, `CouponRow`,
`MemberRow`) do the arithmetic and are tested without a database;
`load_rows` is the thin loader and `store_kpis` puts both together.

Definitions (where PRODUCT.md leaves a choice, the choice is written here):
- Only *paid* orders count: status `completed` or `processing`, revenue =
  order total (with tax and shipping, what the customer paid) minus refunds;
  an order refunded in full (net <= 0) does not count as an order at all.
- A customer is our member row (guest orders belong to the member of their
  billing email, so a guest who registers is one customer).
- Active at time t: a paid order in the 365 days up to t, i.e. created in
  [t - 365 days, t).
- S = customers active at start, E = active at end, N = new customers (first
  ever paid order inside [start, end)). CRR = (E - N) / S; churn = 1 - CRR.
- RPR = customers with >= 2 paid orders in the period / customers with >= 1.
- Purchase frequency = paid orders in the period / ordering customers.
- AOV = revenue / paid orders in the period; first = orders that are their
  customer's first ever paid order, repeat = all other orders in the period.
- CLTV (historical) = revenue of all paid orders before `end` / customers
  with at least one of them. CLTV (predictive) = AOV x frequency x expected
  lifespan, the lifespan in periods being 1 / churn (None when churn is 0).
- Members: customers with at least one ledger line booked before `end`;
  everyone else who ordered is a non-member. Members vs non-members: AOV,
  frequency and CRR/churn of each group.
- Program health: share of the customers active at end who are members;
  points earned (earn + reverse + bonus lines, net), redeemed (redeem lines),
  expired (expire lines), restored (restore lines) in the period; redemption
  rate = redeemed / earned; liability = outstanding points at end (sum of the
  positive balances) x the money value of a point, which is the best
  fixed-amount reward of the catalogue (e.g. 1000 points -> 12.00 gives
  0.012 per point: the most the shop can owe); coupons issued in the period
  and how many of them were used; tier and VIP distribution of the members
  now.
- Referrals: friends' orders in the period whose referral bonus stands, and
  the share of the period's new customers whose first order was one.
- NPS: `nps`, `nps_promoters`, `nps_passives`, `nps_detractors` from
  `loyalty_sync.analysis.nps_score.nps_summary` over the answers given in [start, end).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from loyalty_sync.analysis.nps_score import nps_summary
from loyalty_sync.engine.money import optional_money_text
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.program import PAID_STATUSES
from loyalty_sync.engine.tier_order import in_rank_order
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order

ACTIVE_DAYS = 365


@dataclass(frozen=True)
class OrderRow:
    customer: str
    created: datetime
    status: str
    total: Decimal
    refunded: Decimal = Decimal(0)
    order_id: int | None = None

    @property
    def net(self) -> Decimal:
        return self.total - self.refunded

    @property
    def paid(self) -> bool:
        return self.status in PAID_STATUSES and self.net > 0


@dataclass(frozen=True)
class LedgerRow:
    customer: str
    kind: str
    points: int
    at: datetime
    key: str = ""
    order_id: int | None = None


@dataclass(frozen=True)
class CouponRow:
    issued_at: datetime
    status: str
    source: str = ""


@dataclass(frozen=True)
class MemberRow:
    customer: str
    tier: str
    vip: bool


# --- pure arithmetic ---------------------------------------------------------------------------------


def paid_orders(rows: Iterable[OrderRow]) -> list[OrderRow]:
    return sorted((r for r in rows if r.paid), key=lambda r: (r.created, r.order_id or 0))


def in_period(rows: Iterable[OrderRow], start: datetime, end: datetime) -> list[OrderRow]:
    return [r for r in rows if start <= r.created < end]


def first_orders(rows: Iterable[OrderRow]) -> dict[str, OrderRow]:
    first: dict[str, OrderRow] = {}
    for r in paid_orders(rows):
        first.setdefault(r.customer, r)
    return first


def active_at(rows: Iterable[OrderRow], t: datetime, days: int = ACTIVE_DAYS) -> set[str]:
    since = t - timedelta(days=days)
    return {r.customer for r in rows if r.paid and since <= r.created < t}


def ratio(numerator, denominator) -> float | None:
    if not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


@dataclass(frozen=True)
class Retention:
    s: int
    e: int
    n: int

    @property
    def crr(self) -> float | None:
        return ratio(self.e - self.n, self.s)

    @property
    def churn(self) -> float | None:
        return None if self.crr is None else 1 - self.crr


def retention(rows: Sequence[OrderRow], start: datetime, end: datetime) -> Retention:
    s = active_at(rows, start)
    e = active_at(rows, end)
    n = {c for c, first in first_orders(rows).items() if start <= first.created < end}
    return Retention(len(s), len(e), len(n))


def repeat_purchase_rate(rows: Sequence[OrderRow], start: datetime, end: datetime) -> float | None:
    counts = Counter(r.customer for r in in_period(paid_orders(rows), start, end))
    return ratio(sum(1 for c in counts.values() if c >= 2), len(counts))


def purchase_frequency(rows: Sequence[OrderRow], start: datetime, end: datetime) -> float | None:
    period = in_period(paid_orders(rows), start, end)
    return ratio(len(period), len({r.customer for r in period}))


def average(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


@dataclass(frozen=True)
class OrderValues:
    aov: Decimal | None
    first: Decimal | None
    repeat: Decimal | None
    orders: int
    revenue: Decimal


def order_values(rows: Sequence[OrderRow], start: datetime, end: datetime) -> OrderValues:
    firsts = {id(r) for r in first_orders(rows).values()}
    period = in_period(paid_orders(rows), start, end)
    return OrderValues(
        aov=average([r.net for r in period]),
        first=average([r.net for r in period if id(r) in firsts]),
        repeat=average([r.net for r in period if id(r) not in firsts]),
        orders=len(period),
        revenue=sum((r.net for r in period), Decimal(0)),
    )


def cltv_historical(rows: Sequence[OrderRow], end: datetime) -> Decimal | None:
    before = [r for r in paid_orders(rows) if r.created < end]
    customers = {r.customer for r in before}
    if not customers:
        return None
    return sum((r.net for r in before), Decimal(0)) / len(customers)


def cltv_predictive(
    aov: Decimal | None, frequency: float | None, churn: float | None, lifespan_periods: float | None = None
) -> Decimal | None:
    if aov is None or frequency is None:
        return None
    if lifespan_periods is None:
        if not churn or churn <= 0:
            return None
        lifespan_periods = 1 / churn
    return aov * Decimal(str(frequency)) * Decimal(str(lifespan_periods))


def members_of(ledger: Iterable[LedgerRow], end: datetime) -> set[str]:
    return {line.customer for line in ledger if line.at < end}


@dataclass(frozen=True)
class Points:
    earned: int
    redeemed: int
    expired: int
    restored: int
    outstanding: int


def points_flow(ledger: Sequence[LedgerRow], start: datetime, end: datetime) -> Points:
    period = [line for line in ledger if start <= line.at < end]
    balances: dict[str, int] = defaultdict(int)
    for line in ledger:
        if line.at < end:
            balances[line.customer] += line.points
    return Points(
        earned=sum(line.points for line in period if line.kind in ("earn", "reverse", "bonus")),
        redeemed=-sum(line.points for line in period if line.kind == "redeem"),
        expired=-sum(line.points for line in period if line.kind == "expire"),
        restored=sum(line.points for line in period if line.kind == "restore"),
        outstanding=sum(b for b in balances.values() if b > 0),
    )


def referral_orders(ledger: Sequence[LedgerRow], start: datetime, end: datetime) -> set[int]:
    """Friends' orders whose referral bonus stands, first booked in the period."""
    held: dict[str, list[LedgerRow]] = defaultdict(list)
    for line in ledger:
        if line.key.startswith("referral:"):
            held[":".join(line.key.split(":")[:2])].append(line)
    found = set()
    for lines in held.values():
        lines.sort(key=lambda ln: ln.at)
        if sum(ln.points for ln in lines) > 0 and start <= lines[0].at < end and lines[0].order_id is not None:
            found.add(lines[0].order_id)
    return found


def rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def compute(
    orders: Sequence[OrderRow],
    ledger: Sequence[LedgerRow],
    coupons: Sequence[CouponRow],
    members_now: Sequence[MemberRow],
    start: datetime,
    end: datetime,
    *,
    rewards=(),
    lifespan_periods: float | None = None,
) -> dict:
    """Every KPI of the period as one JSON-able dict (money as strings with 2
    decimals, rates as numbers 0..1, None where a denominator is 0)."""
    ret = retention(orders, start, end)
    values = order_values(orders, start, end)
    freq = purchase_frequency(orders, start, end)
    members = members_of(ledger, end)
    member_orders = [r for r in orders if r.customer in members]
    other_orders = [r for r in orders if r.customer not in members]
    m_values, o_values = order_values(member_orders, start, end), order_values(other_orders, start, end)
    m_ret, o_ret = retention(member_orders, start, end), retention(other_orders, start, end)
    flow = points_flow(ledger, start, end)
    per_point = point_value(rewards)
    active_end = active_at(orders, end)
    issued = [c for c in coupons if start <= c.issued_at < end]
    referred = referral_orders(ledger, start, end)
    new_customers = {c: first for c, first in first_orders(orders).items() if start <= first.created < end}
    return {
        "start": start.date().isoformat(),
        "end": end.date().isoformat(),
        "s": ret.s,
        "e": ret.e,
        "n": ret.n,
        "crr": rate(ret.crr),
        "churn": rate(ret.churn),
        "rpr": rate(repeat_purchase_rate(orders, start, end)),
        "frequency": rate(freq),
        "orders": values.orders,
        "revenue": optional_money_text(values.revenue),
        "aov": optional_money_text(values.aov),
        "aov_first": optional_money_text(values.first),
        "aov_repeat": optional_money_text(values.repeat),
        "cltv": optional_money_text(cltv_historical(orders, end)),
        "cltv_predictive": optional_money_text(cltv_predictive(values.aov, freq, ret.churn, lifespan_periods)),
        "members_aov": optional_money_text(m_values.aov),
        "non_members_aov": optional_money_text(o_values.aov),
        "members_frequency": rate(purchase_frequency(member_orders, start, end)),
        "non_members_frequency": rate(purchase_frequency(other_orders, start, end)),
        "members_crr": rate(m_ret.crr),
        "non_members_crr": rate(o_ret.crr),
        "members_churn": rate(m_ret.churn),
        "non_members_churn": rate(o_ret.churn),
        "active_share": rate(ratio(len(active_end & members), len(active_end))),
        "points_earned": flow.earned,
        "points_redeemed": flow.redeemed,
        "points_expired": flow.expired,
        "points_restored": flow.restored,
        "points_outstanding": flow.outstanding,
        "redemption_rate": rate(ratio(flow.redeemed, flow.earned) if flow.earned > 0 else None),
        "point_value": str(per_point.normalize()) if per_point else "0",
        "liability": optional_money_text(Decimal(flow.outstanding) * per_point),
        "coupons_issued": len(issued),
        "coupons_used": sum(1 for c in issued if c.status == "used"),
        "tiers": dict(sorted(Counter(m.tier for m in members_now if m.tier).items())),
        "vip_members": sum(1 for m in members_now if m.vip),
        "referrals": len(referred),
        "referred_share": rate(
            ratio(sum(1 for f in new_customers.values() if f.order_id in referred), len(new_customers))
        ),
    }


# --- loader ------------------------------------------------------------------------------------------


def load_rows(store) -> tuple[list[OrderRow], list[LedgerRow], list[CouponRow], list[MemberRow]]:
    """The store's rows as the pure functions take them (columns only)."""

    canonical = dict(
        db.session.execute(
            db.select(Member.id, Member.merged_into_id).where(
                Member.store_id == store.id, Member.merged_into_id.is_not(None)
            )
        ).all()
    )

    def who(member_id) -> str:
        seen = set()
        while member_id in canonical and member_id not in seen:
            seen.add(member_id)
            member_id = canonical[member_id]
        return f"m{member_id}"

    orders = [
        OrderRow(
            who(mid) if mid is not None else f"e:{email}",
            created,
            status,
            total or Decimal(0),
            refunded or Decimal(0),
            wc_id,
        )
        for mid, email, created, status, total, refunded, wc_id in db.session.execute(
            db.select(
                Order.member_id,
                Order.email,
                Order.created,
                Order.status,
                Order.total,
                Order.refunded_total,
                Order.wc_id,
            ).where(Order.store_id == store.id)
        )
    ]
    ledger = [
        LedgerRow(who(mid), kind, points, at, key, oid)
        for mid, kind, points, at, key, oid in db.session.execute(
            db.select(
                LedgerEntry.member_id,
                LedgerEntry.kind,
                LedgerEntry.points,
                LedgerEntry.at,
                LedgerEntry.key,
                LedgerEntry.order_wc_id,
            ).where(LedgerEntry.store_id == store.id)
        )
    ]
    coupons = [
        CouponRow(issued, status, source)
        for issued, status, source in db.session.execute(
            db.select(Coupon.issued_at, Coupon.status, Coupon.source).where(Coupon.store_id == store.id)
        )
    ]
    members = [
        MemberRow(f"m{mid}", tier or "", bool(vip))
        for mid, tier, vip in db.session.execute(
            db.select(Member.id, Member.tier, Member.vip).where(
                Member.store_id == store.id, Member.merged_into_id.is_(None)
            )
        )
    ]
    return orders, ledger, coupons, members


def store_kpis(
    store, start: datetime, end: datetime, *, lifespan_periods: float | None = None, rows: tuple | None = None
) -> dict:
    """`rows`: what `load_rows(store)` returned, when the caller needs the
    rows too (the admin's KPI page draws its monthly chart from them)."""

    _, program = program_in_force(store)
    orders, ledger, coupons, members = rows if rows is not None else load_rows(store)
    result = compute(
        orders, ledger, coupons, members, start, end, rewards=program.rewards, lifespan_periods=lifespan_periods
    )
    result["tiers"] = {tier: result["tiers"][tier] for tier in in_rank_order(result["tiers"], [program])}
    result["store"] = store.name
    result["currency"] = store.currency

    survey = nps_summary(store, start, end)
    result.update(
        nps=survey["nps"],
        nps_promoters=survey["promoters"],
        nps_passives=survey["passives"],
        nps_detractors=survey["detractors"],
    )
    return result
