"""Listing: every record once, in order, with ceil(N/100) requests."""

import math
import random
import threading
from datetime import datetime, timedelta, timezone

import pytest
from woo_fakes import FakeStore, from_capture

from loyalty_sync.woocommerce import StoreRejectedKeys, incremental_order_params


@pytest.mark.parametrize("n", [0, 1, 99, 100, 101, 250, 1000])
def test_full_listing_returns_every_record_once_in_order_with_ideal_request_count(make_client, n):
    store = FakeStore(customers=n)
    client = make_client(store)

    ids = [record["id"] for record in client.iter_records("customers")]

    assert ids == list(range(1, n + 1))
    assert store.requests_to("customers") == max(1, math.ceil(n / 100)) == client.requests_made
    assert all(call[2]["per_page"] == "100" for call in store.calls)
    assert {call[2]["page"] for call in store.calls} == {str(p) for p in range(1, max(1, math.ceil(n / 100)) + 1)}


def test_empty_collection_yields_no_page(make_client):
    client = make_client(FakeStore(orders=0))
    assert list(client.iter_pages("orders")) == []
    assert client.requests_made == 1


def test_concurrent_pages_are_yielded_in_order_with_at_most_concurrency_in_flight(make_client):
    rng = random.Random(7)
    store = FakeStore(orders=2000)
    store.page_delay = lambda page: rng.uniform(0, 0.01)
    client = make_client(store, concurrency=4)

    pages = list(client.iter_pages("orders"))

    assert [page[0]["id"] for page in pages] == [1 + 100 * i for i in range(20)]
    assert [r["id"] for page in pages for r in page] == list(range(1, 2001))
    assert 1 < store.max_in_flight <= 4


def test_a_slow_consumer_bounds_the_pages_fetched_ahead(make_client):
    store = FakeStore(orders=5000)
    client = make_client(store, concurrency=3)
    pages = client.iter_pages("orders")

    next(pages)
    next(pages)
    threading.Event().wait(0.1)  # let the pool run ahead as far as it may

    # page 1, page 2 (consumed), and at most 3 more in flight or waiting
    assert store.requests_to("orders") <= 2 + 3
    pages.close()


def test_progress_callback_sees_every_page(make_client):
    seen = []
    client = make_client(FakeStore(products=350))
    list(client.iter_pages("products", on_page=lambda *args: seen.append(args)))
    assert seen == [("products", p, 4) for p in range(1, 5)]


def test_records_added_during_the_listing_are_still_read(make_client):
    store = FakeStore(orders=150)
    client = make_client(store, concurrency=1)
    pages = client.iter_pages("orders")
    next(pages)
    store.records["orders"] += [{"id": 151 + i} for i in range(100)]  # lands at the end (id asc)
    rest = [r["id"] for page in pages for r in page]
    assert rest == list(range(101, 251))


def test_listing_asks_for_a_stable_order_and_keeps_the_callers_filters(make_client):
    store = FakeStore(orders=1)
    client = make_client(store)
    list(client.iter_pages("orders", {"status": ["completed", "processing"], "page": 7, "dates_are_gmt": True}))
    ((_, _, params, _),) = store.calls
    assert params == {
        "status": "completed,processing",
        "dates_are_gmt": "true",
        "per_page": "100",
        "orderby": "id",
        "order": "asc",
        "page": "1",
    }


def test_count_reads_x_wp_total_with_one_small_request(make_client):
    store = FakeStore(customers=1234)
    client = make_client(store)
    assert client.count("customers", {"role": "all"}) == 1234
    assert store.calls == [("GET", "customers", {"role": "all", "per_page": "1", "page": "1"}, None)]


def test_incremental_order_params_are_utc_gmt_and_id_ordered():
    berlin = timezone(timedelta(hours=1))
    params = incremental_order_params(datetime(2026, 11, 23, 18, 13, 34, 999, tzinfo=berlin), status="any")
    assert params == {
        "modified_after": "2026-11-23T17:13:34",
        "dates_are_gmt": "true",
        "orderby": "id",
        "order": "asc",
        "status": "any",
    }
    with pytest.raises(ValueError):
        incremental_order_params(datetime(2026, 11, 23))


def test_a_query_in_the_path_is_refused(make_client):
    # it would break the OAuth signature (FACTS.md, python client section)
    with pytest.raises(ValueError):
        make_client(FakeStore()).get("orders?status=completed")


def test_a_failing_page_raises_in_order_after_the_pages_before_it(make_client):
    store = FakeStore(orders=500)
    original = store._list

    def list_with_page_3_refused(name, params):
        return from_capture("002") if params["page"] == "3" else original(name, params)

    store._list = list_with_page_3_refused
    client = make_client(store, concurrency=4)
    got = []
    with pytest.raises(StoreRejectedKeys):
        for page in client.iter_pages("orders"):
            got.append(page[0]["id"])
    assert got == [1, 101]
