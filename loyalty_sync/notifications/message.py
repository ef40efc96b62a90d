"""The MIME message of one outbox row, built by `email.message.EmailMessage`
(multipart/alternative: plain text first, then HTML).

The `Message-ID` is made from the row's idempotency key, so a message sent
again after a crash (see `sender`) is the same message to every mail system
that de-duplicates by it.
"""

from __future__ import annotations

import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime

from loyalty_sync.notifications.render import RenderedEmail


def message_id(store_id: int, key: str, sender_address: str) -> str:
    domain = sender_address.rpartition("@")[2] or "loyalty-sync.invalid"
    digest = hashlib.sha256(f"{store_id}:{key}".encode()).hexdigest()[:32]
    return f"<loyalty.{store_id}.{digest}@{domain}>"


def build_message(
    rendered: RenderedEmail,
    *,
    sender_name: str,
    sender_address: str,
    to: str,
    msg_id: str,
    unsubscribe_url: str,
    now: datetime,
) -> EmailMessage:
    message = EmailMessage()
    user, _, domain = sender_address.partition("@")
    message["From"] = Address(display_name=sender_name, username=user, domain=domain)
    message["To"] = to
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = msg_id
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
