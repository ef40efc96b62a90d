"""The listing fast paths give exactly what the plain code gives.

Seeded orders are priced from cached lines (seeding._add_priced_lines) and
rendered as JSON text (shapes.order_text); customers are listed from a
remembered sort (State.sorted_customers); dates are formatted from tables
(timeutil.fmt_gmt). Each is compared here with the code it stands in for,
byte for byte where bytes are what the client sees.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from woosim import orders as O
from woosim import shapes as S
from woosim.app import dumps
from woosim.server import WooSim
from woosim.timeutil import fmt_gmt


def _plain_dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@pytest.fixture
def shop():
    sim = WooSim("ck_fast", "cs_fast", seed="demo", customers=60, orders=3000)
    yield sim
    sim.dispatcher.stop()


def _ctx(sim) -> S.Ctx:
    return S.Ctx("https://shop.example:8443", sim.state.tz)


def _plain_build(lazy, i: int) -> dict:
    """Order i built through _add_lines only (the API-path pricing)."""
    fast = lazy._add_priced_lines
    lazy._add_priced_lines = lambda *a: False
    try:
        return lazy._make(i)
    finally:
        lazy._add_priced_lines = fast


def _assert_same_order(lazy, i: int, ctx: S.Ctx):
    fast, plain = lazy._make(i), _plain_build(lazy, i)
    assert "_text" not in plain
    text = fast.pop("_text", None)
    # same records, key order included (line items are encoded as stored)
    assert json.dumps(fast) == json.dumps(plain), i
    if text is not None:
        assert text["line_items"] == json.dumps(plain["line_items"], ensure_ascii=False, separators=(",", ":"))
        assert text["shipping_lines"] == json.dumps(plain["shipping_lines"], ensure_ascii=False, separators=(",", ":"))
        fast["_text"] = text
    assert S.order_text(fast, ctx).encode() == _plain_dumps(S.order_json(plain, ctx))


def test_seeded_orders_priced_from_cached_lines_equal_the_api_path(shop):
    lazy, ctx = shop.state.lazy, _ctx(shop)
    for i in range(lazy.n):
        _assert_same_order(lazy, i, ctx)


def test_edited_and_deleted_products_are_priced_afresh(shop):
    st, lazy, ctx = shop.state, shop.state.lazy, _ctx(shop)
    sample = range(0, lazy.n, 7)
    for i in sample:  # fill the caches first
        lazy._make(i)
    a, b, c = lazy.product_ids[:3]
    st.update_product(a, {"regular_price": "31.17", "name": 'Re"named / Kaffee ☕', "sku": "NEW-SKU"})
    st.products[b]["virtual"] = True
    del st.products[c]
    for i in sample:
        _assert_same_order(lazy, i, ctx)
    assert any(ln["product_id"] == 0 for i in sample for ln in lazy._make(i)["line_items"])


def test_order_text_equals_order_json_for_api_orders(shop):
    st, ctx = shop.state, _ctx(shop)
    parent = st.create_product({"name": "Mug", "type": "variable", "regular_price": "10"})
    variation = st.create_variation(
        parent["id"], {"regular_price": "12.50", "attributes": [{"name": "Colour", "option": "Blue"}]}
    )
    st.create_coupon({"code": "TENOFF", "discount_type": "percent", "amount": "10"})
    odd = 'quote " backslash \\ slash / tab \t nul \x00 line\u2028 emoji 😀 Ü'
    o = O.create_order(
        st,
        {
            "customer_id": 2,
            "status": "processing",
            "customer_note": odd,
            "billing": {"first_name": odd, "email": "x@example.com", "phone": 12345},
            "line_items": [
                {"product_id": st.lazy.product_ids[0], "quantity": 2},
                {"product_id": variation["id"], "quantity": 1},
            ],
            "fee_lines": [{"name": "Fee", "total": "1.50"}],
            "coupon_lines": [{"code": "TENOFF"}],
            "meta_data": [{"key": "k", "value": {"nested": [1, 2.5, None, True]}}],
        },
    )
    O.create_refund(st, o["id"], {"amount": "2.00", "reason": odd, "api_refund": False})
    guest = O.create_order(st, {"billing": {"email": "g@example.com"}})
    trashed = O.create_order(st, {"status": "pending"})
    O.delete_order(st, trashed["id"], force=False)
    seeded = O.update_order(st, st.lazy.id_of(5), {"status": "on-hold", "customer_note": odd})
    for rec in (o, guest, trashed, seeded):
        assert S.order_text(rec, ctx).encode() == _plain_dumps(S.order_json(rec, ctx))
    page = [o, guest, st.lazy.make(7), seeded]
    assert S.orders_body(page, ctx) == _plain_dumps([S.order_json(x, ctx) for x in page])
    assert S.orders_body([], ctx) == b"[]"


def test_editing_a_seeded_order_leaves_the_others_alone(shop):
    st, lazy, ctx = shop.state, shop.state.lazy, _ctx(shop)
    by_line = {}
    for i in range(lazy.n):
        o = lazy.make(i)
        if "_text" in o:
            key = (o["line_items"][0]["product_id"], o["line_items"][0]["quantity"])
            by_line.setdefault(key, []).append(i)
    i, j = next(v for v in by_line.values() if len(v) >= 2)[:2]
    before = S.order_text(lazy.make(j), ctx)
    stored = O.materialize(st, lazy.id_of(i))
    assert "_text" not in stored
    line = stored["line_items"][0]
    line["taxes"][0]["total"] = "999.99"
    line["meta_data"].append({"id": 1, "key": "_reduced_stock", "value": "1"})
    stored["shipping_lines"][0]["taxes"].clear()
    lazy.make.cache_clear()
    assert S.order_text(lazy.make(j), ctx) == before
    _assert_same_order(lazy, j, ctx)


def test_customer_listing_follows_creates_and_deletes(shop):
    st = shop.state
    from werkzeug.test import Client

    client = Client(shop.wsgi)

    def listed(**params):
        q = "&".join(f"{k}={v}" for k, v in params.items())
        r = client.get(
            "/wp-json/wc/v3/customers",
            base_url="https://shop.example",
            query_string=f"{q}&per_page=100&consumer_key=ck_fast&consumer_secret=cs_fast",
        )
        return [c["id"] for c in r.get_json()], r.headers["X-WP-Total"]

    def expected(key, desc, role="customer"):
        items = [c for c in st.customers.values() if role == "all" or c["role"] == role]
        return [c["id"] for c in sorted(items, key=key, reverse=desc)][:100], str(len(items))

    def check():  # 8 lists: all stay remembered between the checks
        for orderby, key in keys.items():
            for order in ("asc", "desc"):
                assert listed(orderby=orderby, order=order) == expected(key, order == "desc")
        for order in ("asc", "desc"):
            assert listed(orderby="id", order=order, role="all") == expected(keys["id"], order == "desc", "all")

    keys = {
        "id": lambda c: c["id"],
        "name": lambda c: (c["username"].lower(), c["id"]),
        "registered_date": lambda c: (c["created"], c["id"]),
    }
    check()
    shop.reset(seed="other", customers=60, orders=10)  # same ids and count, other names
    check()
    st.create_customer({"email": "aaa.first@example.com"})
    check()
    st.delete_customer(sorted(st.customers)[3], force=True)  # one out, one in: same count
    st.create_customer({"email": "aab.second@example.com"})
    check()
    st.delete_customer(sorted(st.customers)[-1], force=True)
    check()


def test_fmt_gmt_equals_strftime():
    rnd = random.Random(7)
    samples = [rnd.randrange(0, 253402300800) for _ in range(20000)]
    samples += [0, 59, 60, 3599, 3600, 86399, 86400, 951782400, 951868799, 253402300799]
    for ts in samples:
        assert fmt_gmt(ts) == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)), ts
    for ts in (-1, -86401, 1.5, True):
        assert fmt_gmt(ts) == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    assert fmt_gmt(None) is None


def test_dumps_equals_json_dumps():
    values = [
        None,
        True,
        False,
        0,
        -5,
        10**30,
        1.0,
        39.9,
        1e300,
        float("nan"),
        float("inf"),
        -0.0,
        "",
        'a/b "q" \\ \u2028 €',
        [],
        {},
        (1, "x"),
        [[], {}],
        {"k": [1, {"n": None}], "z": 2.5},
        {1: "int key", "2": True},
    ]
    for v in values:
        assert dumps(v) == _plain_dumps(v), v
