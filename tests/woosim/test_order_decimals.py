"""`dp` on seeded orders: their item taxes are not kept unrounded (they are
built without compute_totals' record), so decimals.py derives them from the
whole-cent line totals; an edited copy of the same order, priced through
compute_totals, must answer the same (the real store's answers with `dp` are
replayed from captures/real-order-decimals.json)."""

from decimal import Decimal

import pytest

from woosim.testing import WooSimServer

from .conftest import client


@pytest.fixture(scope="module")
def seeded():
    with WooSimServer(seed="dp", customers=5, orders=20) as s:
        yield s


def test_a_seeded_order_with_dp_answers_as_its_recalculated_copy(seeded):
    api = client(seeded)
    listed = api.get("orders", params={"per_page": "1", "dp": "5"}).json()[0]
    taxes = [ln["taxes"][0] for ln in listed["line_items"] if ln["taxes"]]
    assert taxes and all(len(t["total"].split(".")[1]) == 5 for t in taxes)
    assert listed["total"].endswith("000")  # whole cents, written with 5 decimals
    edited = api.put(
        f"orders/{listed['id']}",
        {"line_items": [{"id": ln["id"], "quantity": ln["quantity"]} for ln in listed["line_items"]]},
        params={"dp": "5"},
    ).json()
    for field in ("line_items", "shipping_lines", "tax_lines", "total", "total_tax", "cart_tax"):
        assert edited[field] == listed[field], field


def test_a_seeded_line_tax_at_dp_6_is_the_rate_on_its_total(seeded):
    api = client(seeded)
    order = api.get("orders", params={"per_page": "1", "dp": "6"}).json()[0]
    line = order["line_items"][0]
    want = (Decimal(line["total"]) * Decimal("0.19")).quantize(Decimal("0.000001"))
    assert Decimal(line["taxes"][0]["total"]) == want
