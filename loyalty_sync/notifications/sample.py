"""A sample member's email, for the panel's live preview and its "send a
test email" button (Settings > Member emails): the same `compose` and
`render` a real email goes through, with a made-up member (Anna, 120
points), a made-up coupon and links that lead nowhere, so the shop owner
sees exactly what a member would, before saving and without a member.

Nothing here is added to the database session: the sample's rows are
transient objects, and the settings may be ones not saved yet.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app

from loyalty_sync.books.outbox import shop_zone
from loyalty_sync.models import Coupon, EmailSettings, Member, OutboxMessage, Store
from loyalty_sync.notifications.branding import branding_of
from loyalty_sync.notifications.content import Letter, compose
from loyalty_sync.notifications.delivery import deliver
from loyalty_sync.notifications.message import build_message, message_id
from loyalty_sync.notifications.overrides import Words, drafting
from loyalty_sync.notifications.render import RenderedEmail, render
from loyalty_sync.notifications.sender import sender_address
from loyalty_sync.notifications.smtp_config import smtp_config

SAMPLE_LINK = "https://example.invalid/your-member-page"
SAMPLE_UNSUBSCRIBE = "https://example.invalid/unsubscribe"
_PAYLOADS = {
    "points_earned": {"points": 40},
    "coupon_ready": {"coupon_key": "sample"},
    "points_expiring": {"points": 60},
    "tier_up": {"tier": "Gold"},
}


def sample_email(
    store: Store, settings: EmailSettings, kind: str, locale: str, words: Words | None, now: datetime
) -> RenderedEmail:
    """The email Anna would get, with `words` (not saved yet) in place of the saved ones."""
    shop = settings.shop_name or store.shop_name or store.name
    letter = Letter(
        shop_name=shop,
        currency=store.currency,
        locale=locale,
        zone=shop_zone(store),
        first_name="Anna",
        page_url=SAMPLE_LINK,
        unsubscribe_url=SAMPLE_UNSUBSCRIBE,
    )
    payload = dict(_PAYLOADS.get(kind, {}))
    if kind == "points_expiring":
        payload["expires_on"] = (now + timedelta(days=settings.expiry_reminder_days or 14)).date().isoformat()
    row = OutboxMessage(store_id=store.id, kind=kind, payload=payload)
    member = Member(store_id=store.id, first_name="Anna", points=120)
    coupon = Coupon(
        code="LOY-SAMPLE-5OFF",
        discount_type="fixed_cart",
        amount=Decimal("5.00"),
        minimum_amount=Decimal("0"),
        free_shipping=False,
        expires_at=now + timedelta(days=30),
    )
    with drafting(kind, locale, words or Words()):
        content = compose(row, member, letter, coupon=coupon, now=now)
    return render(
        content,
        shop_name=shop,
        page_url=SAMPLE_LINK,
        unsubscribe_url=SAMPLE_UNSUBSCRIBE,
        branding=branding_of(settings),
    )


def send_sample(store: Store, settings: EmailSettings, rendered: RenderedEmail, to: str, now: datetime) -> str:
    """Hands the sample to the configured SMTP server (raises `SmtpNotConfigured`
    or a `delivery.DeliveryFailure`); returns where it went, for the panel."""
    config = smtp_config(current_app.config)
    address = sender_address(settings)
    message = build_message(
        rendered,
        sender_name=settings.sender_name or settings.shop_name or store.shop_name or store.name,
        sender_address=address,
        to=to,
        msg_id=message_id(store.id, f"test:{uuid.uuid4().hex}", address),
        unsubscribe_url=SAMPLE_UNSUBSCRIBE,
        now=now,
    )
    deliver(config, message)
    return config.describe()
