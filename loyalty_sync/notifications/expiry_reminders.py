""" "Your points expire in N days" (EmailSettings.expiry_reminder_days, 14 by
default), found by the daily upkeep with the same rules as the expiring
points report (`analysis.expiring.expiring_lines`: the engine's own expiry
run ahead in time) and written into the outbox in the upkeep's transaction.

One reminder per member and expiry date (the key's event ref), so the daily
upkeep finding the same points again tomorrow queues nothing new; points of
a later date get their own reminder when their time comes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from loyalty_sync.analysis.expiring import expiring_lines
from loyalty_sync.books.member_books import load_books
from loyalty_sync.books.outbox import Outbox
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store


def queue_expiry_reminders(store: Store, now: datetime | None = None) -> int:
    """Queue the reminders due now; the caller commits. Returns how many were queued."""
    now = now or datetime.now(timezone.utc)
    outbox = Outbox(store, now)
    if not outbox.wants("points_expiring"):
        return 0
    _, program = program_in_force(store)
    if program.expiry_mode == "none":
        return 0
    days = max(1, int(outbox.settings.expiry_reminder_days or 14))
    members = list(
        db.session.execute(
            db.select(Member)
            .where(Member.store_id == store.id, Member.merged_into_id.is_(None), Member.points > 0, Member.email != "")
            .order_by(Member.id)
        ).scalars()
    )
    queued = 0
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        loaded = load_books(chunk)
        for member in chunk:
            lines = [line for line in expiring_lines(loaded.books[member.id], program, now, days) if line.at > now]
            points = -sum(line.points for line in lines)
            if points <= 0:
                continue
            first = min(line.at for line in lines)
            expires_on = first.astimezone(outbox.zone).date().isoformat()
            queued += outbox.add(member, "points_expiring", expires_on, {"points": points, "expires_on": expires_on})
    return queued
