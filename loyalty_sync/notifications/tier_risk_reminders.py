""" "Keep your tier": the member will drop a tier unless they order, found by
the daily upkeep with the same forecast as the at-risk list
(`analysis.at_risk.tier_at_risk`: old orders leaving the rolling window,
then the grace period) and written into the outbox in the upkeep's
transaction, `EmailSettings.tier_risk_days` (14) before the demotion.

One email per member, tier and demotion date (the key's event ref): the
upkeep finding the same forecast tomorrow queues nothing new; an order that
moves the date, then a new risk, gets its own.
"""

from __future__ import annotations

from datetime import datetime, timezone

from loyalty_sync.analysis.at_risk import tier_at_risk
from loyalty_sync.books.outbox import Outbox
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store


def queue_tier_risk_reminders(store: Store, now: datetime | None = None) -> int:
    """Queue the reminders due now; the caller commits. Returns how many were queued."""
    now = now or datetime.now(timezone.utc)
    outbox = Outbox(store, now)
    if not outbox.wants("tier_at_risk"):
        return 0
    _, program = program_in_force(store)
    days = max(1, int(outbox.settings.tier_risk_days or 14))
    queued = 0
    for row in tier_at_risk(store, now, days):
        member = db.session.get(Member, row["member_id"])
        payload = {
            "tier": row["tier"],
            "drops_to": row["drops_to"],
            "drops_on": row["drops_on"],
            "short": row["short"],  # spend: "12.50" (money_text); orders or points: a whole number
            "metric": program.tier_metric,
        }
        queued += outbox.add(member, "tier_at_risk", f"{row['tier']}:{row['drops_on']}", payload)
    return queued
