"""Outgoing signed webhooks: every event the member emails know, POSTed as
JSON to the shop's endpoint (Klaviyo, Mailchimp, Zapier...), so a shop can
mail through its own tool instead of ours.

The outbox's second channel, not a second queue: a row with
`channel="webhook"` is claimed, retried with back-off and given up after the
same attempts as an email (`sender`); its key (`webhook:<kind>:m<id>:<ref>`)
is sent as `X-Loyalty-Delivery`, so a receiver that sees one twice (we retry
when our commit after its 2xx was lost) can drop the copy.

The request:
- body: {"id", "kind", "store", "occurred_at", "sent_at", "member": {...},
  "data": {...}}; money as "2.13" strings (`money_text`);
- `X-Loyalty-Signature: sha256=<hex HMAC-SHA256 of the body, with the
  store's webhook secret>`; `X-Loyalty-Timestamp: <unix seconds>` (also
  `sent_at` in the signed body, so a receiver can refuse old replays).

A 2xx is delivered; 5xx, 408, 429, a timeout or no connection is retried;
any other answer is the endpoint refusing the event: recorded, not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

import requests

from loyalty_sync.engine.money import money_text, optional_money_text
from loyalty_sync.models import Coupon, Member, OutboxMessage, Store
from loyalty_sync.notifications.delivery import PermanentFailure, TransientFailure

RETRY_STATUSES = (408, 429)
DEFAULT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: dict[str, str]
    timeout: float = DEFAULT_TIMEOUT_SECONDS


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def coupon_data(coupon: Coupon) -> dict:
    return {
        "code": coupon.code,
        "discount_type": coupon.discount_type,
        "amount": money_text(coupon.amount),
        "minimum_amount": optional_money_text(coupon.minimum_amount),
        "free_shipping": bool(coupon.free_shipping),
        "expires_at": coupon.expires_at.isoformat() if coupon.expires_at else None,
    }


def webhook_body(row: OutboxMessage, store: Store, member: Member, links: dict, coupon: Coupon | None, now) -> bytes:
    data = {k: v for k, v in row.payload.items() if k != "lines"}
    if coupon is not None:
        data["coupon"] = coupon_data(coupon)
    document = {
        "id": row.key,
        "kind": row.kind,
        "store": store.name,
        "occurred_at": row.created_at.isoformat(),
        "sent_at": now.isoformat(),
        "member": {
            "id": member.id,
            "customer_id": member.customer_id or None,
            "email": member.email,
            "first_name": member.first_name,
            "points": member.points,
            "tier": member.tier,
            **links,
        },
        "data": data,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def webhook_request(
    row: OutboxMessage, url: str, secret: str, body: bytes, now: datetime, timeout: float
) -> WebhookRequest:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "loyalty-sync-webhooks",
        "X-Loyalty-Event": row.kind,
        "X-Loyalty-Delivery": row.key,
        "X-Loyalty-Timestamp": str(int(now.timestamp())),
        "X-Loyalty-Signature": signature(secret, body),
    }
    return WebhookRequest(url, body, headers, timeout)


def post_webhook(request: WebhookRequest) -> None:
    """POST it; raises TransientFailure (retry) or PermanentFailure (refused)."""
    try:
        answer = requests.post(
            request.url, data=request.body, headers=request.headers, timeout=request.timeout, allow_redirects=False
        )
    except requests.Timeout as exc:
        raise TransientFailure(f"the endpoint did not answer in {request.timeout:g} s") from exc
    except requests.RequestException as exc:
        raise TransientFailure(f"no connection to the endpoint: {type(exc).__name__}") from exc
    if 200 <= answer.status_code < 300:
        return
    said = answer.text[:200].strip()
    if answer.status_code >= 500 or answer.status_code in RETRY_STATUSES:
        raise TransientFailure(f"the endpoint answered {answer.status_code} {said}".strip())
    raise PermanentFailure(f"the endpoint refused the event: {answer.status_code} {said}".strip())
