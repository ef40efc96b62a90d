"""Scenarios built through a store's real REST API (woosim or a real store),
with the same `woocommerce` client the sync uses: tests create customers,
orders, refunds and status changes exactly as a shop would."""
from decimal import Decimal

from woocommerce import API


class StoreScript:
    def __init__(self, url: str, key: str, secret: str):
        self.api = API(url=url, consumer_key=key, consumer_secret=secret, version="wc/v3", timeout=30)

    def _ok(self, response, *statuses):
        assert response.status_code in (statuses or (200, 201)), (response.status_code, response.text[:500])
        return response.json()

    def product(self, name: str, price: str, *, sku: str = "", categories=()) -> dict:
        body = {"name": name, "regular_price": price, "sku": sku, "categories": [{"id": c} for c in categories]}
        return self._ok(self.api.post("products", body))

    def category(self, name: str) -> dict:
        return self._ok(self.api.post("products/categories", {"name": name}))

    def customer(self, email: str, first_name: str = "Test", last_name: str = "Member", meta=()) -> dict:
        body = {"email": email, "first_name": first_name, "last_name": last_name,
                "meta_data": [{"key": k, "value": v} for k, v in meta]}
        return self._ok(self.api.post("customers", body))

    def order(self, items, *, customer_id: int = 0, email: str = "", status: str = "completed",
              coupons=()) -> dict:
        """items: [(product_id, quantity)]"""
        body = {"status": status, "customer_id": customer_id, "billing": {"email": email, "first_name": "T"},
                "line_items": [{"product_id": p, "quantity": q} for p, q in items],
                "coupon_lines": [{"code": c} for c in coupons]}
        return self._ok(self.api.post("orders", body))

    def set_status(self, order_id: int, status: str) -> dict:
        return self._ok(self.api.put(f"orders/{order_id}", {"status": status}))

    def edit_quantity(self, order: dict, line_index: int, quantity: int) -> dict:
        """Change a line's quantity as a shop admin's edit does: with the line's
        subtotal and total for the new quantity. WooCommerce keeps a line's
        amounts when only the quantity is sent (real store 10.0.2,
        tests/woosim/captures/real-order-totals.json, step put_quantity)."""
        line = order["line_items"][line_index]
        def scaled(amount: str) -> str:
            return str((Decimal(amount) * quantity / line["quantity"]).quantize(Decimal("0.01")))
        edit = {"id": line["id"], "quantity": quantity, "subtotal": scaled(line["subtotal"]),
                "total": scaled(line["total"])}
        return self._ok(self.api.put(f"orders/{order['id']}", {"line_items": [edit]}))

    def refund(self, order_id: int, amount: str | Decimal, lines=()) -> dict:
        """lines: [(order line id, quantity, refund_total without tax)]"""
        body = {"amount": str(amount), "api_refund": False,
                "line_items": [{"id": lid, "quantity": q, "refund_total": str(t)} for lid, q, t in lines]}
        return self._ok(self.api.post(f"orders/{order_id}/refunds", body))

    def coupons(self, **params) -> list[dict]:
        found, page = [], 1
        while True:
            batch = self._ok(self.api.get("coupons", params={"per_page": 100, "page": page, **params}))
            found.extend(batch)
            if len(batch) < 100:
                return found
            page += 1

    def customer_meta(self, customer_id: int) -> dict:
        body = self._ok(self.api.get(f"customers/{customer_id}"))
        return {m["key"]: m["value"] for m in body["meta_data"] if m["key"].startswith("loyalty_")}

    def create_coupon(self, code: str, **fields) -> dict:
        return self._ok(self.api.post("coupons", {"code": code, "discount_type": "fixed_cart", "amount": "5", **fields}))
