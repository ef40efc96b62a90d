"""At-risk lists: members the shop can still win back, as plain rows.

- `tier`: members who will drop a tier within `days` unless they order: as
  their old orders leave the rolling 12-month window their tier metric falls
  below the threshold, and after the grace period the daily re-evaluation
  demotes them. Each row says when (`drops_on`), to which tier, and what they
  are short (`short`, in the tier metric: spend, orders or points).
  Lifetime windows never drop (only refunds lower them), so they list nobody.
- `expiry`: members whose points expire within `days` (expiring.py).
- `churn`: members in the RFM "at risk" segment (segments.py).

Every list can become a coupon campaign in one step (`actions.campaigns.campaign_for_list`).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import TextIO

from dateutil.relativedelta import relativedelta

from loyalty_sync.analysis.expiring import expiring_points
from loyalty_sync.analysis.segments import store_segments
from loyalty_sync.books.order_facts import facts_from_row
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.csv_safety import SafeDictWriter
from loyalty_sync.engine.money import money_display, money_text
from loyalty_sync.engine.tiers import tier_for_metric, tier_metric, tier_rank
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order, Store
from loyalty_sync.wording import count_of

KINDS = ("tier", "expiry", "churn")
CSV_FIELDS = ("member_id", "customer_id", "email", "name", "kind", "detail")


def _row(member: Member, kind: str, detail: str, **extra) -> dict:
    return {
        "member_id": member.id,
        "customer_id": member.customer_id,
        "email": member.email,
        "name": member.display_name,
        "kind": kind,
        "detail": detail,
        **extra,
    }


def _members(store: Store, ids=None) -> list[Member]:
    query = db.select(Member).where(
        Member.store_id == store.id, Member.merged_into_id.is_(None), Member.anonymised_at.is_(None)
    )
    if ids is not None:
        query = query.where(Member.id.in_(list(ids) or [-1]))
    return list(db.session.execute(query.order_by(Member.id)).scalars())


def at_risk(store: Store, kind: str = "tier", *, now: datetime | None = None, days: int = 30) -> list[dict]:
    now = now or datetime.now(timezone.utc)
    if kind == "tier":
        return tier_at_risk(store, now, days)
    if kind == "expiry":
        return expiry_at_risk(store, now, days)
    if kind == "churn":
        return churn_at_risk(store, now)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}")


def drop_forecast(orders, program, tier: str, below_since: datetime | None, now: datetime, days: int):
    """Pure: (drops_on, metric then, new tier) if the member, ordering nothing
    more, is demoted within `days` of `now`; None otherwise."""
    current = program.tier_named(tier)
    if current is None or program.tier_window == "lifetime" or tier_rank(tier, program) <= 0:
        return None
    horizon = now + timedelta(days=days)
    grace = timedelta(days=program.tier_grace_days)
    # The metric only changes when an order leaves the window.
    moments = [now] + sorted(
        o.created + relativedelta(months=12) for o in orders if now < o.created + relativedelta(months=12) <= horizon
    )
    since = below_since
    for at in moments:
        metric = tier_metric(orders, program, at)
        if metric >= current.threshold:
            since = None
            continue
        since = since or at
        drops_on = max(since + grace, at)
        if drops_on <= horizon:
            metric_then = tier_metric(orders, program, drops_on)
            if metric_then < current.threshold:
                return drops_on, metric_then, tier_for_metric(metric_then, program).name
    return None


def tier_at_risk(store: Store, now: datetime, days: int = 30) -> list[dict]:
    _, program = program_in_force(store)
    members = [m for m in _members(store) if tier_rank(m.tier, program) > 0]
    rows = []
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        by_member: dict[int, list] = {m.id: [] for m in chunk}
        for row in db.session.execute(db.select(Order).where(Order.member_id.in_(list(by_member)))).scalars():
            by_member[row.member_id].append(facts_from_row(row))
        for member in chunk:
            forecast = drop_forecast(by_member[member.id], program, member.tier, member.tier_below_since, now, days)
            if forecast is None:
                continue
            drops_on, metric, new_tier = forecast
            threshold = program.tier_named(member.tier).threshold
            short = threshold - metric
            if program.tier_metric == "spend":
                missing = money_display(short, store.currency)
                short, metric, threshold = money_text(short), money_text(metric), money_text(threshold)
            else:
                missing = count_of(int(short), "order") if program.tier_metric == "orders" else f"{short} points"
                short, metric, threshold = str(short), str(metric), str(threshold)
            rows.append(
                _row(
                    member,
                    "tier",
                    f"{member.tier} -> {new_tier} on {drops_on.date().isoformat()} unless {missing} more",
                    tier=member.tier,
                    drops_to=new_tier,
                    drops_on=drops_on.date().isoformat(),
                    metric=metric,
                    threshold=threshold,
                    short=short,
                )
            )
    return sorted(rows, key=lambda r: (r["drops_on"], r["member_id"]))


def expiry_at_risk(store: Store, now: datetime, days: int = 30) -> list[dict]:

    found = expiring_points(store, now, days)
    members = {m.id: m for m in _members(store, [r.member_id for r in found])}
    return [
        _row(
            members[r.member_id],
            "expiry",
            f"{r.expiring_points} of {r.points} points expire from {r.first_expiry}",
            points=r.points,
            expiring_points=r.expiring_points,
            first_expiry=r.first_expiry,
            last_expiry=r.last_expiry,
        )
        for r in found
        if r.member_id in members
    ]


def churn_at_risk(store: Store, now: datetime) -> list[dict]:

    ids = store_segments(store, now)["at_risk"]
    rows = []
    for member in _members(store, ids):
        last = member.last_order_at
        since = f"last order {last.date().isoformat()} ({(now - last).days} days ago)" if last else "no recent order"
        rows.append(
            _row(
                member,
                "churn",
                since,
                last_order=last.date().isoformat() if last else None,
                points=member.points,
                tier=member.tier,
            )
        )
    return rows


def write_csv(rows: list[dict], out: TextIO | None = None) -> str:
    buffer = out or io.StringIO()
    fields = list(CSV_FIELDS) + sorted({k for r in rows for k in r} - set(CSV_FIELDS))
    writer = SafeDictWriter(buffer, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue() if out is None else ""
