"""Who the shop says its customer is: the on-site widget's identity.

The widget never holds an API token. The shop's own server (the WordPress
companion plugin, or a theme snippet) signs the logged-in customer with the
store's widget secret, and the browser carries that signature to this app:

    message   = "v1|{store_id}|{customer_id}|{email}|{ts}"
    signature = hex(HMAC-SHA256(widget_secret, message))

`email` is lower-cased and trimmed, `customer_id` is WooCommerce's customer
id (a positive integer) and `ts` the Unix time of signing. A signature is
good for MAX_AGE (a page left open for a day asks for a reload) and may be
at most FUTURE_SKEW ahead of our clock. Any other store's secret, a changed
field or an old signature is refused; which of these it was is named, so the
widget can say "please reload the page" rather than "not a member".
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

VERSION = "v1"
MAX_AGE = timedelta(hours=24)
FUTURE_SKEW = timedelta(minutes=5)


class IdentityRefused(ValueError):
    """`reason`: malformed, tampered, expired or future."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"the signed customer identity was refused: {reason}")


@dataclass(frozen=True)
class SignedIdentity:
    store_id: int
    customer_id: int
    email: str
    ts: int
    signature: str


def identity_message(store_id: int, customer_id: int, email: str, ts: int) -> bytes:
    return f"{VERSION}|{store_id}|{customer_id}|{email.strip().lower()}|{ts}".encode()


def sign_identity(secret: str, store_id: int, customer_id: int, email: str, ts: int) -> str:
    return hmac.new(secret.encode(), identity_message(store_id, customer_id, email, ts), hashlib.sha256).hexdigest()


def read_identity(store_id, customer_id, email, ts, signature) -> SignedIdentity:
    """The identity from request values (strings), or IdentityRefused('malformed')."""
    try:
        store, customer, stamp = int(store_id), int(customer_id), int(ts)
    except (TypeError, ValueError):
        raise IdentityRefused("malformed") from None
    if (
        store < 1
        or customer < 1
        or not isinstance(email, str)
        or "@" not in email
        or not isinstance(signature, str)
        or len(signature) != 64
    ):
        raise IdentityRefused("malformed")
    return SignedIdentity(store, customer, email.strip().lower(), stamp, signature.lower())


def verify_identity(secret: str, identity: SignedIdentity, now: datetime | None = None) -> None:
    """Raises IdentityRefused unless `secret` signed `identity` recently."""
    if not secret:
        raise IdentityRefused("tampered")  # a store without a widget secret signs nothing
    expected = sign_identity(secret, identity.store_id, identity.customer_id, identity.email, identity.ts)
    if not hmac.compare_digest(expected, identity.signature):
        raise IdentityRefused("tampered")
    now = now or datetime.now(timezone.utc)
    signed = datetime.fromtimestamp(identity.ts, timezone.utc) if 0 < identity.ts < 2**33 else None
    if signed is None or signed > now + FUTURE_SKEW:
        raise IdentityRefused("future" if signed is not None else "malformed")
    if now - signed > MAX_AGE:
        raise IdentityRefused("expired")
