"""Member emails: the outbox, each store's email settings, and who asked for
no more emails.

The outbox works like the coupons table: a row is written in the same
transaction as the event that causes it (a coupon booked, points earned, an
expiry found by the daily upkeep) and sent later by the worker
(`loyalty_sync.notifications.sender`). Its idempotency key is unique per
store, so booking the same event twice (a re-plan, a replayed webhook, two
writers racing) can never queue two messages: the second writer fails on
the key, rolls back and re-plans (`books.apply.apply_with_retry`).

The settings and the preference live here and not on `Store` / `Member`:
whether a shop emails its members is a concern of its own.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.models.types import JSONDoc, UTCDateTime, utcnow
from loyalty_sync.extensions import db

EMAIL_KINDS = (
    "coupon_ready",
    "points_earned",
    "points_expiring",
    "tier_up",
    "tier_at_risk",
    "vip_welcome",
    "birthday",
    "campaign_coupon",
    "referral_reward",
    "nps_invite",
)
# queued: waits for its time (and, for a coupon, for the coupon to be in the store);
# sending: claimed by a worker; sent: the SMTP server accepted it; bounced: refused for good (5xx);
# failed: gave up after the retries; suppressed: not sent on purpose (unsubscribed, coupon gone...).
OUTBOX_STATUSES = ("queued", "sending", "sent", "bounced", "failed", "suppressed")


class EmailSettings(db.Model):
    """A store's member emails. Off until the shop turns them on: a store
    connected for the first time must not email its whole customer list."""

    __tablename__ = "email_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    shop_name: Mapped[str] = mapped_column(String(200), default="")  # "": the shop's name in WordPress
    sender_name: Mapped[str] = mapped_column(String(200), default="")  # "": the shop name
    sender_address: Mapped[str] = mapped_column(String(254), default="")  # "": MAIL_DEFAULT_SENDER
    language: Mapped[str] = mapped_column(String(10), default="")  # "": STOREFRONT_LANGUAGES / en
    coupon_ready: Mapped[bool] = mapped_column(Boolean, default=True)
    points_earned: Mapped[bool] = mapped_column(Boolean, default=True)
    points_expiring: Mapped[bool] = mapped_column(Boolean, default=True)
    tier_up: Mapped[bool] = mapped_column(Boolean, default=True)
    tier_at_risk: Mapped[bool] = mapped_column(Boolean, default=True)
    vip_welcome: Mapped[bool] = mapped_column(Boolean, default=True)
    birthday: Mapped[bool] = mapped_column(Boolean, default=True)  # off: a birthday coupon comes as coupon_ready
    campaign_coupon: Mapped[bool] = mapped_column(Boolean, default=True)
    referral_reward: Mapped[bool] = mapped_column(Boolean, default=True)
    nps_invite: Mapped[bool] = mapped_column(Boolean, default=True)
    expiry_reminder_days: Mapped[int] = mapped_column(Integer, default=14)
    tier_risk_days: Mapped[int] = mapped_column(Integer, default=14)  # "keep your tier" this many days before
    per_minute: Mapped[int] = mapped_column(Integer, default=60)  # the store's rate limit
    # Outgoing signed webhooks (notifications/webhook_out.py): every event the emails know, POSTed as JSON
    # to the shop's Klaviyo/Mailchimp/Zapier hook. "": none. The secret is write-only (never shown back).
    webhook_url: Mapped[str] = mapped_column(String(500), default="")
    webhook_secret: Mapped[str] = mapped_column(String(128), default="")
    # Branding (checked by `notifications.branding` when saved): "" means the neutral default look.
    logo_url: Mapped[str] = mapped_column(String(500), default="")  # https only
    brand_colour: Mapped[str] = mapped_column(String(7), default="")  # "#rrggbb"
    footer_text: Mapped[str] = mapped_column(Text, default="")  # plain text: the shop's address...

    def sends(self, kind: str) -> bool:
        return bool(self.enabled and getattr(self, kind, False))

    @property
    def hooks(self) -> bool:
        """Events go to the shop's webhook too (whatever the emails' switches: a shop may mail through
        its own tool instead)."""
        return bool(self.webhook_url and self.webhook_secret)

    def channels(self, kind: str) -> tuple[str, ...]:
        """Where an event of `kind` goes: "email", "webhook", both or neither."""
        return (("email",) if self.sends(kind) else ()) + (("webhook",) if self.hooks else ())


class EmailTemplateOverride(db.Model):
    """A shop's own words for one kind of email in one language: the subject
    and the intro paragraph, plain text with placeholders from
    `notifications.overrides.PLACEHOLDERS` (never HTML). "" keeps the default."""

    __tablename__ = "email_template_overrides"
    __table_args__ = (UniqueConstraint("store_id", "kind", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300), default="")
    intro: Mapped[str] = mapped_column(Text, default="")


class OutboxMessage(db.Model):
    __tablename__ = "email_outbox"
    __table_args__ = (
        UniqueConstraint("store_id", "key"),
        Index("ix_email_outbox_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # "email" (SMTP) or "webhook" (the shop's endpoint): one outbox, one claim/retry/back-off for both.
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    # The idempotency key: "<kind>:m<member>:<event ref>" ("webhook:" before it on the webhook channel),
    # unique in the store; also the Message-ID, and the webhook's X-Loyalty-Delivery.
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailOptOut(db.Model):
    """A member who unsubscribed (one click in any of our emails). Deleting
    the row subscribes again."""

    __tablename__ = "email_opt_outs"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
