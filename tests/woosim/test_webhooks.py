"""Webhook ping on create, signed asynchronous deliveries, disabling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from .conftest import Receiver


def test_ping_then_signed_delivery_with_state_at_send_time(sim, api, receiver):
    r = api.post("webhooks", {"name": "orders", "topic": "order.updated", "delivery_url": receiver.url, "secret": "s3"})
    assert r.status_code == 201
    w = r.json()
    assert w["status"] == "active" and w["date_modified"] is None and "secret" not in w
    assert w["hooks"] == ["woocommerce_update_order", "woocommerce_order_refunded"]
    ping = receiver.requests[0]  # synchronous: already there when the POST returned
    assert ping["raw"] == f"webhook_id={w['id']}".encode()
    hdrs = dict(ping["headers"])
    assert not any(k.lower().startswith("x-wc-webhook") for k in hdrs)
    assert hdrs["Content-Type"] == "application/x-www-form-urlencoded"
    assert api.get(f"webhooks/{w['id']}").json()["date_modified"] is not None

    o = api.post("orders", {"billing": {"email": "g@example.com"}}).json()
    api.put(f"orders/{o['id']}", {"status": "on-hold"})
    api.put(f"orders/{o['id']}", {"customer_note": "second edit, deduplicated"})
    receiver.wait(2)
    time.sleep(0.3)
    assert len(receiver.requests) == 2  # ping + one delivery for two quick edits
    d = receiver.requests[1]
    h = dict(d["headers"])
    assert h["X-WC-Webhook-Topic"] == "order.updated" and h["X-WC-Webhook-Resource"] == "order"
    assert h["X-WC-Webhook-Event"] == "updated" and h["X-WC-Webhook-ID"] == str(w["id"])
    assert h["X-WC-Webhook-Source"] == sim.url + "/"
    assert h["User-Agent"] == "WooCommerce/10.0.2 Hookshot (WordPress/6.8.8)"
    assert len(h["X-WC-Webhook-Delivery-ID"]) == 32
    expect = base64.b64encode(hmac.new(b"s3", d["raw"], hashlib.sha256).digest()).decode()
    assert h["X-WC-Webhook-Signature"] == expect
    assert b"\\/" in d["raw"]  # PHP json_encode escaping
    body = json.loads(d["raw"])
    assert body["customer_note"] == "second edit, deduplicated" and body["status"] == "on-hold"
    assert body.keys() == api.get(f"orders/{o['id']}").json().keys()
    log = sim.control.webhook_deliveries()
    assert [x["topic"] for x in log] == ["ping", "order.updated"] and log[1]["ok"]


def test_failed_ping_leaves_webhook_disabled(api):
    bad = Receiver(status=500)
    try:
        w = api.post("webhooks", {"topic": "order.created", "delivery_url": bad.url}).json()
        assert w["status"] == "disabled"
        api.post("orders", {"billing": {"email": "x@example.com"}})
        time.sleep(0.3)
        assert len(bad.requests) == 1  # only the ping
    finally:
        bad.close()


def test_disabled_after_more_than_five_failures_never_retried(sim, api):
    rcv = Receiver()
    try:
        w = api.post("webhooks", {"topic": "customer.created", "delivery_url": rcv.url}).json()
        rcv.status = 503
        for i in range(7):
            api.post("customers", {"email": f"c{i}@example.com"})
            rcv.wait(2 + i, timeout=3)
        time.sleep(0.3)
        assert len(rcv.requests) == 1 + 6  # ping + 6 failed deliveries, the 7th not sent
        assert api.get(f"webhooks/{w['id']}").json()["status"] == "disabled"
    finally:
        rcv.close()
