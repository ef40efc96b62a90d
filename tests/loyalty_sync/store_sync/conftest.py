"""The store of the end-to-end sync scenarios: a fresh woosim per test, or a
real WooCommerce store with LOYALTY_REAL_STORE=1 and WC_URL/WC_CONSUMER_KEY/
WC_CONSUMER_SECRET (tests/support/real_store.py; `make conformance`).

`store_requests` lists the requests the product sent (method, endpoint,
params), on either store.

Marks: `woosim_only(reason)` for a scenario that needs what only woosim has
(its control API: seeding, faults, request logs, backdating), skipped against
a real store; `real_store_xfail(reason)` for a known failure against the real
store only (strict xfail there)."""

import functools

import pytest

from loyalty_sync.woocommerce import client as client_module
from tests.support.real_store import (
    OwnRecords,
    RecordedTransport,
    ScopedTransport,
    TransportAPI,
    new_tag,
    real_store_settings,
)
from tests.support.store_api import StoreScript
from tests.support.stores import make_store

REAL_STORE = real_store_settings()


def pytest_configure(config):
    config.addinivalue_line("markers", "woosim_only(reason): needs woosim's control API; skipped on a real store")
    config.addinivalue_line("markers", "real_store_xfail(reason): known failure against a real store (strict)")


@pytest.fixture(autouse=True)
def _which_store(request):
    if REAL_STORE is None:
        return
    only = request.node.get_closest_marker("woosim_only")
    if only:
        pytest.skip(f"woosim only: {only.kwargs.get('reason') or (only.args or [''])[0]}")
    known = request.node.get_closest_marker("real_store_xfail")
    if known:
        request.applymarker(pytest.mark.xfail(strict=True, reason=known.kwargs.get("reason", "")))


@pytest.fixture
def own_records():
    return OwnRecords()


@pytest.fixture
def shop(request, own_records):
    if REAL_STORE is None:
        sim = request.getfixturevalue("woosim")
        yield StoreScript(sim.url, sim.key, sim.secret, advance_clock=sim.control.advance_clock)
        return
    url, key, secret = REAL_STORE
    transport = ScopedTransport(own_records, None, url, key, secret, timeout=60)
    yield StoreScript(url, key, secret, tag=new_tag(), api=TransportAPI(transport))
    left = own_records.clean_up(transport)
    transport.close()
    assert not left, f"records left in the real store: {left}"


@pytest.fixture
def store_requests():
    return []


@pytest.fixture
def store(request, app, shop, own_records, store_requests, monkeypatch):
    """Our Store row for the scenario's store. Against a real store the
    product's transport is scoped to the test's records, like the shop's."""
    if REAL_STORE is None:
        monkeypatch.setattr(client_module, "WooCommerceTransport", functools.partial(RecordedTransport, store_requests))
        return request.getfixturevalue("sim_store")
    url, key, secret = REAL_STORE
    monkeypatch.setattr(
        client_module, "WooCommerceTransport", functools.partial(ScopedTransport, own_records, store_requests)
    )
    app.config.update(STORE_BACKOFF_BASE=0.2, STORE_BACKOFF_MAX=2, STORE_TIMEOUT_SECONDS=60)
    return make_store("real", url, key, secret)
