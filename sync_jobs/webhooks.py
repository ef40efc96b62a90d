"""The WooCommerce webhook intake: `POST /webhooks/woocommerce/<store name>`.

WooCommerce never retries a delivery (FACTS.md), so the answer must be fast
and durable: the delivery is verified, stored as a `WebhookEvent`
(deduplicated on store/resource/id/date_modified plus a digest of the
content, never on the delivery id),
committed, handed to the worker (PostgreSQL: a Procrastinate job with a
per-store queueing lock; SQLite: the worker polls the table every second)
and answered 200. Applying and pushing happen in the worker.

- Signature: `X-WC-Webhook-Signature` = base64(HMAC-SHA256(raw body, the
  store's webhook secret)), compared in constant time; anything else is 401.
- The ping sent when a webhook is created (form body `webhook_id=N`, no
  `X-WC-Webhook-*` headers, no signature) is answered 200 and stores nothing.
- `order.deleted` (the trash) carries only `{"id": N}`; the worker reads the
  order. Topics other than order.* / customer.* created/updated/restored are
  acknowledged (200) and ignored, so WooCommerce does not disable the hook.

The blueprint is exempt from the admin's CSRF protection (it is signed by
the store instead): by name in admin's CSRF_EXEMPT_BLUEPRINTS, and through
`csrf.exempt` when the extension is present at registration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import fits_db_int
from loyalty_sync.models import Store, WebhookEvent
from sync_jobs.queue import uses_procrastinate
from sync_jobs.tasks import defer_webhooks

log = logging.getLogger(__name__)

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")

DEFAULT_MAX_BYTES = 2 * 1024 * 1024  # an order with hundreds of lines is ~200 kB
HANDLED = {
    ("order", "created"),
    ("order", "updated"),
    ("order", "deleted"),
    ("order", "restored"),
    ("customer", "created"),
    ("customer", "updated"),
}
_PING = re.compile(rb"^webhook_id=\d{1,20}$")


@blueprint.record_once
def _exempt_from_csrf(state) -> None:
    csrf = state.app.extensions.get("csrf")
    if csrf is not None and hasattr(csrf, "exempt"):
        csrf.exempt(blueprint)


def _error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _rejected(store: Store, topic: str, reason: str):
    """A correctly signed delivery we can never use. Answered 200 with the
    reason, not 4xx: WooCommerce counts every non-2xx answer as a failed
    delivery and disables the webhook after 5 in a row
    (class-wc-webhook.php, `failed_delivery`), which would lose the good
    deliveries that follow. Logged, so the shop owner can see it."""
    log.warning("signed webhook %r for %s rejected: %s", topic[:60], store.name, reason)
    return jsonify({"ok": False, "rejected": reason})


def signature_of(secret: str, raw: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def dedupe_key(payload: dict, delivery_id: str = "") -> str:
    """What makes two deliveries "the same": the object's date_modified *and* its content.

    Dates have one-second precision, so two different states saved in the same
    second share a date; a digest of the content tells them apart, while a
    repeated delivery of the same state (payloads are built at send time) is
    still recognised. Fits the 40 characters of `WebhookEvent.modified`."""
    when = str(payload.get("date_modified_gmt") or payload.get("date_modified") or "")[:19]
    content = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    if not when:
        # `order.deleted` is only `{"id": N}` (real store): a later trash of the
        # same order must be a new event. WooCommerce's delivery id is a hash
        # of the webhook and the second it was sent, so it tells them apart
        # (and a repeat of one delivery stays a duplicate).
        content += "|" + delivery_id
    digest = hashlib.sha256(content.encode()).hexdigest()
    return f"{when}#{digest[:16]}"


def _read_body(limit: int) -> bytes | None:
    """The raw body, or None if it is larger than `limit` (checked before reading when announced)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    raw = request.stream.read(limit + 1)
    return None if len(raw) > limit else raw


@blueprint.post("/woocommerce/<store_name>")
def woocommerce(store_name: str):
    limit = int(current_app.config.get("WEBHOOK_MAX_BYTES", DEFAULT_MAX_BYTES))
    raw = _read_body(limit)
    if raw is None:
        log.warning("webhook for %r refused: body over %d bytes", store_name[:80], limit)
        return _error(413, f"body too large (limit {limit} bytes)")
    store = db.session.execute(db.select(Store).filter_by(name=store_name)).scalar_one_or_none()
    if store is None:
        return _error(404, "unknown store")

    given = request.headers.get("X-WC-Webhook-Signature", "")
    has_wc_headers = any(name.lower().startswith("x-wc-webhook-") for name, _value in request.headers.items())
    if not has_wc_headers and _PING.match(raw.strip()):
        log.info("webhook ping for %s (%s) answered", store.name, raw.strip().decode())
        return jsonify({"ok": True, "ping": True})
    if not given or not store.webhook_secret:
        log.warning("unsigned webhook for %s refused", store.name)
        return _error(401, "missing signature")
    if not hmac.compare_digest(signature_of(store.webhook_secret, raw).encode(), given.strip().encode()):
        log.warning("webhook for %s refused: signature does not match", store.name)
        return _error(401, "invalid signature")

    topic = request.headers.get("X-WC-Webhook-Topic", "")
    resource, _, event_name = topic.partition(".")
    if (resource, event_name) not in HANDLED:
        log.info("webhook %r for %s acknowledged and ignored", topic[:60], store.name)
        return jsonify({"ok": True, "ignored": topic[:60]})
    try:
        payload = json.loads(raw)
        modified = (
            dedupe_key(payload, request.headers.get("X-WC-Webhook-Delivery-ID", "")[:100])
            if isinstance(payload, dict)
            else ""
        )
    except (ValueError, UnicodeDecodeError):
        return _rejected(store, topic, "body is not JSON")
    except RecursionError:
        return _rejected(store, topic, "body is nested too deeply")
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int) or payload["id"] <= 0:
        return _rejected(store, topic, "body is not a WooCommerce resource (no id)")
    if not fits_db_int(payload["id"]):
        return _rejected(store, topic, "resource id out of range")

    event = WebhookEvent(
        store_id=store.id,
        topic=topic[:60],
        resource=resource,
        resource_id=payload["id"],
        modified=modified,
        payload=payload,
        attempts=0,
        error="",
    )
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError:  # the same object at the same date_modified: delivered before
        db.session.rollback()
        log.info("webhook %s %s of %s is a duplicate; ignored", topic, payload["id"], store.name)
        return jsonify({"ok": True, "duplicate": True})
    event_id, store_id, name = event.id, store.id, store.name
    log.info("webhook %s %s of %s stored as event %s", topic, payload["id"], name, event_id)
    _dispatch(store_id, name)
    return jsonify({"ok": True, "event": event_id})


def _dispatch(store_id: int, store_name: str) -> None:
    """PostgreSQL: a job for the store (one waits at most; it takes every pending
    event). SQLite: nothing, the worker polls. A failed defer loses nothing:
    the event is stored and the worker's periodic fan-out picks it up."""

    if not uses_procrastinate():
        return

    try:
        job_id = defer_webhooks(store_id)
    except Exception:
        log.exception("could not queue the webhook job of %s; the worker's next tick will", store_name)
        return
    if job_id is None:
        log.debug("webhook job of %s already queued", store_name)
