"""The numbers on the admin dashboard: how the program performs.

Every figure is one aggregate query (GROUP BY in the database), so the
dashboard stays fast with 100k members. All functions take `store_id`
(None: all stores) and `now`, and need an app context, not a request.

Definitions (PRODUCT.md, "What the shops read"):
- *member*: a member row not merged into another one;
- *active member*: placed a paid order (completed or processing) in the 365
  days up to `now`;
- *points earned* in a month: earn + reverse + bonus lines (net of reversals);
  *redeemed*: points turned into coupons, net of points given back when a
  coupon expired unused (redeem + restore, shown positive); *expired*: expire
  lines (shown positive); admin adjustments are counted apart;
- *outstanding liability*: the positive balances of all members times the
  money value of one point (`point_value`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import case, func

from loyalty_sync.engine.money import cents
from loyalty_sync.engine.program import PAID_STATUSES
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.engine.tier_order import in_rank_order
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order, Store, SyncRun


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _members(store_id: int | None):
    query = db.select(Member).where(Member.merged_into_id.is_(None))
    return query.where(Member.store_id == store_id) if store_id else query


def member_counts(store_id: int | None = None, now: datetime | None = None) -> dict:
    now = _now(now)
    where = [Member.merged_into_id.is_(None)]
    if store_id:
        where.append(Member.store_id == store_id)
    members, vip = db.session.execute(
        db.select(func.count(), func.coalesce(func.sum(case((Member.vip.is_(True), 1), else_=0)), 0))
        .select_from(Member)
        .where(*where)
    ).one()
    active_query = db.select(func.count(func.distinct(Order.member_id))).where(
        Order.status.in_(PAID_STATUSES), Order.created >= now - timedelta(days=365), Order.member_id.is_not(None)
    )
    if store_id:
        active_query = active_query.where(Order.store_id == store_id)
    active = db.session.execute(active_query).scalar_one()
    return {
        "members": members,
        "active": active,
        "vip": int(vip),
        "active_share": (active / members) if members else 0.0,
    }


def _month_starts(now: datetime, months: int) -> list[datetime]:
    year, month = now.year, now.month
    starts = []
    for _ in range(months):
        starts.append(datetime(year, month, 1, tzinfo=timezone.utc))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def _month_key(column):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def points_by_month(store_id: int | None = None, now: datetime | None = None, months: int = 12) -> list[dict]:
    """Points earned / redeemed / expired / adjusted per calendar month (UTC),
    oldest first, the current month last; months without lines show 0."""
    now = _now(now)
    starts = _month_starts(now, months)
    month = _month_key(LedgerEntry.at).label("month")
    query = (
        db.select(month, LedgerEntry.kind, func.sum(LedgerEntry.points))
        .where(LedgerEntry.at >= starts[0])
        .group_by(month, LedgerEntry.kind)
    )
    if store_id:
        query = query.where(LedgerEntry.store_id == store_id)
    rows = {
        f"{s.year:04d}-{s.month:02d}": {
            "month": f"{s.year:04d}-{s.month:02d}",
            "earned": 0,
            "redeemed": 0,
            "expired": 0,
            "adjusted": 0,
        }
        for s in starts
    }
    for key, kind, points in db.session.execute(query):
        row = rows.get(key)
        if row is None:
            continue
        points = int(points or 0)
        if kind in ("earn", "reverse", "bonus"):
            row["earned"] += points
        elif kind in ("redeem", "restore"):
            row["redeemed"] -= points
        elif kind == "expire":
            row["expired"] -= points
        elif kind == "adjust":
            row["adjusted"] += points
    return list(rows.values())


def points_totals(store_id: int | None = None) -> dict:
    """All-time totals per ledger kind, for the redemption rate."""
    query = db.select(LedgerEntry.kind, func.sum(LedgerEntry.points)).group_by(LedgerEntry.kind)
    if store_id:
        query = query.where(LedgerEntry.store_id == store_id)
    by_kind = {kind: int(total or 0) for kind, total in db.session.execute(query)}
    earned = by_kind.get("earn", 0) + by_kind.get("reverse", 0) + by_kind.get("bonus", 0)
    redeemed = -(by_kind.get("redeem", 0) + by_kind.get("restore", 0))
    return {
        "earned": earned,
        "redeemed": redeemed,
        "expired": -by_kind.get("expire", 0),
        "adjusted": by_kind.get("adjust", 0),
        "redemption_rate": (redeemed / earned) if earned > 0 else 0.0,
    }


def tier_distribution(store_id: int | None = None) -> list[tuple[str, int]]:
    """(tier name, members), lowest tier first as the ladder goes; members
    without a tier yet last, as "(none)"."""
    query = db.select(Member.tier, func.count()).where(Member.merged_into_id.is_(None)).group_by(Member.tier)
    stores = db.select(Store)
    if store_id:
        query = query.where(Member.store_id == store_id)
        stores = stores.where(Store.id == store_id)
    counts = {tier or "": count for tier, count in db.session.execute(query)}
    programs = [program_in_force(store)[1] for store in db.session.execute(stores).scalars()]
    ordered = [(tier, counts[tier]) for tier in in_rank_order((t for t in counts if t), programs)]
    return ordered + ([("(none)", counts[""])] if "" in counts else [])


def liability(store: Store) -> dict:
    """Outstanding points of a store (positive balances) and their money value."""
    points = db.session.execute(
        db.select(func.coalesce(func.sum(Member.points), 0)).where(
            Member.store_id == store.id, Member.merged_into_id.is_(None), Member.points > 0
        )
    ).scalar_one()
    _version, program = program_in_force(store)
    value = point_value(program.rewards)
    return {
        "store": store.name,
        "currency": store.currency,
        "points": int(points),
        "point_value": value,
        "money": cents(Decimal(int(points)) * value),
    }


def coupon_counts(store_id: int | None = None) -> dict:
    query = db.select(Coupon.status, func.count()).group_by(Coupon.status)
    if store_id:
        query = query.where(Coupon.store_id == store_id)
    by_status = {status: count for status, count in db.session.execute(query)}
    issued = sum(by_status.values())
    used = by_status.get("used", 0)
    return {"issued": issued, "used": used, "by_status": by_status, "use_rate": (used / issued) if issued else 0.0}


def last_syncs() -> list[dict]:
    """The latest sync pass of every store (None when it never synced)."""
    latest = db.select(SyncRun.store_id, func.max(SyncRun.id).label("run_id")).group_by(SyncRun.store_id).subquery()
    runs = {
        run.store_id: run
        for run in db.session.execute(db.select(SyncRun).join(latest, SyncRun.id == latest.c.run_id)).scalars()
    }
    return [
        {"store": store, "run": runs.get(store.id)}
        for store in db.session.execute(db.select(Store).order_by(Store.name)).scalars()
    ]


def dashboard(store_id: int | None = None, now: datetime | None = None) -> dict:
    """Everything the dashboard shows, in one call."""
    now = _now(now)
    stores = db.session.execute(db.select(Store).order_by(Store.name)).scalars().all()
    shown = [s for s in stores if not store_id or s.id == store_id]
    return {
        "now": now,
        "counts": member_counts(store_id, now),
        "months": points_by_month(store_id, now),
        "totals": points_totals(store_id),
        "tiers": tier_distribution(store_id),
        "liability": [liability(s) for s in shown],
        "coupons": coupon_counts(store_id),
        "syncs": [row for row in last_syncs() if not store_id or row["store"].id == store_id],
    }
