"""--tls with the generated CA, and woosim as a subprocess."""

from __future__ import annotations

import pytest
import requests
from woocommerce import API

from woosim.testing import WooSimProcess, WooSimServer

from .conftest import plain_session

pytest.importorskip("cryptography")


def test_tls_server_trusted_with_generated_ca():
    with WooSimServer(tls=True) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        s = plain_session()
        r = s.get(sim.url + "/wp-json/wc/v3/orders", auth=(sim.key, sim.secret), verify=sim.ca_path)
        assert r.status_code == 200 and r.json() == []
        r = s.get(
            sim.url + "/wp-json/wc/v3/orders",
            verify=sim.ca_path,
            params={"consumer_key": sim.key, "consumer_secret": sim.secret, "per_page": 1},
        )
        assert r.status_code == 200
        r = s.get(sim.url + "/wp-json/wc/v3/orders", auth=(sim.key, "cs_wrong"), verify=sim.ca_path)
        assert r.status_code == 401 and r.json()["message"] == "Consumer secret is invalid."
        with pytest.raises(requests.exceptions.SSLError):
            s.get(sim.url + "/wp-json/wc/v3/orders", verify=True)
        api = API(
            url=sim.url.replace("127.0.0.1", "localhost"),
            consumer_key=sim.key,
            consumer_secret=sim.secret,
            version="wc/v3",
            verify_ssl=sim.ca_path,
            timeout=10,
        )
        assert api.get("system_status").json()["environment"]["version"] == "10.0.2"


def test_subprocess_starts_answers_and_dies_on_kill():
    p = WooSimProcess(seed="demo", customers=5, orders=50)
    try:
        r = plain_session().get(p.url + "/wp-json/wc/v3/orders", params={"per_page": 1})
        assert r.status_code == 401  # no OAuth: anonymous
        assert p.control.state()["orders_seeded"] == 50
        p.kill()
        with pytest.raises(requests.exceptions.ConnectionError):
            plain_session().get(p.url + "/__woosim/health", timeout=2)
    finally:
        p.stop()
