"""Deterministic demo seeding; lazy orders stay correct at 100k."""

from __future__ import annotations

import time

import pytest

from woosim.testing import WooSimServer

from .conftest import client


@pytest.fixture(scope="module")
def big():
    with WooSimServer(seed="demo", customers=300, orders=100_000) as sim:
        yield sim


def test_demo_shop_contents(big):
    api = client(big)
    products = api.get("products", params={"per_page": 100}).json()
    assert 25 <= len(products) <= 40
    assert any(p["sku"] == "VIP-MEMBERSHIP" for p in products)
    cats = {c["slug"] for c in api.get("products/categories", params={"per_page": 100}).json()}
    assert {"coffee", "equipment"} <= cats
    r = api.get("customers", params={"per_page": 100})
    assert r.headers["X-WP-Total"] == "300"
    c = r.json()[0]
    bday = {m["key"]: m["value"] for m in c["meta_data"]}["birthday"]
    assert len(bday) == 10 and bday[4] == "-" and c["billing"]["email"] == c["email"]
    assert len(api.get("products/reviews", params={"status": "all"}).json()) >= 3


def test_lazy_orders_count_and_middle_page(big):
    api = client(big)
    r = api.get("orders", params={"per_page": 100, "orderby": "id", "order": "asc", "offset": 50_000})
    assert r.headers["X-WP-Total"] == "100000" and r.headers["X-WP-TotalPages"] == "1000"
    page = r.json()
    ids = [o["id"] for o in page]
    assert len(ids) == 100 and ids == sorted(ids) and ids[1] - ids[0] == 2
    # the same page again is identical (deterministic)
    again = api.get("orders", params={"per_page": 100, "orderby": "id", "order": "asc", "offset": 50_000}).json()
    assert again == page
    statuses = {o["status"] for o in page}
    assert "completed" in statuses
    for o in page:
        assert o["date_created_gmt"] <= o["date_modified_gmt"]
        assert o["line_items"] and o["total"].count(".") == 1
    # default order: newest first, and the whole set spans about two years
    newest = api.get("orders", params={"per_page": 1}).json()[0]
    oldest = api.get("orders", params={"per_page": 1, "order": "asc"}).json()[0]
    assert newest["id"] > oldest["id"]
    assert int(newest["date_created_gmt"][:4]) - int(oldest["date_created_gmt"][:4]) in (1, 2, 3)


def test_lazy_range_filters_are_consistent_with_the_records(big):
    api = client(big)
    cut = api.get("orders", params={"per_page": 1, "orderby": "id", "order": "asc", "offset": 70_000}).json()[0]
    after = api.get(
        "orders",
        params={
            "modified_after": cut["date_modified_gmt"],
            "dates_are_gmt": "true",
            "orderby": "id",
            "order": "asc",
            "per_page": 5,
        },
    )
    first = after.json()[0]
    assert first["date_modified_gmt"] > cut["date_modified_gmt"]
    total_after = int(after.headers["X-WP-Total"])
    before = api.get(
        "orders", params={"modified_before": first["date_modified_gmt"], "dates_are_gmt": "true", "per_page": 1}
    )
    assert int(before.headers["X-WP-Total"]) + total_after >= 100_000 - 5
    t = time.perf_counter()
    api.get("orders", params={"per_page": 100, "offset": 99_950})
    assert time.perf_counter() - t < 1.0


def test_editing_a_seeded_order_moves_it(big):
    api = client(big)
    o = api.get("orders", params={"per_page": 1, "orderby": "id", "order": "asc", "offset": 123}).json()[0]
    upd = api.put(f"orders/{o['id']}", {"customer_note": "edited"}).json()
    assert upd["customer_note"] == "edited" and upd["date_modified_gmt"] > o["date_modified_gmt"]
    r = api.get("orders", params={"orderby": "modified", "per_page": 1})
    assert r.json()[0]["id"] == o["id"]
    assert r.headers["X-WP-Total"] == "100000"  # moved, not duplicated
    assert api.get(f"orders/{o['id']}").json()["customer_note"] == "edited"
