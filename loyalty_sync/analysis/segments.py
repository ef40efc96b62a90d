"""RFM segments from the order history (PRODUCT.md "Personal offers").

For every customer with at least one paid order (completed or processing,
not refunded in full; see kpi.py) as of `now`:
- R (recency)   = days since the last paid order,
- F (frequency) = number of paid orders (lifetime),
- M (monetary)  = revenue of those orders net of refunds (lifetime).

The first rule that matches decides (thresholds in `RfmThresholds`,
defaults in brackets; a shop changes them by passing its own, e.g. from the
app config `RFM_THRESHOLDS = {"at_risk_days": 90}`):
1. hibernating: R > hibernating_days (180)
2. at_risk:     R > at_risk_days (60)
3. champions:   F >= champion_orders (5) and R <= champion_days (30)
                and M >= champion_spend (0)
4. loyal:       F >= loyal_orders (2)
5. new:         everyone else: one paid order, in the last at_risk_days days

Customers without a paid order are in no segment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from flask import current_app

from loyalty_sync.analysis.kpi import OrderRow, load_rows, paid_orders
from loyalty_sync.extensions import db
from loyalty_sync.models import Member

SEGMENTS = ("champions", "loyal", "at_risk", "hibernating", "new")


@dataclass(frozen=True)
class RfmThresholds:
    hibernating_days: int = 180
    at_risk_days: int = 60
    champion_orders: int = 5
    champion_days: int = 30
    champion_spend: Decimal = Decimal(0)
    loyal_orders: int = 2

    @classmethod
    def from_dict(cls, values: dict | None) -> RfmThresholds:
        known = {f.name: f.type for f in fields(cls)}
        kw = {}
        for key, value in (values or {}).items():
            if key not in known:
                raise ValueError(f"unknown RFM threshold {key!r}")
            kw[key] = Decimal(str(value)) if key == "champion_spend" else int(value)
        return cls(**kw)


@dataclass(frozen=True)
class Rfm:
    customer: str
    recency_days: int
    frequency: int
    monetary: Decimal
    segment: str


def segment_of(recency_days: int, frequency: int, monetary: Decimal, t: RfmThresholds) -> str:
    if recency_days > t.hibernating_days:
        return "hibernating"
    if recency_days > t.at_risk_days:
        return "at_risk"
    if frequency >= t.champion_orders and recency_days <= t.champion_days and monetary >= t.champion_spend:
        return "champions"
    if frequency >= t.loyal_orders:
        return "loyal"
    return "new"


def rfm(rows: Iterable[OrderRow], now: datetime, thresholds: RfmThresholds = RfmThresholds()) -> dict[str, Rfm]:
    """customer -> RFM values and segment (pure)."""
    by_customer: dict[str, list[OrderRow]] = defaultdict(list)
    for r in paid_orders(rows):
        if r.created <= now:
            by_customer[r.customer].append(r)
    out = {}
    for customer, orders in by_customer.items():
        recency = (now - orders[-1].created).days
        monetary = sum((o.net for o in orders), Decimal(0))
        out[customer] = Rfm(
            customer, recency, len(orders), monetary, segment_of(recency, len(orders), monetary, thresholds)
        )
    return out


def store_segments(store, now: datetime, thresholds: RfmThresholds | None = None) -> dict[str, list[int]]:
    """segment -> member ids (members not merged nor anonymised)."""

    if thresholds is None:
        thresholds = RfmThresholds.from_dict(current_app.config.get("RFM_THRESHOLDS"))
    orders, _, _, _ = load_rows(store)
    usable = set(
        db.session.execute(
            db.select(Member.id).where(
                Member.store_id == store.id,
                Member.merged_into_id.is_(None),
                Member.anonymised_at.is_(None),
                Member.email != "",
            )
        ).scalars()
    )
    segments: dict[str, list[int]] = {name: [] for name in SEGMENTS}
    for customer, values in rfm(orders, now, thresholds).items():
        if customer.startswith("m") and int(customer[1:]) in usable:
            segments[values.segment].append(int(customer[1:]))
    return {name: sorted(ids) for name, ids in segments.items()}
