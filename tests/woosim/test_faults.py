"""Each fault kind, nth/rate selection, and the request log."""

from __future__ import annotations

import json
import time

import pytest
import requests

from woosim.faults import FaultRule, parse_spec
from woosim.testing import WooSimServer

from .conftest import client


def test_spec_parsing_and_rate_is_seeded():
    (r,) = parse_spec("rate=0.5;kinds=429,500;seed=7")
    (r2,) = parse_spec("rate=0.5;kinds=429,500;seed=7")
    assert [r.pick("GET", "/wp-json/wc/v3/orders") for _ in range(50)] == [
        r2.pick("GET", "/wp-json/wc/v3/orders") for _ in range(50)
    ]
    with pytest.raises(ValueError):
        FaultRule.parse("kinds=nope")


@pytest.mark.parametrize("kind,status", [("429", 429), ("500", 500), ("502", 502), ("503", 503)])
def test_error_kinds_on_nth_request(sim, api, kind, status):
    sim.control.set_faults(f"nth=2;kinds={kind};retry_after=3")
    assert api.get("orders").status_code == 200
    r = api.get("orders")
    assert r.status_code == status
    if kind in ("429", "503"):
        assert r.headers["Retry-After"] == "3"
    assert api.get("orders").status_code == 200


def test_garbled_truncated_slow_timeout_down(sim, api):
    sim.control.set_faults("kinds=garbled")
    r = api.get("system_status")
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.text)
    sim.control.set_faults("kinds=truncated")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.get("system_status")
    sim.control.set_faults("kinds=slow;delay=0.3")
    t = time.time()
    assert api.get("orders").status_code == 200 and time.time() - t >= 0.3
    sim.control.set_faults("kinds=timeout;hang=1.5")
    with pytest.raises(requests.exceptions.ReadTimeout):
        client(sim, timeout=0.5).get("orders")
    sim.control.set_faults("kinds=down")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get("orders")
    sim.control.clear_faults()
    assert api.get("orders").status_code == 200


def test_path_prefix_rate_and_request_counts():
    with WooSimServer(faults="path=/wp-json/wc/v3/customers;rate=1;kinds=500") as sim:
        api = client(sim)
        assert api.get("orders").status_code == 200
        assert api.get("customers").status_code == 500
        counts = sim.control.request_counts()
        assert counts == {"GET /wp-json/wc/v3/orders": 1, "GET /wp-json/wc/v3/customers": 1}
        log = sim.control.requests()["log"]
        assert [e["fault"] for e in log] == [None, "500"]
        assert "oauth_signature=REDACTED" in log[0]["query"]
        sim.control.clear_requests()
        assert sim.control.requests()["total"] == 0
