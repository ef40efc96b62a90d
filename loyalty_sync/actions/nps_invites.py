""" "How likely are you to recommend us?": the NPS invite email, queued by the
daily upkeep once per survey period (`actions.nps`) for the members who can
answer it and have something to judge: an order in the current or the
previous period. One per member and period (the key's event ref is the
period's start); an answer given before the email leaves suppresses it
(`notifications.sender`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from loyalty_sync.actions.nps import bonus_points, period_days, period_start, survey_state
from loyalty_sync.books.history import in_review
from loyalty_sync.books.outbox import Outbox
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order, Store


def queue_nps_invites(store: Store, now: datetime | None = None) -> int:
    """Queue the invites due now; the caller commits. Returns how many were queued."""
    now = now or datetime.now(timezone.utc)
    outbox = Outbox(store, now)
    if not outbox.wants("nps_invite"):
        return 0
    start = period_start(now)
    since = datetime.combine(start, datetime.min.time(), tzinfo=timezone.utc) - timedelta(days=period_days())
    buyers = (
        db.select(Order.member_id)
        .where(Order.store_id == store.id, Order.created >= since, Order.member_id.is_not(None))
        .distinct()
    )
    members = db.session.execute(
        db.select(Member)
        .where(
            Member.store_id == store.id,
            Member.id.in_(buyers),
            Member.merged_into_id.is_(None),
            Member.anonymised_at.is_(None),
            Member.email != "",
        )
        .order_by(Member.id)
    ).scalars()
    bonus = 0 if in_review(store) else bonus_points()
    queued = 0
    for member in members:
        if not survey_state(member, now).can_answer:
            continue
        queued += outbox.add(
            member, "nps_invite", start.isoformat(), {"period_start": start.isoformat(), "bonus": bonus}
        )
    return queued
