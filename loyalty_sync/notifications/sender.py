"""Sending the outbox: claim a row, make its email, hand it to SMTP, mark it.

One row, three commits:
1. claim: `queued` -> `sending` (a conditional UPDATE: of two workers, the
   one whose UPDATE changed the row sends; the other skips it), attempts + 1;
2. SMTP: the server answers 250 to DATA (`delivery.deliver`);
3. mark: `sending` -> `sent` (or `bounced` on a 5xx, or back to `queued`
   with a back-off on anything transient, `failed` after `MAX_ATTEMPTS`).

A crash (a killed worker, a machine gone) leaves the row `sending`. After
`EMAIL_CLAIM_SECONDS` (300 s, well above the SMTP timeout, so the claim of a
worker still talking to the server is never taken over), `release_stale_claims`
puts it back to `queued`, and it is sent again. So:
- killed before the server accepted (the common case: rendering, connecting,
  transferring): the message is sent exactly once, after the restart;
- killed in the window between the server's 250 and our commit (one
  database round trip): the member may get the message twice. We chose this
  (at least once) over marking such rows "unknown" and never sending them
  (at most once): a lost reward-coupon email costs the member a reward, and
  the copy is recognisable: it has the same `Message-ID` (made from the
  idempotency key, `message.message_id`), which mail stores and clients that
  de-duplicate (Gmail among them) fold into one. SMTP has no way to ask a
  server whether it has a message already, so no sender can close this
  window (RFC 1047); we keep it one commit wide.

What is not sent on purpose is marked `suppressed` with the reason: the
member unsubscribed (checked again at sending, not only when the row was
written), was anonymised or merged, the store turned the kind off, the
coupon was used or expired before its email left. A coupon email waits
(`queued`, without spending an attempt) until the coupon is in the store,
so the code works when the member reads it.

Rate limit: at most `EmailSettings.per_minute` emails per store in any
60 seconds; the rest wait for the next run.

The outgoing webhooks are rows of the same outbox (`channel="webhook"`,
`webhook_out.py`): claimed, retried, given up and suppressed by the same
rules; only the last step differs (a signed POST instead of SMTP), and the
rate limit is the emails' alone. A dead endpoint costs one short timeout
per due row and then waits its back-off: the emails go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import func, update

from loyalty_sync.books.member_links import member_url
from loyalty_sync.books.outbox import email_settings, is_unsubscribed, shop_zone
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, EmailSettings, Member, NpsAnswer, OutboxMessage, Store
from loyalty_sync.notifications.branding import branding_of
from loyalty_sync.notifications.content import Letter, NothingToSay, NotYet, compose
from loyalty_sync.notifications.delivery import PermanentFailure, TransientFailure, deliver
from loyalty_sync.notifications.i18n import email_locale
from loyalty_sync.notifications.message import build_message, message_id
from loyalty_sync.notifications.render import render
from loyalty_sync.notifications.smtp_config import SmtpNotConfigured, smtp_config
from loyalty_sync.notifications.unsubscribe import unsubscribe_url
from loyalty_sync.notifications.webhook_out import (
    DEFAULT_TIMEOUT_SECONDS,
    WebhookRequest,
    post_webhook,
    webhook_body,
    webhook_request,
)
from loyalty_sync.redaction import redact

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 50
COUPON_WAIT = timedelta(days=7)  # a coupon not in the store after a week: its email is dropped
NOT_YET_DELAY = timedelta(seconds=30)


@dataclass
class SendOutcome:
    sent: int = 0
    bounced: int = 0
    retry: int = 0
    failed: int = 0
    suppressed: int = 0
    waiting: int = 0
    released: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.bounced} bounced, {self.retry} to retry, {self.failed} failed, "
            f"{self.suppressed} suppressed, {self.waiting} waiting, {self.released} released after a crash"
        )


def claim_seconds() -> float:
    return float(current_app.config.get("EMAIL_CLAIM_SECONDS", 300))


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes (EMAIL_RETRY_BASE_SECONDS), at most 6 hours."""
    base = float(current_app.config.get("EMAIL_RETRY_BASE_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def max_attempts() -> int:
    return int(current_app.config.get("EMAIL_MAX_ATTEMPTS", MAX_ATTEMPTS))


# --- what is due -------------------------------------------------------------------------------------


def _due(now: datetime):
    return (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now)


def has_due_messages(now: datetime | None = None) -> bool:
    now = now or datetime.now(timezone.utc)
    stale = now - timedelta(seconds=claim_seconds())
    found = db.session.execute(
        db.select(OutboxMessage.id)
        .where(_due(now) | ((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale)))
        .limit(1)
    ).first()
    return found is not None


def release_stale_claims(now: datetime) -> int:
    """Rows claimed by a worker that died: back to the queue (see the module
    docstring), or `failed` once they have had all their attempts (a message
    that kills its worker every time must not be retried for ever)."""
    stale = (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - timedelta(seconds=claim_seconds()))
    given_up = db.session.execute(
        update(OutboxMessage)
        .where(stale, OutboxMessage.attempts >= max_attempts())
        .values(status="failed", last_error="the worker stopped while sending it, every attempt")
        .execution_options(synchronize_session=False)
    ).rowcount
    result = db.session.execute(
        update(OutboxMessage)
        .where(stale)
        .values(
            status="queued",
            next_attempt_at=now,
            last_error="the worker stopped while sending: sent again (same Message-ID)",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount or given_up:
        log.warning(
            "%d email(s) left claimed by a stopped worker are queued again, %d given up", result.rowcount, given_up
        )
    return result.rowcount


def send_due(*, now: datetime | None = None, limit: int = BATCH, send: Callable | None = None) -> SendOutcome:
    """Send what is due, all stores, up to `limit` messages (the rest: next run)."""
    now = now or datetime.now(timezone.utc)
    outcome = SendOutcome(released=release_stale_claims(now))
    ids = db.session.execute(
        db.select(OutboxMessage.id, OutboxMessage.store_id, OutboxMessage.channel)
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    quota: dict[int, int] = {}
    for row_id, store_id, channel in ids:
        if channel == "email":  # the rate limit is the mail server's concern; the shop's endpoint has its own
            if store_id not in quota:
                quota[store_id] = _quota(store_id, now)
            if quota[store_id] <= 0:
                continue
        if not claim(row_id, now):
            continue
        if channel == "email":
            quota[store_id] -= 1
        send_claimed(row_id, now, outcome, send=send or deliver)
    db.session.commit()
    return outcome


def _quota(store_id: int, now: datetime) -> int:
    settings = email_settings(store_id)
    per_minute = settings.per_minute if settings is not None and settings.per_minute > 0 else 60
    recent = db.session.execute(
        db.select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.store_id == store_id,
            OutboxMessage.channel == "email",
            ((OutboxMessage.status == "sent") & (OutboxMessage.sent_at > now - timedelta(seconds=60)))
            | (OutboxMessage.status == "sending"),
        )
    ).scalar_one()
    return per_minute - recent


def claim(row_id: int, now: datetime) -> bool:
    """`queued` -> `sending`, committed; False if another worker got there first."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == "queued")
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


# --- one message ---------------------------------------------------------------------------------------


def send_claimed(row_id: int, now: datetime, outcome: SendOutcome, *, send: Callable = deliver) -> None:
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    webhook = row.channel == "webhook"
    try:
        email = _make_webhook(row, now) if webhook else _make_email(row, now)
    except NothingToSay as exc:
        _finish(row, "suppressed", str(exc), outcome)
        return
    except NotYet as exc:
        row.status, row.attempts, row.next_attempt_at = "queued", row.attempts - 1, now + NOT_YET_DELAY
        row.last_error = str(exc)
        db.session.commit()
        outcome.waiting += 1
        return
    except (SmtpNotConfigured, TransientFailure) as exc:
        _retry_or_fail(row, str(exc), now, outcome)
        return
    except Exception as exc:  # noqa: BLE001 - a bug in one email must not stop the others
        log.exception("email %s (%s) could not be made", row.id, row.kind)
        _retry_or_fail(row, f"internal error: {exc!r}", now, outcome)
        return
    message, config = email
    try:
        if webhook:
            post_webhook(message)
        else:
            send(config, message)
    except PermanentFailure as exc:
        _finish(row, "bounced", str(exc), outcome)
        return
    except TransientFailure as exc:
        _retry_or_fail(row, str(exc), now, outcome)
        return
    except Exception as exc:  # noqa: BLE001 - not the server's answer: ours to retry, then to give up
        log.exception("email %s (%s) could not be handed to SMTP", row.id, row.kind)
        _retry_or_fail(row, redact(f"internal error: {exc!r}"), now, outcome)
        return
    row.status, row.sent_at, row.last_error = "sent", now, ""  # the run's clock, as the rate limit reads it
    row.subject = (f"POST {row.kind}" if webhook else str(message["Subject"]))[:300]
    db.session.commit()
    outcome.sent += 1
    log.info("email %s (%s) of store #%s sent", row.id, row.kind, row.store_id)


def _make_email(row: OutboxMessage, now: datetime):
    store = db.session.get(Store, row.store_id)
    settings = email_settings(row.store_id)
    member = db.session.get(Member, row.member_id)
    if settings is None or not settings.sends(row.kind):
        raise NothingToSay("the store does not send these emails (any more)")
    _check_member(member)
    coupon = _coupon_of(row, now)
    if row.kind == "nps_invite" and _answered(row):
        raise NothingToSay("the member answered the survey already")
    letter = _letter(store, settings, member, now, survey=row.kind == "nps_invite")
    content = compose(row, member, letter, coupon=coupon, now=now)
    rendered = render(
        content,
        shop_name=letter.shop_name,
        page_url=letter.page_url,
        unsubscribe_url=letter.unsubscribe_url,
        branding=branding_of(settings),
    )
    config = smtp_config(current_app.config)
    address = sender_address(settings)
    message = build_message(
        rendered,
        sender_name=settings.sender_name or letter.shop_name,
        sender_address=address,
        to=member.email,
        msg_id=message_id(row.store_id, row.key, address),
        unsubscribe_url=letter.unsubscribe_url,
        now=now,
    )
    row.to_address = member.email
    return message, config


def _make_webhook(row: OutboxMessage, now: datetime) -> tuple[WebhookRequest, None]:
    """The signed request of a webhook row, from the books as they are now (the same rules as an
    email: the member unsubscribed, gone or merged: nothing; a coupon event waits for the coupon)."""
    store = db.session.get(Store, row.store_id)
    settings = email_settings(row.store_id)
    member = db.session.get(Member, row.member_id)
    if settings is None or not settings.hooks:
        raise NothingToSay("the store has no webhook (any more)")
    _check_member(member)
    coupon = _coupon_of(row, now)
    links = {"page_url": member_url(store.id, member.id, "page", now=now)}
    if row.kind == "nps_invite":
        if _answered(row):
            raise NothingToSay("the member answered the survey already")
        links["survey_url"] = member_url(store.id, member.id, "survey", now=now)
    body = webhook_body(row, store, member, links, coupon, now)
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    return webhook_request(row, settings.webhook_url, settings.webhook_secret, body, now, timeout), None


def _check_member(member: Member | None) -> None:
    if member is None or member.anonymised_at is not None or member.merged_into_id is not None or not member.email:
        raise NothingToSay("the member is gone, anonymised or merged")
    if is_unsubscribed(member.id):
        raise NothingToSay("the member unsubscribed")


def sender_address(settings: EmailSettings) -> str:
    return settings.sender_address or str(current_app.config.get("MAIL_DEFAULT_SENDER") or "loyalty@localhost")


COUPON_KINDS = ("coupon_ready", "campaign_coupon")  # no coupon, no email


def _coupon_of(row: OutboxMessage, now: datetime) -> Coupon | None:
    """The coupon the email is about: required for a coupon email; a birthday
    email goes without one that was used or never reached the store."""
    if row.kind in COUPON_KINDS:
        return _coupon(row, now)
    if row.kind == "birthday" and row.payload.get("coupon_key"):
        try:
            return _coupon(row, now)
        except NothingToSay:
            return None
    return None


def _answered(row: OutboxMessage) -> bool:
    start = date.fromisoformat(row.payload["period_start"])
    found = db.session.execute(
        db.select(NpsAnswer.id).filter_by(member_id=row.member_id, period_start=start).limit(1)
    ).first()
    return found is not None


def _coupon(row: OutboxMessage, now: datetime) -> Coupon:
    coupon = db.session.execute(
        db.select(Coupon).filter_by(store_id=row.store_id, key=row.payload.get("coupon_key"))
    ).scalar_one_or_none()
    if coupon is None:
        raise NothingToSay("the coupon is not in the books")
    if coupon.status in ("used", "expired") or (coupon.expires_at is not None and coupon.expires_at <= now):
        raise NothingToSay(f"the coupon is {coupon.status if coupon.status != 'pushed' else 'expired'} already")
    if coupon.status != "pushed":
        if row.created_at < now - COUPON_WAIT:
            raise NothingToSay("the coupon never reached the store")
        raise NotYet("waiting for the coupon to be in the store")
    return coupon


def _letter(store: Store, settings: EmailSettings, member: Member, now: datetime, *, survey: bool = False) -> Letter:
    page = member_url(store.id, member.id, "page", now=now)
    survey_url = (member_url(store.id, member.id, "survey", now=now) or "") if survey else ""
    unsubscribe = unsubscribe_url(store.id, member.id)
    if not page or not unsubscribe:
        raise TransientFailure(
            "LOYALTY_PUBLIC_BASE_URL is not set: an email needs the member page and unsubscribe links"
        )
    languages = current_app.config.get("STOREFRONT_LANGUAGES") or {}
    return Letter(
        shop_name=settings.shop_name or store.shop_name,  # the email settings' name, else WordPress' site name
        currency=store.currency,
        locale=email_locale(settings.language, languages.get(store.name)),
        zone=shop_zone(store),
        first_name=member.first_name,
        page_url=page,
        unsubscribe_url=unsubscribe,
        survey_url=survey_url,
    )


def _finish(row: OutboxMessage, status: str, reason: str, outcome: SendOutcome) -> None:
    row.status, row.last_error = status, redact(reason)[:2000]
    db.session.commit()
    setattr(outcome, status, getattr(outcome, status) + 1)
    log.info("email %s (%s) of store #%s %s: %s", row.id, row.kind, row.store_id, status, redact(reason)[:200])


def _retry_or_fail(row: OutboxMessage, reason: str, now: datetime, outcome: SendOutcome) -> None:
    if row.attempts >= max_attempts():
        _finish(row, "failed", f"gave up after {row.attempts} attempts: {reason}", outcome)
        return
    row.status, row.next_attempt_at, row.last_error = "queued", now + retry_delay(row.attempts), redact(reason)[:2000]
    db.session.commit()
    outcome.retry += 1
    log.info("email %s (%s) of store #%s to retry: %s", row.id, row.kind, row.store_id, redact(reason)[:200])
