"""What an admin can do to one member, as services (no Flask request needed).

Each action checks its input, writes its change and an audit row
(`record_audit`) to the current session, and re-plans the member with
`apply.reevaluate` where the engine's rules depend on the change (auto-redeem
after a credit, tier and VIP after an invitation). The caller commits, so the
change, its audit row and the engine's consequences land in one transaction
(or none).

The ledger stays append-only: a correction is a new `adjust` line with a
unique key, never an edit of an old line.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from loyalty_sync.actions.in_review import refusal_in_review
from loyalty_sync.books.apply import reevaluate
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order, Store, VipPeriod, record_audit

INVITATION_DAYS = 365
MAX_ADJUSTMENT = 10_000_000


class ActionRefused(ValueError):
    """The action cannot be done as asked; the message is for the admin."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("A reason is required: it is kept in the audit log and shown on the statement.")
    return reason[:1000]


def _target(member: Member) -> str:
    return f"member:{member.id}"


def _check(store: Store, member: Member) -> None:
    if member.store_id != store.id:
        raise ActionRefused("This member belongs to another store.")


def _check_booking(store: Store, member: Member, doing: str) -> None:
    """`_check`, and no booking for a store in review (actions/in_review.py)."""
    _check(store, member)
    refusal = refusal_in_review(store, doing)
    if refusal:
        raise ActionRefused(refusal)


def adjust_points(
    store: Store, member: Member, amount: int, reason: str, *, actor: str, now: datetime | None = None
) -> LedgerEntry:
    """Credit (amount > 0) or debit (amount < 0) points by hand.

    Books an `adjust` ledger line keyed `adjust:<uuid>` and updates the cached
    balance in the same transaction, then re-plans the member so auto-redeem
    and the tier rules see the new balance.
    """
    now = _now(now)
    _check_booking(store, member, "adjust a balance")
    reason = _reason(reason)
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        raise ActionRefused("The amount must be a whole number of points.") from None
    if amount == 0:
        raise ActionRefused("An adjustment of 0 points changes nothing.")
    if abs(amount) > MAX_ADJUSTMENT:
        raise ActionRefused(f"An adjustment above {MAX_ADJUSTMENT:,} points is surely a typo.")
    before = member.points or 0
    version = program_in_force(store).number
    entry = LedgerEntry(
        store_id=store.id,
        member_id=member.id,
        key=f"adjust:{uuid.uuid4()}",
        kind="adjust",
        points=amount,
        at=now,
        reason=reason,
        actor=actor,
        rule_version=version,
    )
    db.session.add(entry)
    member.points = before + amount
    record_audit(
        actor,
        "member.adjust_points",
        _target(member),
        store_id=store.id,
        before={"points": before},
        after={"points": before + amount, "adjustment": amount, "ledger_key": entry.key},
        reason=reason,
    )
    db.session.flush()
    reevaluate(store, [member], now=now)
    return entry


def _vip_state(member: Member) -> dict:
    return {"vip": bool(member.vip), "vip_until": member.vip_until.isoformat() if member.vip_until else None}


def invite_to_vip(
    store: Store, member: Member, reason: str, *, actor: str, now: datetime | None = None, days: int = INVITATION_DAYS
) -> VipPeriod:
    """Make a member VIP for `days` (an `invited` period starting now)."""
    now = _now(now)
    _check_booking(store, member, "invite a member to VIP")
    reason = _reason(reason)
    before = _vip_state(member)
    period = VipPeriod(member_id=member.id, source="invited", start=now, end=now + timedelta(days=days), reason=reason)
    db.session.add(period)
    db.session.flush()
    reevaluate(store, [member], now=now)
    record_audit(
        actor,
        "member.vip_invite",
        _target(member),
        store_id=store.id,
        before=before,
        after={**_vip_state(member), "invited_until": period.end.isoformat()},
        reason=reason,
    )
    db.session.flush()
    return period


def remove_from_vip(store: Store, member: Member, reason: str, *, actor: str, now: datetime | None = None) -> bool:
    """End every VIP period that covers `now` (invited, paid or qualified) at
    `now`, then re-plan. Returns whether the member is still VIP afterwards
    (the engine may qualify them again from their orders)."""
    now = _now(now)
    _check_booking(store, member, "end a member's VIP")
    reason = _reason(reason)
    before = _vip_state(member)
    periods = db.session.execute(db.select(VipPeriod).where(VipPeriod.member_id == member.id)).scalars().all()
    ended = []
    for period in periods:
        if period.start <= now and (period.end is None or period.end > now):
            ended.append(
                {
                    "source": period.source,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat() if period.end else None,
                }
            )
            period.end = now
    if not ended and not member.vip:
        raise ActionRefused("This member is not VIP.")
    db.session.flush()
    reevaluate(store, [member], now=now)
    record_audit(
        actor,
        "member.vip_remove",
        _target(member),
        store_id=store.id,
        before={**before, "ended": ended},
        after=_vip_state(member),
        reason=reason,
    )
    db.session.flush()
    return bool(member.vip)


def resend_coupon(store: Store, coupon: Coupon, *, actor: str, reason: str = "") -> Coupon:
    """Put a coupon the store refused back in the outbox (status `pending`).

    The store's last error is kept in the audit row (the coupon row's error is
    cleared so the list shows the new attempt's outcome, not a stale one).
    """
    if coupon.store_id != store.id:
        raise ActionRefused("This coupon belongs to another store.")
    if coupon.status != "failed":
        raise ActionRefused(
            f"Only a coupon that failed to reach the store can be re-sent (this one is {coupon.status})."
        )
    before = {"status": coupon.status, "last_error": coupon.last_error, "push_attempts": coupon.push_attempts}
    coupon.status = "pending"
    coupon.push_attempts = 0
    coupon.last_error = ""
    record_audit(
        actor,
        "coupon.resend",
        f"coupon:{coupon.code}",
        store_id=store.id,
        before=before,
        after={"status": "pending"},
        reason=(reason or "re-send after a failed push").strip()[:1000],
    )
    db.session.flush()
    return coupon


def anonymise(store: Store, member: Member, reason: str, *, actor: str, now: datetime | None = None) -> Member:
    """Remove a member's personal data on request, keeping the books whole.

    Email becomes `anonymised-<id>@invalid`; names, address, meta and
    birthday are cleared; the same email replaces theirs on the member's
    coupons and orders (whose billing address is cleared too). Ledger rows,
    points and order amounts are untouched, so every total stays right. The
    audit row names the fields cleared, never their old values.
    """
    now = _now(now)
    _check(store, member)
    reason = _reason(reason)
    if member.anonymised_at is not None:
        raise ActionRefused("This member is anonymised already.")
    placeholder = f"anonymised-{member.id}@invalid"
    member.email = placeholder
    member.first_name = ""
    member.last_name = ""
    member.billing_address = ""
    member.meta = {}
    member.birthday = None
    member.anonymised_at = now
    coupons = db.session.execute(
        db.update(Coupon)
        .where(Coupon.member_id == member.id)
        .values(email=placeholder)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    orders = db.session.execute(
        db.update(Order)
        .where(Order.member_id == member.id)
        .values(email=placeholder, billing_address="")
        .execution_options(synchronize_session="fetch")
    ).rowcount
    record_audit(
        actor,
        "member.anonymise",
        _target(member),
        store_id=store.id,
        before={"fields": ["email", "first_name", "last_name", "billing_address", "meta", "birthday"]},
        after={"email": placeholder, "anonymised_at": now.isoformat(), "coupons": coupons, "orders": orders},
        reason=reason,
    )
    db.session.flush()
    return member
