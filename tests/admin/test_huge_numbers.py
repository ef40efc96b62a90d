"""Huge integers and deep JSON are the client's error, never a 500 (issue 17).
PostgreSQL raises "integer out of range" where SQLite compares quietly, so
every URL runs on both backends (`app` is parametrised by backend)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from loyalty_sync.actions.api_tokens import create_token
from loyalty_sync.extensions import db
from loyalty_sync.models import WebhookEvent
from tests.admin.conftest import token_for
from tests.support.stores import make_store

HUGE = "99999999999999999999999"
BEYOND_INT64 = 2**63 + 5


def test_admin_urls_with_huge_numbers(admin_client):
    store = make_store()
    for url in (
        f"/admin/members/?min_points={HUGE}",
        f"/admin/members/?max_points=-{HUGE}",
        f"/admin/members/?page={HUGE}",
        f"/admin/members/?store={HUGE}",
        f"/admin/export/members.csv?min_points={HUGE}",
        f"/admin/export/ledger.csv?store={HUGE}",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        response.get_data()  # a streamed CSV fails while it is read
    for url in (
        f"/admin/members/{HUGE}/",
        f"/admin/campaigns/{HUGE}/",
        f"/admin/members/{2**31}/",
        f"/admin/campaigns/{HUGE}/progress.json",
    ):
        response = admin_client.get(url)
        assert response.status_code == 404 and "There is no such page" in response.get_data(as_text=True), url
    token = token_for(admin_client, f"/admin/campaigns/new/?store={store.id}")
    form = {
        "store": str(store.id),
        "segment": "hibernating",
        "discount_type": "fixed_cart",
        "amount": "5",
        "minimum_amount": "0",
        "expires_days": "30",
        "name": "x",
        "csrf_token": token,
    }
    for field, value in (
        ("min_points", HUGE),
        ("max_points", HUGE),
        ("expires_days", HUGE),
        ("amount", HUGE + "9"),
        ("minimum_amount", HUGE),
    ):
        response = admin_client.post("/admin/campaigns/new/confirm", data={**form, field: value})
        assert response.status_code == 422, (field, response.status_code)  # the form again, with the field's error
        assert (
            "too large" in response.get_data(as_text=True)
            or "at most" in response.get_data(as_text=True)
            or "from 1 to" in response.get_data(as_text=True)
        ), field


def test_api_with_huge_numbers(app, client):
    store = make_store()
    _token, text = create_token(store, "redeem", name="huge")
    db.session.commit()
    auth = {"Authorization": f"Bearer {text}"}
    for url in (f"/api/v1/members/{HUGE}", f"/api/v1/members/{HUGE}/ledger", f"/api/v1/members/{2**31}"):
        response = client.get(url, headers=auth)
        assert response.status_code == 404 and response.json["error"]["code"] == "unknown_member", url
    preview = client.post(
        "/api/v1/points-preview",
        headers=auth,
        json={"customer": HUGE, "lines": [{"product_id": 1, "quantity": 1, "total": "10.00"}]},
    )
    assert preview.status_code == 200, preview.get_data(as_text=True)
    preview = client.post(
        "/api/v1/points-preview",
        headers=auth,
        json={"lines": [{"product_id": BEYOND_INT64, "quantity": 1, "total": "10.00"}]},
    )
    assert preview.status_code in (400, 422) and "error" in preview.json


def _signed(store, body: bytes, topic: str = "order.updated") -> dict:
    signature = base64.b64encode(hmac.new(store.webhook_secret.encode(), body, hashlib.sha256).digest()).decode()
    resource, _, event = topic.partition(".")
    return {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": signature,
        "X-WC-Webhook-ID": "1",
    }


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"id": BEYOND_INT64, "status": "completed"}).encode(),
        json.dumps({"id": 2**31, "status": "completed"}).encode(),
        b"[" * 200_000 + b"]" * 200_000,
        b'{"id": 5, "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    ],
    ids=["beyond-int64", "beyond-int32", "deep-array", "deep-in-object"],
)
def test_signed_webhooks_we_cannot_use_are_acknowledged_not_failed(client, body):
    """2xx with the reason: WooCommerce disables a webhook after 5 non-2xx answers (4xx included)."""
    store = make_store()
    response = client.post(f"/webhooks/woocommerce/{store.name}", data=body, headers=_signed(store, body))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.json["ok"] is False and response.json["rejected"]
    assert db.session.execute(db.select(WebhookEvent)).first() is None
