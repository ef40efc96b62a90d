"""The on-site widget's endpoints (/widget/v1) with the Flask test client:
the shop's signature is the only key; every refusal has a code; CORS for the
shop's origin only; redeem is idempotent and closed while the store is in
review; no secret in any answer."""
from __future__ import annotations

import time

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon
from loyalty_sync.signed_identity import sign_identity
from tests.support.members import make_registered_member

SHOP = "http://127.0.0.1:9"  # the OFFLINE store's url: its origin is the shop's


def identity(store, customer_id=7, email="anna@example.com", ts=None, secret=None) -> dict:
    ts = int(time.time()) if ts is None else ts
    signature = sign_identity(secret or store.widget_secret, store.id, customer_id, email, ts)
    return {"customer": customer_id, "email": email, "ts": ts, "signature": signature}


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == code
    return response


def test_smoke(client, store, anna):
    r = client.post(f"/widget/v1/stores/{store.id}/member", json={**identity(store), "lang": "de", "cart_total": "49.90"})
    print(r.get_json())
    assert r.status_code == 200
    r = client.get(f"/widget/v1/stores/{store.id}/program?cart_total=20")
    print(r.get_json())
    assert r.status_code == 200
