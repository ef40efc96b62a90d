"""Signed, expiring links that show one member their status without a
password: the member page `/m/<token>` and the NPS survey `/s/<token>`.

A token is an itsdangerous signature (SECRET_KEY, one salt per kind) over
(store id, member id) and the time it was issued. The issue time is rounded
down to the renewal period (default 30 days), so the link is the same all
through a period: `books.store_status` can include it in the pushed customer
meta without flagging every member on every pass, and a member's link is
renewed (pushed anew, by the daily re-evaluation) when the period turns,
long before it expires (default 90 days).

Settings: PUBLIC_BASE_URL (env LOYALTY_PUBLIC_BASE_URL; unset: no link meta
is pushed), MEMBER_LINK_DAYS (90), MEMBER_LINK_RENEW_DAYS (30).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app, has_app_context
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

KINDS = {"page": ("loyalty-member-page", "m"), "survey": ("loyalty-nps-survey", "s")}
DEFAULT_LINK_DAYS = 90
DEFAULT_RENEW_DAYS = 30


class LinkInvalid(Exception):
    """Tampered, malformed or for another kind of page."""


class LinkExpired(LinkInvalid):
    """Signed by us, but older than the link lifetime."""


@dataclass(frozen=True)
class LinkTarget:
    store_id: int
    member_id: int
    issued_at: datetime


def _serializer(secret_key, salt: str, timestamp: int | None) -> URLSafeTimedSerializer:
    """A timed serializer whose clock is `timestamp` (issue time when signing,
    reading time when checking the age); None: the real clock."""

    class _Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp if timestamp is not None else int(time.time())

    return URLSafeTimedSerializer(secret_key, salt=salt, signer=_Signer)


def _config(name: str, default):
    return current_app.config.get(name, default) if has_app_context() else default


def link_days() -> int:
    return int(_config("MEMBER_LINK_DAYS", DEFAULT_LINK_DAYS))


def renew_days() -> int:
    days = int(_config("MEMBER_LINK_RENEW_DAYS", DEFAULT_RENEW_DAYS))
    return max(1, min(days, max(1, link_days() - 1)))


def issue_time(now: datetime) -> int:
    """The start of the renewal period `now` is in (epoch seconds)."""
    period = renew_days() * 86400
    return int(now.timestamp()) // period * period


def make_token(
    store_id: int, member_id: int, kind: str = "page", *, now: datetime | None = None, secret_key: str | None = None
) -> str:
    now = now or datetime.now(timezone.utc)
    salt, _ = KINDS[kind]
    serializer = _serializer(secret_key or current_app.config["SECRET_KEY"], salt, issue_time(now))
    return serializer.dumps([store_id, member_id])


def read_token(
    token: str, kind: str = "page", *, now: datetime | None = None, secret_key: str | None = None
) -> LinkTarget:
    """The member the token is for; raises LinkExpired or LinkInvalid."""
    salt, _ = KINDS[kind]
    clock = int(now.timestamp()) if now is not None else None
    serializer = _serializer(secret_key or current_app.config["SECRET_KEY"], salt, clock)
    try:
        payload, issued = serializer.loads(token, max_age=link_days() * 86400, return_timestamp=True)
    except SignatureExpired as exc:
        raise LinkExpired("this link has expired") from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid("this link is not valid") from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in payload)
    ):
        raise LinkInvalid("this link is not valid")
    return LinkTarget(payload[0], payload[1], issued)


def public_base_url() -> str:
    return str(_config("PUBLIC_BASE_URL", "") or "").rstrip("/")


def member_url(store_id: int, member_id: int, kind: str = "page", *, now: datetime | None = None) -> str | None:
    base = public_base_url()
    if not base:
        return None
    _, prefix = KINDS[kind]
    return f"{base}/{prefix}/{make_token(store_id, member_id, kind, now=now)}"


def status_links(member, *, now: datetime | None = None) -> dict:
    """The `loyalty_page_url` / `loyalty_survey_url` customer meta for
    `books.store_status`; empty when no public base URL is set."""
    if not has_app_context() or not public_base_url() or member.id is None:
        return {}
    return {
        "loyalty_page_url": member_url(member.store_id, member.id, "page", now=now),
        "loyalty_survey_url": member_url(member.store_id, member.id, "survey", now=now),
    }
