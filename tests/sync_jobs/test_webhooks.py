"""The webhook intake over real HTTP, with woosim as the store (it signs and
delivers like WooCommerce 10: ping on creation, signed deliveries later)."""

import base64
import hashlib
import hmac
import json

import pytest
import requests

from loyalty_sync.extensions import db
from loyalty_sync.models import WebhookEvent
from tests.support.stores import store_on
from tests.sync_jobs.worker_support import WEBHOOK_SECRET, served, wait_for
from woosim.testing import WooSimServer

SECRET = "whsec-test-secret"


def sign(raw: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def wc_headers(raw: bytes, topic: str = "order.updated", signature: str | None = None) -> dict:
    resource, _, event = topic.partition(".")
    return {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/10.0.2 Hookshot (WordPress/6.8.8)",
        "X-WC-Webhook-Source": "http://shop.test/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": signature if signature is not None else sign(raw),
        "X-WC-Webhook-ID": "1",
        "X-WC-Webhook-Delivery-ID": "e4b8cbfd0ef6d838bb89f3f3203c373f",
    }


@pytest.fixture
def sim():
    with WooSimServer(seed="demo", customers=5, orders=20) as sim:
        yield sim


@pytest.fixture
def base(app, sim):
    store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    with served(app) as url:
        yield url


def post(base, raw: bytes, headers: dict, store: str = "shop"):
    session = requests.Session()
    session.trust_env = False
    return session.post(f"{base}/webhooks/woocommerce/{store}", data=raw, headers=headers, timeout=10)


ORDER = {"id": 21, "status": "on-hold", "date_modified_gmt": "2026-11-23T17:13:42", "customer_id": 0}


def test_forged_signature_is_401_and_stores_nothing(base):
    raw = json.dumps(ORDER).encode()
    answer = post(base, raw, wc_headers(raw, signature=sign(raw, "not-the-secret")))
    assert answer.status_code == 401 and answer.json() == {"error": "invalid signature"}
    tampered = post(base, raw.replace(b"on-hold", b"completed"), wc_headers(raw))
    assert tampered.status_code == 401
    assert db.session.execute(db.select(WebhookEvent)).first() is None


def test_unsigned_delivery_is_401(base):
    raw = json.dumps(ORDER).encode()
    headers = wc_headers(raw)
    del headers["X-WC-Webhook-Signature"]
    assert post(base, raw, headers).status_code == 401
    # a JSON body with no WooCommerce headers at all is no ping either
    assert post(base, raw, {"Content-Type": "application/json"}).status_code == 401
    assert db.session.execute(db.select(WebhookEvent)).first() is None


def test_ping_is_answered_200(base):
    answer = post(
        base,
        b"webhook_id=7",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "WooCommerce/10.0.2 Hookshot (WordPress/6.8.8)",
        },
    )
    assert answer.status_code == 200
    assert db.session.execute(db.select(WebhookEvent)).first() is None


def test_unknown_store_is_404_and_huge_body_is_413(app, base):
    raw = json.dumps(ORDER).encode()
    assert post(base, raw, wc_headers(raw), store="nope").status_code == 404
    app.config["WEBHOOK_MAX_BYTES"] = 1000
    big = json.dumps({**ORDER, "note": "x" * 5000}).encode()
    answer = post(base, big, wc_headers(big))
    assert answer.status_code == 413


def test_signed_delivery_is_stored_once_and_answered_at_once(base):
    raw = json.dumps(ORDER).encode()
    first = post(base, raw, wc_headers(raw))
    assert first.status_code == 200 and first.json()["ok"] is True
    again = post(base, raw, wc_headers(raw))  # WooCommerce's delivery ids are not unique; we dedupe on content
    assert again.status_code == 200 and again.json().get("duplicate") is True
    events = db.session.execute(db.select(WebhookEvent)).scalars().all()
    assert [(e.topic, e.resource, e.resource_id, e.modified[:20], e.processed_at) for e in events] == [
        ("order.updated", "order", 21, "2026-11-23T17:13:42#", None)
    ]
    # another state saved in the same second (dates have one-second precision) is not a duplicate
    changed = json.dumps({**ORDER, "status": "completed"}).encode()
    assert post(base, changed, wc_headers(changed)).json().get("event")
    ignored = post(base, b'{"id": 5}', wc_headers(b'{"id": 5}', topic="product.updated"))
    assert ignored.status_code == 200 and ignored.json().get("ignored") == "product.updated"


def test_webhooks_install_registers_the_six_topics_once(runner, base, sim):
    """order.deleted (the trash) and order.restored too (issue 16: trashed orders kept their points)."""
    for _attempt in range(2):
        result = runner.invoke(args=["webhooks", "install", "--store", "shop", "--url", base + "/"])
        assert result.exit_code == 0, result.output
        assert SECRET not in result.output
    assert "0 created, 6 kept" in result.output
    hooks = sim.state.webhooks.values()
    assert sorted((h["topic"], h["delivery_url"], h["status"]) for h in hooks) == sorted(
        (topic, f"{base}/webhooks/woocommerce/shop", "active")
        for topic in (
            "order.created",
            "order.updated",
            "order.deleted",
            "order.restored",
            "customer.created",
            "customer.updated",
        )
    )
    assert all(h["secret"] == SECRET for h in hooks)
    pings = wait_for(lambda: [d for d in sim.control.webhook_deliveries() if d["topic"] == "ping"], 5, message="pings")
    assert len(pings) == 6 and all(p["status_code"] == 200 for p in pings)
