"""2.125 is "2.13" wherever money becomes text (loyalty_sync/engine/money.py):
the KPIs, the points preview, the member answer and the member page round a
half cent up alike, as WooCommerce shows prices. (Python's `quantize` and Babel
alone round it to even: "2.12".)"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from loyalty_sync.actions.api_tokens import create_token
from loyalty_sync.analysis.kpi import OrderRow, compute
from loyalty_sync.books import member_links
from loyalty_sync.books.apply import apply_customers, apply_orders
from loyalty_sync.books.statements import find_member
from loyalty_sync.engine.program import MultiplierRule
from loyalty_sync.extensions import db
from tests.storefront.conftest import bearer
from tests.support.members import NOW, order_day
from tests.support.stores import OFFLINE, make_store
from tests.support import wc


def test_kpis_round_a_half_cent_up():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    orders = [
        OrderRow("A", start + timedelta(days=1), "completed", Decimal("2.00")),
        OrderRow("B", start + timedelta(days=2), "completed", Decimal("2.25")),
    ]
    kpis = compute(orders, [], [], [], start, start + timedelta(days=30))
    assert kpis["aov"] == "2.13"  # (2.00 + 2.25) / 2 = 2.125


def test_the_points_preview_rounds_a_half_cent_up(client, app):
    store = make_store("preview-shop", **OFFLINE, multipliers=(MultiplierRule(Decimal("1.25"), product_id=5),))
    _token, text = create_token(store, "read", name="money test")
    db.session.commit()
    cart = {"lines": [{"product_id": 5, "quantity": 1, "total": "1.70"}], "customer": None}
    preview = client.post("/api/v1/points-preview", json=cart, headers=bearer(text)).get_json()
    assert preview["lines"][0]["weighted"] == "2.13"  # 1.70 x 1.25 = 2.125


def _bronze_member_short_of_silver_by_a_half_cent(store):
    """One order: a 17.00 line, 143.00 shipping (not counted), 20.00 refunded by
    amount only = 12.5 % of the order, so the line counts 14.875; Silver (300)
    is 285.125 away."""
    apply_customers(store, [wc.customer(9, "half@example.com")], now=NOW)
    order = wc.order(
        2001,
        customer_id=9,
        email="half@example.com",
        lines=[wc.line(20010, "17.00")],
        shipping="143.00",
        refunds=[wc.refund(1, "20.00", at=order_day(1))],
        created=order_day(0),
    )
    apply_orders(store, [order], now=NOW)
    db.session.commit()
    return find_member(store, "half@example.com")


def test_the_member_answer_and_page_round_a_half_cent_up(client, app):
    store = make_store("member-shop", **OFFLINE, auto_redeem=False)
    member = _bronze_member_short_of_silver_by_a_half_cent(store)
    _token, text = create_token(store, "read", name="money test")
    db.session.commit()
    body = client.get("/api/v1/members/9", headers=bearer(text)).get_json()
    assert body["tier"]["name"] == "Bronze" and body["tier"]["current"] == "14.88"
    assert body["tier"]["next"]["to_go"] == {"spend": "285.13"}
    page = client.get(f"/m/{member_links.make_token(store.id, member.id, 'page')}").get_data(as_text=True)
    assert "Spend €285.13 more to reach Silver" in page
