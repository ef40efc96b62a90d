"""Member emails: the outbox, read only. What was sent, what waits and why,
what bounced (the server's 5xx answer) and what failed after its retries
(loyalty_sync/notifications/sender.py); the outgoing signed webhooks are rows of the
same outbox (channel "webhook", To: the endpoint's host; webhook_out.py). Errors are stored redacted: no SMTP
password reaches this page."""

from __future__ import annotations

from markupsafe import Markup, escape

from admin.store_picker import when_text
from admin.security import SecureModelView
from loyalty_sync.extensions import db
from loyalty_sync.models import OutboxMessage, Store

_COLOURS = {
    "sent": "success",
    "queued": "secondary",
    "sending": "info",
    "bounced": "danger",
    "failed": "danger",
    "suppressed": "dark",
}
KIND_NAMES = {
    "coupon_ready": "Reward coupon ready",
    "points_earned": "Points earned",
    "points_expiring": "Points expiring",
    "tier_up": "Tier up",
    "tier_at_risk": "Tier at risk",
    "vip_welcome": "VIP welcome",
    "birthday": "Birthday",
    "campaign_coupon": "Campaign coupon",
    "referral_reward": "Referral reward",
    "nps_invite": "NPS invite",
}


def _status(view, context, model, name):
    colour = _COLOURS.get(model.status, "secondary")
    return Markup(f'<span class="badge badge-{colour}" data-testid="email-status">{escape(model.status)}</span>')


def _when(view, context, model, name):
    value = getattr(model, name)
    return when_text(value) if value is not None else ""


def _error(view, context, model, name):
    if not model.last_error:
        return ""
    css = "text-danger" if model.status in ("bounced", "failed") else "text-muted"
    return Markup(f'<span class="{css} small" data-testid="email-error">{escape(model.last_error)}</span>')


def _store(view, context, model, name):
    store = db.session.get(Store, model.store_id)
    return store.name if store is not None else f"#{model.store_id}"


class OutboxView(SecureModelView):
    column_list = (
        "created_at",
        "store",
        "kind",
        "channel",
        "to_address",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    column_labels = {
        "created_at": "Queued",
        "to_address": "To",
        "channel": "Via",
        "next_attempt_at": "Next attempt",
        "sent_at": "Sent",
        "last_error": "Why / server's answer",
    }
    column_formatters = {
        "status": _status,
        "created_at": _when,
        "next_attempt_at": _when,
        "sent_at": _when,
        "last_error": _error,
        "store": _store,
        "kind": lambda v, c, m, n: KIND_NAMES.get(m.kind, m.kind),
    }
    column_searchable_list = ("to_address", "subject")
    column_filters = ("status", "kind", "channel", "store_id")
    column_sortable_list = ("created_at", "kind", "status", "attempts", "next_attempt_at", "sent_at")
    column_default_sort = ("id", True)
    column_descriptions = {
        "last_error": "Bounced: the mail server refused the address (5xx). Queued with an error: "
        "to be retried at the next attempt. Suppressed: not sent on purpose."
    }

    def __init__(self, **kwargs):
        super().__init__(OutboxMessage, db, **kwargs)
