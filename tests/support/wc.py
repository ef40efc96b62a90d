"""WooCommerce wc/v3 JSON, built small: the shapes of the captures
(../shared/woocommerce/captures/074-order-get.json), only the fields the
sync reads, with sensible defaults. Money is given as strings, like the API."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def gmt(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def line(line_id: int, total: str, *, product_id: int = 100, quantity: int = 1, tax: str = "0.00",
         sku: str = "") -> dict:
    return {"id": line_id, "name": f"Product {product_id}", "product_id": product_id, "variation_id": 0,
            "quantity": quantity, "subtotal": total, "subtotal_tax": tax, "total": total, "total_tax": tax,
            "sku": sku, "price": float(Decimal(total) / quantity), "meta_data": [], "taxes": []}


def order(order_id: int, *, lines=None, status: str = "completed", customer_id: int = 0,
          email: str = "anna@example.com", created: datetime | None = None, modified: datetime | None = None,
          shipping: str = "0.00", shipping_tax: str = "0.00", coupons=(), refunds=(), first_name: str = "Anna",
          address: str = "Hauptstr. 1") -> dict:
    created = created or day(order_id % 300)
    modified = modified or created
    lines = lines if lines is not None else [line(order_id * 10, "100.00")]
    items_total = sum(Decimal(l["total"]) for l in lines)
    tax = sum(Decimal(l["total_tax"]) for l in lines) + Decimal(shipping_tax)
    total = items_total + tax + Decimal(shipping)
    paid = gmt(created) if status in ("processing", "completed", "refunded") else None
    return {
        "id": order_id, "parent_id": 0, "status": status, "currency": "EUR",
        "date_created": gmt(created), "date_created_gmt": gmt(created),
        "date_modified": gmt(modified), "date_modified_gmt": gmt(modified),
        "date_paid_gmt": paid, "date_completed_gmt": gmt(created) if status == "completed" else None,
        "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": shipping,
        "shipping_tax": shipping_tax, "cart_tax": f"{tax - Decimal(shipping_tax):.2f}", "total": f"{total:.2f}",
        "total_tax": f"{tax:.2f}", "customer_id": customer_id,
        "billing": {"first_name": first_name, "last_name": "Muster", "address_1": address, "city": "Berlin",
                    "postcode": "10115", "country": "DE", "email": email, "phone": ""},
        "shipping": {}, "line_items": lines, "shipping_lines": [], "fee_lines": [],
        "coupon_lines": [{"id": 900 + i, "code": c.lower(), "discount": "0.00"} for i, c in enumerate(coupons)],
        "refunds": [{"id": r["id"], "reason": "", "total": f"-{Decimal(r['amount']):.2f}"} for r in refunds],
        "meta_data": [],
    }


def refund(refund_id: int, amount: str, *, at: datetime | None = None, lines=()) -> dict:
    """As GET /orders/<id>/refunds returns it: amount positive, line totals negative.
    `lines` are (order line id, quantity, total) triples."""
    return {"id": refund_id, "date_created_gmt": gmt(at or day(1)), "amount": amount, "reason": "",
            "line_items": [{"id": 5000 + i, "quantity": -q, "total": f"-{Decimal(t):.2f}",
                            "meta_data": [{"key": "_refunded_item_id", "value": str(lid)}]}
                           for i, (lid, q, t) in enumerate(lines)]}


def customer(customer_id: int, email: str, *, first_name: str = "Anna", last_name: str = "Muster",
             birthday: str | None = None, created: datetime | None = None) -> dict:
    created = created or T0
    meta = [{"id": 1, "key": "birthday", "value": birthday}] if birthday else []
    return {"id": customer_id, "email": email, "first_name": first_name, "last_name": last_name,
            "username": email.split("@")[0], "role": "customer",
            "date_created": gmt(created), "date_created_gmt": gmt(created),
            "date_modified": gmt(created), "date_modified_gmt": gmt(created),
            "billing": {"first_name": first_name, "last_name": last_name, "address_1": "Hauptstr. 1",
                        "email": email}, "shipping": {}, "meta_data": meta}


def product(product_id: int, *, sku: str = "", price: str = "10.00", categories=()) -> dict:
    return {"id": product_id, "name": f"Product {product_id}", "sku": sku, "price": price, "parent_id": 0,
            "type": "simple", "categories": [{"id": c, "name": f"Cat {c}", "slug": f"cat-{c}"} for c in categories],
            "date_modified_gmt": gmt(T0)}
