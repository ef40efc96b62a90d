"""Badges (PRODUCT.md "Birthday, reviews, badges"): small achievements shown on
the member page (`statements.member_statement`) and pushed to the store as the
customer meta `loyalty_badges` (comma-separated, in the order they were won).

The badges:
- "First order": the member has an order in an earning status;
- "5 orders": five such orders;
- "Referred a friend": a referral bonus was booked (a positive `referral:` line);
- "VIP": the member is (or was, when planned) in the VIP club;
- "<Tier> tier" (e.g. "Silver tier"), one per tier the member was in when
  planned; the entry tier's badge needs a first order.

A badge is awarded once and kept (models.Badge is unique per member and name):
a refund or a demotion does not take it away, like a real medal.

`badges_earned` is pure; `award_badges` writes the missing rows. The names a
member holds are cached on the instance by `preload_badges` (one query for a
batch of members) so that `books.store_status` does not query per member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from loyalty_sync.engine.earning import order_earns
from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.ledger import LedgerLine
from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Badge, Member

FIRST_ORDER = "First order"
FIVE_ORDERS = "5 orders"
REFERRED_A_FRIEND = "Referred a friend"
VIP = "VIP"

_CACHE = "_loyalty_badge_names"


def tier_badge(tier: str) -> str:
    return f"{tier} tier"


def badges_earned(
    orders: Iterable[OrderFacts], ledger: Sequence[LedgerLine], tier: str, vip: bool, program: Program
) -> list[str]:
    """The badges these books deserve (pure; order: the list above)."""
    earning = sum(1 for o in orders if order_earns(o, program))
    names = []
    if earning >= 1:
        names.append(FIRST_ORDER)
    if earning >= 5:
        names.append(FIVE_ORDERS)
    if any(line.key.startswith("referral:") and line.points > 0 for line in ledger):
        names.append(REFERRED_A_FRIEND)
    if vip:
        names.append(VIP)
    if tier and program.tier_named(tier) is not None and (earning >= 1 or tier != program.entry_tier.name):
        names.append(tier_badge(tier))
    return names


def preload_badges(members: Sequence[Member]) -> None:
    """Cache the badge names of many members (one query per 500)."""
    members = [m for m in members if m.id is not None]
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        by_member: dict[int, list[str]] = {m.id: [] for m in chunk}
        rows = db.session.execute(
            db.select(Badge.member_id, Badge.name)
            .where(Badge.member_id.in_(list(by_member)))
            .order_by(Badge.awarded_at, Badge.id)
        ).all()
        for member_id, name in rows:
            by_member[member_id].append(name)
        for m in chunk:
            setattr(m, _CACHE, by_member[m.id])


def badge_names(member: Member) -> list[str]:
    """The member's badges, oldest first (cached by `preload_badges`)."""
    cached = getattr(member, _CACHE, None)
    if cached is None:
        if member.id is None:
            return []
        cached = list(
            db.session.execute(
                db.select(Badge.name).where(Badge.member_id == member.id).order_by(Badge.awarded_at, Badge.id)
            ).scalars()
        )
        setattr(member, _CACHE, cached)
    return list(cached)


def award_badges(member: Member, names: Iterable[str], now: datetime) -> list[str]:
    """Add the badges the member does not hold yet; returns the new ones. The
    caller commits (a concurrent writer awarding the same badge fails on the
    unique key and re-plans, like every other decision)."""
    held = badge_names(member)
    new = [n for n in dict.fromkeys(names) if n not in held]
    for name in new:
        db.session.add(Badge(member_id=member.id, name=name[:80], awarded_at=now))
    if new:
        setattr(member, _CACHE, held + new)
    return new


def badges_meta(member: Member) -> str:
    """The `loyalty_badges` customer meta value."""
    return ",".join(badge_names(member))
