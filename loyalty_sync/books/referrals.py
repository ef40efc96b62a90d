"""Referrals: "bring a friend and both get a bonus" (PRODUCT.md).

Each registered member gets one personal referral coupon, issued the first
time the member needs it (`referral_coupon_for`: the member page, the
storefront API), never to every customer at once on a first sync: a
`Coupon` row with
source `referral`, key `referral:<member key>`, the program's
`referral_coupon` template, code = `member.referral_code` (generated once,
`ref-...`), NOT restricted to the member's email, no expiry unless the
template has `expiry_days`, usage limit per user 1 and no overall limit (the
push sends it like that, see loyalty_sync/store_sync/push.py `coupon_payload`). It goes to
the store through the normal outbox. The friend's discount is the coupon
itself.

When a friend's order that used the code is *completed*, the referrer's books
get one decision, keyed `referral:<friend order id>` (unique in the store, so
never twice):
- the bonus (`program.referral_bonus`, kind `bonus`), when the order is the
  friend's first purchase (no earlier order of theirs was ever paid:
  completed, processing or refunded);
- a 0-point `bonus` line whose reason says why nothing was earned, when the
  friend is the referrer (same customer or member), has the same email, or
  the same billing address as the member or any of the member's own orders
  (self-referral), or when it is not the friend's first order. These lines
  are how the admin sees, on the member page and in `members show`, why a
  use of the code earned nothing; they never change the balance.

A friend's order that is later cancelled, refunded (in full), failed or
trashed takes the bonus back (`referral:<order>:<n>`, kind `reverse`); if the
order is completed again, the bonus is booked again (next `<n>`).

`referral_lines` is pure (plain facts in, ledger lines out); the loaders
below gather the facts for a batch of members being planned (see
program_extras.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from loyalty_sync.books.coupon_codes import new_coupon_code
from loyalty_sync.books.history import in_review
from loyalty_sync.books.member_books import member_key
from loyalty_sync.books.order_facts import facts_from_row
from loyalty_sync.engine.bonuses import referral_bonus_line
from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.ledger import CouponSource, LedgerKind, LedgerLine
from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, Order, Store

# An earlier order in one of these means the friend had bought before.
PURCHASED_STATUSES = ("completed", "processing", "refunded")
# The friend's order no longer stands: the referrer's bonus goes back.
UNDONE_STATUSES = ("cancelled", "refunded", "failed", "trash")


@dataclass(frozen=True)
class Referrer:
    member_key: str
    member_id: int
    customer_id: int | None
    email: str
    # Normalised billing addresses (engine.facts.address_text): the member's
    # own and those of the member's orders.
    addresses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReferralUse:
    """A friend's order that used the referrer's code."""

    order: OrderFacts
    friend_member_id: int | None
    friend_is_new: bool


def coupon_key(member_key: str) -> str:
    return f"referral:{member_key}"


def self_referral_reasons(referrer: Referrer, use: ReferralUse) -> list[str]:
    o = use.order
    reasons = []
    if use.friend_member_id == referrer.member_id or (referrer.customer_id and o.customer_id == referrer.customer_id):
        reasons.append("same customer")
    if o.email and o.email == referrer.email.strip().lower():
        reasons.append("same email")
    if o.billing_address and o.billing_address in referrer.addresses:
        reasons.append("same billing address")
    return reasons


def _order_undone(o: OrderFacts) -> bool:
    return o.status in UNDONE_STATUSES or (o.total > 0 and o.refunded_amount >= o.total)


def referral_lines(
    referrer: Referrer, uses: Iterable[ReferralUse], ledger: Sequence[LedgerLine], program: Program, now: datetime
) -> list[LedgerLine]:
    """New ledger lines of the referrer for these uses of their code."""
    by_key: dict[str, list[LedgerLine]] = defaultdict(list)
    for line in ledger:
        if line.key.startswith("referral:"):
            base = ":".join(line.key.split(":")[:2])
            by_key[base].append(line)
    lines = []
    for use in sorted(uses, key=lambda u: (u.order.created, u.order.order_id)):
        o = use.order
        base = f"referral:{o.order_id}"
        booked = by_key.get(base, [])
        held = sum(line.points for line in booked)
        if not booked:
            if o.status != "completed" or _order_undone(o):
                continue  # not (yet) a completed order: decide later
            reasons = self_referral_reasons(referrer, use)
            if not reasons and not use.friend_is_new:
                reasons = ["not the friend's first order"]
            at = min(o.completed or o.modified, now)
            if reasons:
                lines.append(
                    LedgerLine(
                        key=base,
                        kind=LedgerKind.BONUS,
                        points=0,
                        at=at,
                        order_id=o.order_id,
                        reason=f"referral code used in order #{o.order_id}: no bonus ({', '.join(reasons)})",
                    )
                )
                continue
            bonus = referral_bonus_line(referrer.member_key, "", "", o, True, program, now)
            if bonus is not None:
                lines.append(bonus)
            continue
        granted = booked[0].points > 0
        n = len(booked) + 1
        if held > 0 and _order_undone(o):
            lines.append(
                LedgerLine(
                    key=f"{base}:{n}",
                    kind=LedgerKind.REVERSE,
                    points=-held,
                    at=min(o.modified, now),
                    order_id=o.order_id,
                    reason=f"referral: the friend's order #{o.order_id} was {o.status if o.status in UNDONE_STATUSES else 'refunded'}: "
                    f"{-held} points",
                )
            )
        elif held <= 0 and granted and o.status == "completed" and not _order_undone(o):
            points = booked[0].points
            lines.append(
                LedgerLine(
                    key=f"{base}:{n}",
                    kind=LedgerKind.BONUS,
                    points=points,
                    at=min(o.modified, now),
                    order_id=o.order_id,
                    reason=f"referral: the friend's order #{o.order_id} is completed again: {points} points",
                )
            )
    return lines


# --- service side --------------------------------------------------------------------------------


@dataclass
class ReferralFacts:
    """What the planner of one batch knows about referrals."""

    referrers: dict[int, Member]
    uses: dict[int, list[ReferralUse]]  # referrer member id -> uses
    addresses: dict[int, frozenset[str]]


def gather(store_id: int, members: Sequence[Member]) -> ReferralFacts:
    """Find the orders of these members that used someone's referral code,
    and those codes' owners (who must be planned too)."""
    ids = [m.id for m in members if m.id is not None]
    light: list = []  # rows of (order row id, wc id, member id, codes, created, status)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        light.extend(
            db.session.execute(
                db.select(
                    Order.id, Order.wc_id, Order.member_id, Order.coupon_codes, Order.created, Order.status
                ).where(Order.member_id.in_(chunk))
            ).all()
        )  # (no store filter: SQLite would scan the store's orders)
    codes = {c for row in light for c in (row.coupon_codes or [])}
    facts = ReferralFacts(referrers={}, uses=defaultdict(list), addresses={})
    if not codes:
        return facts
    owners: dict[str, Member] = {}
    wanted = sorted(codes)
    for start in range(0, len(wanted), 500):
        for member in db.session.execute(
            db.select(Member).where(Member.store_id == store_id, Member.referral_code.in_(wanted[start : start + 500]))
        ).scalars():
            owners[member.referral_code.lower()] = member
    if not owners:
        return facts
    by_member = defaultdict(list)
    for row in light:
        by_member[row.member_id].append(row)
    using = [(row, owners[c]) for row in light for c in (row.coupon_codes or []) if c in owners]
    rows = (
        {
            o.id: o
            for o in db.session.execute(db.select(Order).where(Order.id.in_([row.id for row, _ in using]))).scalars()
        }
        if using
        else {}
    )
    for row, owner in using:
        earlier = [
            r
            for r in by_member[row.member_id]
            if (r.created, r.wc_id) < (row.created, row.wc_id) and r.status in PURCHASED_STATUSES
        ]
        facts.referrers[owner.id] = owner
        facts.uses[owner.id].append(ReferralUse(facts_from_row(rows[row.id]), row.member_id, not earlier))
    owner_ids = list(facts.referrers)
    addresses = defaultdict(set)
    for member_id, address in db.session.execute(
        db.select(Order.member_id, Order.billing_address).where(Order.member_id.in_(owner_ids))
    ).all():
        if address:
            addresses[member_id].add(address)
    for owner in facts.referrers.values():
        if owner.billing_address:
            addresses[owner.id].add(owner.billing_address)
        facts.addresses[owner.id] = frozenset(addresses[owner.id])
    return facts


def referrer_of(member: Member, member_key: str, addresses: frozenset[str]) -> Referrer:
    return Referrer(
        member_key=member_key,
        member_id=member.id,
        customer_id=member.customer_id,
        email=member.email or "",
        addresses=addresses,
    )


def wants_referral_coupon(member: Member, program: Program) -> bool:
    return (
        program.referral_coupon is not None
        and member.customer_id is not None
        and member.anonymised_at is None
        and member.merged_into_id is None
    )


def referral_coupon_for(store: Store, member: Member, program: Program, now: datetime) -> Coupon | None:
    """The member's referral coupon, issued now if it never was (pending:
    the caller pushes it or the next pass does, and commits). None when the
    program has no referral coupon, the member cannot have one (a guest, an
    anonymised or merged member), or the store is still in review."""
    if in_review(store) or not wants_referral_coupon(member, program):
        return None
    key = coupon_key(member_key(member))
    existing = db.session.execute(
        db.select(Coupon).where(Coupon.store_id == member.store_id, Coupon.key == key)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    row = referral_coupon_row(member, member_key(member), program, now)
    db.session.add(row)
    db.session.flush()
    return row


def referral_coupon_row(member: Member, member_key: str, program: Program, now: datetime) -> Coupon:
    """The member's personal referral coupon (not restricted to an email)."""
    template = program.referral_coupon
    if template is None:
        raise ValueError("the program has no referral coupon (wants_referral_coupon says so first)")
    if not member.referral_code:
        member.referral_code = new_coupon_code(CouponSource.REFERRAL)
    expires = now + timedelta(days=template.expiry_days) if template.expiry_days else None
    return Coupon(
        store_id=member.store_id,
        member_id=member.id,
        key=coupon_key(member_key),
        code=member.referral_code.lower(),
        source=CouponSource.REFERRAL,
        discount_type=template.discount_type,
        amount=Decimal(template.amount),
        minimum_amount=Decimal(max(template.minimum_amount, program.coupon_minimum_amount)),
        free_shipping=bool(template.free_shipping),
        email="",
        points_cost=0,
        reason=f"your referral code: a friend's first order gets the discount, you get {program.referral_bonus} points",
        issued_at=now,
        expires_at=expires,
        status="pending",
    )
