"""StoreClient over real HTTP against woosim (OAuth1 on http, Basic on https)."""

import logging
import math
from datetime import datetime, timedelta, timezone

import pytest
from woo_fakes import FakeSleep

from loyalty_sync.woocommerce import (
    NotWooCommerce,
    StoreClient,
    StorePermissionDenied,
    StoreRejectedKeys,
    StoreUnreachable,
    incremental_order_params,
)
from woosim.testing import WooSimServer

ORDERS = 1234
CUSTOMERS = 250


@pytest.fixture(scope="module")
def sim():
    with WooSimServer(seed="demo", customers=CUSTOMERS, orders=ORDERS) as server:
        yield server


@pytest.fixture
def store(sim):
    """A client on the shared simulator, with faults and request counts reset."""
    sim.control.clear_faults()
    sim.control.clear_requests()
    with StoreClient(sim.url, sim.key, sim.secret, timeout=5, sleep=FakeSleep()) as client:
        yield client
    sim.control.clear_faults()


def _list_requests(sim, resource):
    return sim.control.request_counts().get(f"GET /wp-json/wc/v3/{resource}", 0)


@pytest.mark.parametrize("resource, n", [("orders", ORDERS), ("customers", CUSTOMERS)])
def test_full_listing_reads_every_record_once_in_order_with_ceil_n_over_100_requests(sim, store, resource, n):
    ids = [record["id"] for record in store.iter_records(resource)]

    assert len(ids) == len(set(ids)) == n
    assert ids == sorted(ids)
    assert _list_requests(sim, resource) == store.requests_made == math.ceil(n / 100)


def test_an_empty_store_costs_one_request_and_yields_nothing():
    with WooSimServer() as empty, StoreClient(empty.url, empty.key, empty.secret) as client:
        assert list(client.iter_pages("orders")) == []
        assert client.count("customers") == 0
        assert client.requests_made == 2


def test_concurrent_listing_matches_a_sequential_one(sim, store):
    with StoreClient(sim.url, sim.key, sim.secret, concurrency=1) as sequential:
        expected = [r["id"] for r in sequential.iter_records("orders", {"status": "completed"})]
    with StoreClient(sim.url, sim.key, sim.secret, concurrency=8) as wide:
        assert [r["id"] for r in wide.iter_records("orders", {"status": "completed"})] == expected
    assert store.count("orders", {"status": "completed"}) == len(expected)


@pytest.mark.parametrize("kind", ["429", "500", "502", "503", "timeout", "garbled", "truncated", "down"])
def test_each_fault_kind_is_survived_with_the_right_data(sim, kind):
    with StoreClient(sim.url, sim.key, sim.secret, concurrency=1) as clean:
        expected = [r["id"] for r in clean.iter_records("customers")]
    sim.control.set_faults(f"nth=1,3;kinds={kind};hang=3")
    timeout = 1.5 if kind == "timeout" else 10  # the store hangs 3 s; a loaded machine still answers in 1.5
    try:
        with StoreClient(sim.url, sim.key, sim.secret, timeout=timeout, sleep=FakeSleep()) as client:
            got = [r["id"] for r in client.iter_records("customers")]
            assert got == expected
            assert client.requests_made == math.ceil(CUSTOMERS / 100) + 2
    finally:
        sim.control.clear_faults()


def test_a_mix_of_faults_still_gives_the_full_listing_and_every_retry_is_logged(sim, caplog):
    with StoreClient(sim.url, sim.key, sim.secret) as clean:
        expected = [r["id"] for r in clean.iter_records("orders")]
    sim.control.clear_requests()
    sim.control.set_faults("rate=0.3;kinds=429,500,502,503,garbled,truncated,down;seed=3")
    sleep = FakeSleep()
    try:
        with (
            caplog.at_level(logging.WARNING, logger="loyalty_sync.woocommerce"),
            StoreClient(sim.url, sim.key, sim.secret, sleep=sleep, max_attempts=10) as client,
        ):
            assert [r["id"] for r in client.iter_records("orders")] == expected
    finally:
        sim.control.clear_faults()
    retries = client.requests_made - math.ceil(ORDERS / 100)
    assert retries > 0
    logged = [r for r in caplog.records if r.name == "loyalty_sync.woocommerce"]
    assert len(sleep.waits) == len(logged) == retries
    assert sim.control.requests(limit=0)["total"] == client.requests_made
    assert sim.secret not in caplog.text


def test_retry_after_from_the_store_is_waited_for(sim):
    sim.control.set_faults("nth=1;kinds=429;retry_after=4")
    sleep = FakeSleep()
    with StoreClient(sim.url, sim.key, sim.secret, sleep=sleep) as client:
        client.store_info()
    assert sleep.waits == [4.0]


def test_wrong_secret_is_rejected_keys_and_no_secret_is_shown_or_logged(sim, caplog):
    wrong = "cs_" + "0" * 40
    with caplog.at_level(logging.DEBUG), StoreClient(sim.url, sim.key, wrong) as client:
        with pytest.raises(StoreRejectedKeys) as raised:
            client.store_info()
    assert client.requests_made == 1
    assert raised.value.code == "woocommerce_rest_authentication_error"
    for text in (str(raised.value), repr(raised.value), caplog.text):
        assert wrong not in text and sim.secret not in text


def test_unknown_key_is_rejected_keys(sim):
    with pytest.raises(StoreRejectedKeys, match="Consumer key is invalid"):
        StoreClient(sim.url, "ck_" + "1" * 40, sim.secret).get("orders")


def test_a_read_only_key_writing_is_permission_denied(sim):
    key, secret = sim.control.add_key("read")
    with StoreClient(sim.url, key, secret) as client:
        assert client.count("customers") == CUSTOMERS
        with pytest.raises(StorePermissionDenied, match="read-only"):
            client.post("coupons", {"code": "nope", "discount_type": "percent", "amount": "5"})


def test_a_path_that_is_not_the_store_is_not_woocommerce(sim):
    with pytest.raises(NotWooCommerce):
        StoreClient(sim.url + "/blog", sim.key, sim.secret).store_info()


def test_batch_of_250_coupons_takes_three_requests_and_reports_duplicates(sim, store):
    codes = [f"LOYAL-{i:03d}" for i in range(250)]
    codes[150] = "loyal-010"  # the same code, lower case, in an earlier chunk
    store.post("coupons", {"code": "loyal-200", "discount_type": "percent", "amount": "5"})

    result = store.batch("coupons", create=[{"code": c, "discount_type": "percent", "amount": "10"} for c in codes])

    assert sim.control.request_counts()["POST /wp-json/wc/v3/coupons/batch"] == 3
    assert sorted((e.index, e.code) for e in result.errors) == [
        (150, "woocommerce_rest_coupon_code_already_exists"),
        (200, "woocommerce_rest_coupon_code_already_exists"),
    ]
    assert len(result.created) == 248
    assert {c["code"] for c in result.created} == {c.lower() for i, c in enumerate(codes) if i not in (150, 200)}


def test_incremental_order_params_are_understood_by_the_store(sim, store):
    since = datetime.now(timezone.utc) - timedelta(days=30)
    changed = [o for o in store.iter_records("orders", incremental_order_params(since))]
    assert changed, "the demo seed has orders in the last 30 days"
    assert all(o["date_modified_gmt"] > since.strftime("%Y-%m-%dT%H:%M:%S") for o in changed)
    assert [o["id"] for o in changed] == sorted(o["id"] for o in changed)
    assert len(changed) == store.count("orders", incremental_order_params(since))


def test_https_with_the_stores_ca_works_and_an_untrusted_certificate_is_unreachable():
    with WooSimServer(tls=True, customers=3, seed="demo") as tls_sim:
        with StoreClient(tls_sim.url, tls_sim.key, tls_sim.secret, verify=tls_sim.ca_path) as client:
            assert client.count("customers") == 3  # Basic auth over https
        with StoreClient(tls_sim.url, tls_sim.key, tls_sim.secret, max_attempts=3) as untrusted:
            with pytest.raises(StoreUnreachable, match="certificate"):
                untrusted.store_info()
            assert untrusted.requests_made == 1


def test_a_dead_store_is_unreachable_after_the_attempts(sim):
    with WooSimServer() as doomed:
        url = doomed.url
    with StoreClient(url, "ck_x", "cs_y", max_attempts=3, backoff_base=0.01) as client:
        with pytest.raises(StoreUnreachable, match="3 attempts"):
            client.get("orders")
    assert client.requests_made == 3


@pytest.mark.parametrize(
    "resource, params",
    [
        ("coupons", {"code": "summer/25"}),
        ("customers", {"email": "a/b@example.com"}),
        ("coupons", {"code": "50%2Foff"}),
        ("coupons", {"code": "a b+c~d*e(1)"}),
    ],
)
def test_query_values_with_slashes_or_percent_signs_are_signed_as_woocommerce_checks(store, resource, params):
    """Over http WooCommerce rawurlencodes every value before checking the
    OAuth signature, `/` included, and never decodes it twice; the
    `woocommerce` package signs `/` unencoded and decodes `%2F` once more, so
    a real 10.0.2 store refused these with 401 "Invalid signature" (measured
    2026-12-07; woosim now verifies as the store does)."""
    assert store.get(resource, params) == []


def test_the_packages_own_sending_signs_the_same_way(sim):
    from loyalty_sync.woocommerce.transport import WooCommerceTransport

    transport = WooCommerceTransport(sim.url, sim.key, sim.secret, reuse_connections=False)
    try:
        assert transport.request("GET", "coupons", {"code": "summer/25"}, None).status_code == 200
    finally:
        transport.close()
