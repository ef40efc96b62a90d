"""What the storefront API and the member page show of one member.

`member_status(store, member)` is the one function behind
`GET /api/v1/members/{ref}` and the page `/m/<token>`, so they never disagree;
`lookup_member_status(store, ref)` is the lookup the benchmark can time
(bench/member_lookup.py): find by customer id or email, load the books, answer.
Nothing here writes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from loyalty_sync.actions.redemption import coupon_fields, push_coupon_now
from loyalty_sync.books.member_books import load_books
from loyalty_sync.books.referrals import referral_coupon_for
from loyalty_sync.engine.tiers import in_window, tier_metric, tier_rank
from loyalty_sync.engine.earning import order_earns
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.vip import is_vip, vip_until
from loyalty_sync.analysis.expiring import expiring_lines
from loyalty_sync.extensions import db
from loyalty_sync.models import Badge, Coupon, LedgerEntry, Member, Order, Store
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.statements import find_member

EXPIRING_DAYS = 30
LEDGER_PAGE_SIZE = 50


def _metric_json(metric: str, value: Decimal):
    if metric == "spend":
        return money_text(value)
    return int(value)


def next_tier_info(books, program, tier_name: str, now: datetime) -> dict:
    """The current tier, the next one up and what is missing to reach it."""
    ordered = sorted(program.tiers, key=lambda t: t.threshold)
    current = program.tier_named(tier_name) if tier_rank(tier_name, program) >= 0 else program.entry_tier
    current = current or program.entry_tier
    orders = [r.facts for r in books.orders]
    points_by_order = {r.facts.order_id: r.earned for r in books.orders}
    metric = tier_metric(orders, program, now, points_by_order)
    higher = [t for t in ordered if t.threshold > current.threshold]
    nxt = higher[0] if higher else None
    info = {
        "name": current.name,
        "multiplier": format(current.multiplier.normalize(), "f"),
        "metric": program.tier_metric,
        "window": program.tier_window,
        "current": _metric_json(program.tier_metric, metric),
        "next": None,
    }
    if nxt is None:
        return info
    to_go = max(Decimal(0), nxt.threshold - metric)
    span = nxt.threshold - current.threshold
    progress = 100 if span <= 0 else int(max(Decimal(0), min(Decimal(100), (metric - current.threshold) * 100 / span)))
    before = None
    if program.tier_window != "lifetime":
        # the oldest order that counts leaves the window then: reach the tier before it does
        counted = [
            o.created for o in orders if order_earns(o, program) and in_window(o.created, now, program.tier_window)
        ]
        if counted:
            before = (min(counted) + relativedelta(months=12)).date().isoformat()
    info["next"] = {
        "name": nxt.name,
        "multiplier": format(nxt.multiplier.normalize(), "f"),
        "threshold": _metric_json(program.tier_metric, nxt.threshold),
        "to_go": {program.tier_metric: _metric_json(program.tier_metric, to_go)},
        "before": before,
        "progress_percent": progress,
    }
    return info


def available_coupons(member: Member, now: datetime) -> list[dict]:
    rows = db.session.execute(
        db.select(Coupon)
        .where(
            Coupon.member_id == member.id,
            Coupon.status.in_(("pending", "pushed")),
        )
        .order_by(Coupon.expires_at.is_(None), Coupon.expires_at, Coupon.id)
    ).scalars()
    return [
        {**coupon_fields(c), "usable_now": c.status == "pushed", "source": c.source}
        for c in rows
        if c.expires_at is None or c.expires_at > now
    ]


def referral_code(store: Store, member: Member, program, now: datetime) -> str | None:
    """The member's referral code, its coupon issued the first time the member
    needs it (PRODUCT.md, "Referrals") and pushed at once so a friend can use
    it (on store trouble it waits in the outbox for the next pass)."""
    if member.referral_code:
        return member.referral_code
    coupon = referral_coupon_for(store, member, program, now)
    if coupon is None:
        return None
    db.session.commit()
    push_coupon_now(store, coupon)
    db.session.commit()
    return member.referral_code


def member_status(store: Store, member: Member, *, now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    _version, program = program_in_force(store)
    code = referral_code(store, member, program, now)
    books = load_books([member]).books[member.id]
    periods = tuple(books.vip_periods)
    vip = is_vip(periods, now)
    until = vip_until(periods, now) if vip else None
    expiring = expiring_lines(books, program, now, EXPIRING_DAYS) if program.expiry_mode != "none" else []
    expiring_points = -sum(line.points for line in expiring)
    badges = (
        db.session.execute(
            db.select(Badge.name).where(Badge.member_id == member.id).order_by(Badge.awarded_at, Badge.id)
        )
        .scalars()
        .all()
    )
    return {
        "customer_id": member.customer_id,
        "email": member.email,
        "first_name": member.first_name,
        "currency": store.currency,
        "points": {
            "balance": books.balance,
            "spendable": books.spendable(now, program),
            "pending": books.pending(now, program),
        },
        "tier": next_tier_info(books, program, member.tier, now),
        "vip": {
            "active": vip,
            "until": until.isoformat() if until else None,
            "multiplier": format(program.vip_multiplier.normalize(), "f"),
        },
        "coupons": available_coupons(member, now),
        "badges": list(badges),
        "referral_code": code,
        "expiring": {
            "days": EXPIRING_DAYS,
            "points": max(0, expiring_points),
            "first_date": min(line.at for line in expiring).isoformat() if expiring else None,
            "lines": [
                {"date": line.at.isoformat(), "points": -line.points} for line in sorted(expiring, key=lambda x: x.at)
            ],
        },
    }


def lookup_member_status(store: Store, ref: str, *, now: datetime | None = None) -> dict | None:
    """The API's member lookup as one call (None: no such member in this store)."""
    member = find_member(store, str(ref))
    return None if member is None else member_status(store, member, now=now)


def ledger_page(member: Member, page: int, per_page: int = LEDGER_PAGE_SIZE) -> dict:
    """The member's ledger, newest first, one page."""
    total = db.session.execute(
        db.select(db.func.count()).select_from(LedgerEntry).where(LedgerEntry.member_id == member.id)
    ).scalar_one()
    rows = (
        db.session.execute(
            db.select(LedgerEntry)
            .where(LedgerEntry.member_id == member.id)
            .order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        .scalars()
        .all()
    )
    return {
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": max(1, -(-total // per_page)),
        "items": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "points": e.points,
                "order_id": e.order_wc_id,
                "reason": e.reason,
                "multiplier": format(e.multiplier.normalize(), "f") if e.multiplier is not None else None,
                "rule_version": e.rule_version,
            }
            for e in rows
        ],
    }


def order_multipliers(member: Member) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """order id -> (tier multiplier, VIP multiplier) fixed at its first earn (for plain-words ledger lines)."""
    rows = db.session.execute(
        db.select(Order.wc_id, Order.tier_multiplier, Order.vip_multiplier).where(Order.member_id == member.id)
    ).all()
    return {wc_id: (tm, vm) for wc_id, tm, vm in rows}
