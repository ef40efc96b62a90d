"""Scenarios built through a store's real REST API (woosim or a real store),
with the same `woocommerce` client the sync uses: tests create customers,
orders, refunds and status changes exactly as a shop would.

The same scenario runs against a fresh woosim and against a real store that
holds other data (tests/support/real_store.py): names that must be unique in a
store (emails, SKUs) come from `email`/`sku`, which add the test's tag, and the
passing of time is `wait_seconds` (woosim's clock, or the real one)."""

import time
from collections.abc import Callable
from decimal import Decimal

from woocommerce import API


class StoreScript:
    def __init__(
        self,
        url: str,
        key: str,
        secret: str,
        *,
        tag: str = "",
        api=None,
        advance_clock: Callable[[float], object] = time.sleep,
    ):
        self.api = api or API(url=url, consumer_key=key, consumer_secret=secret, version="wc/v3", timeout=30)
        self.tag = tag
        self._advance_clock = advance_clock

    def email(self, name: str) -> str:
        """`name@example.com`, with the test's tag when the store is shared."""
        return f"{name}.{self.tag}@example.com" if self.tag else f"{name}@example.com"

    def sku(self, base: str) -> str:
        return f"{base}-{self.tag.upper()}" if self.tag else base

    def wait_seconds(self, seconds: float) -> None:
        """Let the store's clock move on: its dates have one-second resolution,
        so a change must land in a later second than the one before it."""
        self._advance_clock(seconds)

    def _ok(self, response, *statuses):
        assert response.status_code in (statuses or (200, 201)), (response.status_code, response.text[:500])
        return response.json()

    def product(self, name: str, price: str, *, sku: str = "", categories=()) -> dict:
        body = {"name": name, "regular_price": price, "sku": sku, "categories": [{"id": c} for c in categories]}
        return self._ok(self.api.post("products", body))

    def category(self, name: str) -> dict:
        return self._ok(self.api.post("products/categories", {"name": name}))

    def customer(self, email: str, first_name: str = "Test", last_name: str = "Member", meta=()) -> dict:
        body = {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "meta_data": [{"key": k, "value": v} for k, v in meta],
        }
        return self._ok(self.api.post("customers", body))

    def order(self, items, *, customer_id: int = 0, email: str = "", status: str = "completed", coupons=()) -> dict:
        """items: [(product_id, quantity)]"""
        body = {
            "status": status,
            "customer_id": customer_id,
            "billing": {"email": email, "first_name": "T"},
            "line_items": [{"product_id": p, "quantity": q} for p, q in items],
            "coupon_lines": [{"code": c} for c in coupons],
        }
        return self._ok(self.api.post("orders", body))

    def set_status(self, order_id: int, status: str) -> dict:
        return self._ok(self.api.put(f"orders/{order_id}", {"status": status}))

    def trash_order(self, order_id: int) -> dict:
        return self._ok(self.api.delete(f"orders/{order_id}"))

    def restore_order(self, order_id: int, status: str = "completed") -> dict:
        """Take an order out of the trash. The REST API has no untrash (wp-admin's
        "Restore" is not REST); setting its status again does it, on a real
        10.0.2 store as on woosim: the order is back in `status=any` with a new
        `date_modified`."""
        return self.set_status(order_id, status)

    def delete_coupon(self, coupon_id: int) -> dict:
        return self._ok(self.api.delete(f"coupons/{coupon_id}", params={"force": True}))

    def set_customer_meta(self, customer_id: int, meta: dict) -> dict:
        body = {"meta_data": [{"key": k, "value": v} for k, v in meta.items()]}
        return self._ok(self.api.put(f"customers/{customer_id}", body))

    def edit_quantity(self, order: dict, line_index: int, quantity: int) -> dict:
        """Change a line's quantity as a shop admin's edit does: with the line's
        subtotal and total for the new quantity. WooCommerce keeps a line's
        amounts when only the quantity is sent (real store 10.0.2,
        tests/woosim/captures/real-order-totals.json, step put_quantity)."""
        line = order["line_items"][line_index]

        def scaled(amount: str) -> str:
            return str((Decimal(amount) * quantity / line["quantity"]).quantize(Decimal("0.01")))

        edit = {
            "id": line["id"],
            "quantity": quantity,
            "subtotal": scaled(line["subtotal"]),
            "total": scaled(line["total"]),
        }
        return self._ok(self.api.put(f"orders/{order['id']}", {"line_items": [edit]}))

    def refund(self, order_id: int, amount: str | Decimal, lines=()) -> dict:
        """lines: [(order line id, quantity, refund_total without tax)]"""
        body = {
            "amount": str(amount),
            "api_refund": False,
            "line_items": [{"id": lid, "quantity": q, "refund_total": str(t)} for lid, q, t in lines],
        }
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
        return self._ok(
            self.api.post("coupons", {"code": code, "discount_type": "fixed_cart", "amount": "5", **fields})
        )
