"""One-click unsubscribe (RFC 8058): every email carries `List-Unsubscribe:
<https://.../u/<token>>` and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click`; a POST to that address (the mail client's
button) or the form on its page flips the member's preference.

The token is an itsdangerous signature (SECRET_KEY, its own salt) over
(store id, member id) that never expires: an unsubscribe link in a year-old
email must still work. It only ever allows switching emails off (and back
on from the same page), so a leaked link costs nothing but emails.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from loyalty_sync.books.member_links import LinkInvalid, public_base_url
from loyalty_sync.extensions import db
from loyalty_sync.models import EmailOptOut, Member

SALT = "loyalty-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(store_id: int, member_id: int) -> str:
    return _serializer().dumps([store_id, member_id])


def read_unsubscribe_token(token: str) -> tuple[int, int]:
    try:
        payload = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid("this link is not valid") from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in payload)
    ):
        raise LinkInvalid("this link is not valid")
    return payload[0], payload[1]


def unsubscribe_url(store_id: int, member_id: int) -> str | None:
    base = public_base_url()
    return f"{base}/u/{unsubscribe_token(store_id, member_id)}" if base else None


def member_for_token(token: str) -> Member:
    store_id, member_id = read_unsubscribe_token(token)
    member = db.session.get(Member, member_id)
    if member is None or member.store_id != store_id:
        raise LinkInvalid("this link is not valid")
    return member


def set_subscribed(member: Member, subscribed: bool, *, now: datetime | None = None) -> None:
    """Idempotent; the caller commits."""
    row = db.session.get(EmailOptOut, member.id)
    if subscribed and row is not None:
        db.session.delete(row)
    elif not subscribed and row is None:
        db.session.add(EmailOptOut(member_id=member.id, store_id=member.store_id, at=now or datetime.now(timezone.utc)))
