"""Liability forecast: what the outstanding points may cost the shop.

- outstanding points = the sum of the members' positive balances, split into
  spendable and pending (still inside the return window, `pending_days`);
- money = points x the money value of a point (the best fixed-amount reward
  of the catalogue, as the dashboard and the KPIs value it: the most the shop
  can owe per point);
- expiry schedule: for each of the next 12 months, the points that expire
  in it if nothing else happens (the engine's own expiry rules run ahead on
  each member's books, as the "expiring" report does; points already due
  count in the current month);
- expected breakage from the store's own history: of the points that left
  balances so far, the share that expired rather than being redeemed
  (expired / (expired + redeemed net of points given back for coupons that
  expired unused)); None without history. Expected cost = money x (1 -
  breakage).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from loyalty_sync.analysis.expiring import expiring_lines
from loyalty_sync.books.member_books import load_books
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.ledger import pending_points
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry, Member, Store


def breakage_rate(redeemed: int, restored: int, expired: int) -> float | None:
    """Pure: share of the points that left balances by expiring."""
    spent = max(redeemed - restored, 0)
    if spent + expired <= 0:
        return None
    return round(expired / (spent + expired), 4)


def liability_forecast(store: Store, *, now: datetime | None = None, months: int = 12) -> dict:

    now = now or datetime.now(timezone.utc)
    _, program = program_in_force(store)
    value = point_value(program.rewards)
    month_starts = [
        now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + relativedelta(months=i) for i in range(months)
    ]
    horizon = month_starts[-1] + relativedelta(months=1)
    schedule: dict[str, int] = defaultdict(int)
    points = pending = 0
    members = list(
        db.session.execute(
            db.select(Member).where(Member.store_id == store.id, Member.merged_into_id.is_(None), Member.points > 0)
        ).scalars()
    )
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        loaded = load_books(chunk)
        for member in chunk:
            books = loaded.books[member.id]
            balance = books.balance
            if balance <= 0:
                continue
            points += balance
            pending += min(max(pending_points(books.ledger, now, program.pending_days), 0), balance)
            if program.expiry_mode == "none":
                continue
            for line in expiring_lines(books, program, now, (horizon - now).days):
                at = max(line.at, now)
                if at < horizon:
                    schedule[f"{at:%Y-%m}"] += -line.points
    sums = dict(
        db.session.execute(
            db.select(LedgerEntry.kind, db.func.sum(LedgerEntry.points))
            .where(LedgerEntry.store_id == store.id, LedgerEntry.kind.in_(("redeem", "restore", "expire")))
            .group_by(LedgerEntry.kind)
        ).all()
    )
    redeemed, restored, expired = (
        -int(sums.get("redeem") or 0),
        int(sums.get("restore") or 0),
        -int(sums.get("expire") or 0),
    )
    rate = breakage_rate(redeemed, restored, expired)
    money = Decimal(points) * value
    return {
        "store": store.name,
        "currency": store.currency,
        "as_of": now.isoformat(),
        "point_value": str(value.normalize()) if value else "0",
        "points": points,
        "money": money_text(money),
        "spendable_points": points - pending,
        "spendable_money": money_text(Decimal(points - pending) * value),
        "pending_points": pending,
        "pending_money": money_text(Decimal(pending) * value),
        "expiry_schedule": [
            {
                "month": f"{m:%Y-%m}",
                "points": schedule.get(f"{m:%Y-%m}", 0),
                "money": money_text(Decimal(schedule.get(f"{m:%Y-%m}", 0)) * value),
            }
            for m in month_starts
        ],
        "history": {"redeemed": redeemed, "restored": restored, "expired": expired},
        "breakage_rate": rate,
        "expected_breakage": money_text(money * Decimal(str(rate or 0))),
        "expected_cost": money_text(money * (1 - Decimal(str(rate or 0)))),
    }
