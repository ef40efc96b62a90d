"""GET /refunds: every refund of the store, paginated, filterable by date and order."""

from datetime import datetime, timedelta, timezone

from woocommerce import API

from woosim.testing import WooSimServer


def api(sim):
    return API(url=sim.url, consumer_key=sim.key, consumer_secret=sim.secret, version="wc/v3", timeout=30)


def test_refunds_of_api_orders_are_listed_with_their_parent():
    with WooSimServer() as sim:
        client = api(sim)
        product = client.post("products", {"name": "Beans", "regular_price": "40.00"}).json()
        order = client.post(
            "orders",
            {
                "status": "completed",
                "billing": {"email": "a@example.com"},
                "line_items": [{"product_id": product["id"], "quantity": 2}],
            },
        ).json()
        line_id = order["line_items"][0]["id"]
        refund = client.post(
            f"orders/{order['id']}/refunds",
            {
                "amount": "47.60",
                "api_refund": False,
                "line_items": [{"id": line_id, "quantity": 1, "refund_total": "40.00"}],
            },
        ).json()
        listed = client.get("refunds").json()
        assert [(r["id"], r["parent_id"], r["amount"]) for r in listed] == [(refund["id"], order["id"], "47.60")]
        assert listed[0]["line_items"][0]["meta_data"][0]["key"] == "_refunded_item_id"
        assert client.get("refunds", params={"parent": order["id"] + 1000}).json() == []


def test_seeded_refunds_paginate_and_filter_by_date():
    with WooSimServer(seed="demo", customers=30, orders=2000) as sim:
        client = api(sim)
        first = client.get("refunds", params={"per_page": 100, "orderby": "id", "order": "asc"})
        total = int(first.headers["X-WP-Total"])
        assert total > 50  # refunded orders plus ~5% partial refunds of completed ones
        seen = []
        for page in range(1, int(first.headers["X-WP-TotalPages"]) + 1):
            seen += client.get(
                "refunds", params={"per_page": 100, "page": page, "orderby": "id", "order": "asc"}
            ).json()
        assert len(seen) == total == len({r["id"] for r in seen})
        assert all(float(r["amount"]) > 0 and r["parent_id"] for r in seen)
        cut = datetime.now(timezone.utc) - timedelta(days=60)
        recent = client.get(
            "refunds", params={"after": cut.strftime("%Y-%m-%dT%H:%M:%S"), "dates_are_gmt": "true", "per_page": 100}
        ).json()
        assert recent and all(r["date_created_gmt"] > cut.strftime("%Y-%m-%dT%H:%M:%S") for r in recent)
        assert len(recent) < total
