"""WooCommerce wc/v3 JSON as a WooCommerce 10 store in UTC answers it (the
captures in ../shared/woocommerce/captures/, e.g. 074-order-get.json, and
tests/woosim/captures/real-*.json), with sensible defaults: the one place the
tests build orders, refunds, customers and products. Money is given as
strings, like the API; dates in UTC without an offset."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def gmt(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def line(
    line_id: int, total: str, *, product_id: int = 100, quantity: int = 1, tax: str = "0.00", sku: str | None = ""
) -> dict:
    """An order line as WooCommerce 10 answers it: money as strings but `price`
    (a JSON number), `taxes` only when a rate applied."""
    taxes = [{"id": 1, "total": tax, "subtotal": tax}] if Decimal(tax) else []
    return {
        "id": line_id,
        "name": f"Product {product_id}",
        "product_id": product_id,
        "variation_id": 0,
        "quantity": quantity,
        "tax_class": "",
        "subtotal": total,
        "subtotal_tax": tax,
        "total": total,
        "total_tax": tax,
        "taxes": taxes,
        "meta_data": [],
        "sku": sku,
        "price": float(Decimal(total) / quantity),
        "image": {"id": "", "src": ""},
        "parent_name": None,
    }


def _address(first_name: str, last_name: str, address_1: str) -> dict:
    """A German shopper's address, every field WooCommerce sends (the shipping one has no email)."""
    return {
        "first_name": first_name,
        "last_name": last_name,
        "company": "",
        "address_1": address_1,
        "address_2": "",
        "city": "Berlin",
        "state": "",
        "postcode": "10115",
        "country": "DE",
        "phone": "",
    }


def order(
    order_id: int,
    *,
    lines=None,
    status: str = "completed",
    customer_id: int = 0,
    email: str = "anna@example.com",
    created: datetime | None = None,
    modified: datetime | None = None,
    shipping: str = "0.00",
    shipping_tax: str = "0.00",
    coupons=(),
    refunds=(),
    first_name: str = "Anna",
    last_name: str = "Muster",
    address: str = "Hauptstr. 1",
) -> dict:
    """GET /orders/<id> of a WooCommerce 10 store in UTC (captures/074-order-get.json), in
    its key order, without the links. `refunds` are {"id", "amount"} (positive, as
    given to POST .../refunds); `coupons` the codes used."""
    created = created or day(order_id % 300)
    modified = modified or created
    lines = lines if lines is not None else [line(order_id * 10, "100.00")]
    items_total = sum(Decimal(l["total"]) for l in lines)
    cart_tax = sum(Decimal(l["total_tax"]) for l in lines)
    tax = cart_tax + Decimal(shipping_tax)
    total = items_total + tax + Decimal(shipping)
    paid = gmt(created) if status in ("processing", "completed", "refunded") else None
    completed = gmt(created) if status == "completed" else None
    delivery = _address(first_name, last_name, address)
    return {
        "id": order_id,
        "parent_id": 0,
        "status": status,
        "currency": "EUR",
        "version": "10.0.2",
        "prices_include_tax": False,
        "date_created": gmt(created),
        "date_modified": gmt(modified),
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": shipping,
        "shipping_tax": shipping_tax,
        "cart_tax": f"{cart_tax:.2f}",
        "total": f"{total:.2f}",
        "total_tax": f"{tax:.2f}",
        "customer_id": customer_id,
        "order_key": f"wc_order_test{order_id}",
        "billing": {**delivery, "email": email},
        "shipping": dict(delivery),
        "payment_method": "bacs",
        "payment_method_title": "Direct bank transfer",
        "transaction_id": "",
        "customer_ip_address": "",
        "customer_user_agent": "",
        "created_via": "rest-api",
        "customer_note": "",
        "date_completed": completed,
        "date_paid": paid,
        "cart_hash": "",
        "number": str(order_id),
        "meta_data": [],
        "line_items": lines,
        "tax_lines": [
            {
                "id": order_id * 10 + 8,
                "rate_code": "DE-MWST-1",
                "rate_id": 1,
                "label": "MwSt",
                "compound": False,
                "tax_total": f"{cart_tax:.2f}",
                "shipping_tax_total": shipping_tax,
                "rate_percent": 19,
                "meta_data": [],
            }
        ]
        if tax
        else [],
        "shipping_lines": [
            {
                "id": order_id * 10 + 9,
                "method_title": "Flat rate",
                "method_id": "flat_rate",
                "instance_id": "",
                "total": shipping,
                "total_tax": shipping_tax,
                "taxes": [],
                "tax_status": "taxable",
                "meta_data": [],
            }
        ]
        if Decimal(shipping)
        else [],
        "fee_lines": [],
        "coupon_lines": [
            {"id": 900 + i, "code": c.lower(), "discount": "0.00", "discount_tax": "0.00", "meta_data": []}
            for i, c in enumerate(coupons)
        ],
        "refunds": [{"id": r["id"], "reason": "", "total": f"-{Decimal(r['amount']):.2f}"} for r in refunds],
        "is_editable": status in ("pending", "on-hold"),
        "needs_payment": status in ("pending", "failed"),
        "needs_processing": True,
        "date_created_gmt": gmt(created),
        "date_modified_gmt": gmt(modified),
        "date_completed_gmt": completed,
        "date_paid_gmt": paid,
        "currency_symbol": "\u20ac",
    }


def refund(refund_id: int, amount: str, *, at: datetime | None = None, lines=()) -> dict:
    """As GET /orders/<id>/refunds returns it: amount positive, line totals negative.
    `lines` are (order line id, quantity, total) triples."""
    return {
        "id": refund_id,
        "date_created_gmt": gmt(at or day(1)),
        "amount": amount,
        "reason": "",
        "line_items": [
            {
                "id": 5000 + i,
                "quantity": -q,
                "total": f"-{Decimal(t):.2f}",
                "meta_data": [{"key": "_refunded_item_id", "value": str(lid)}],
            }
            for i, (lid, q, t) in enumerate(lines)
        ],
    }


def customer(
    customer_id: int,
    email: str,
    *,
    first_name: str = "Anna",
    last_name: str = "Muster",
    birthday: str | None = None,
    created: datetime | None = None,
) -> dict:
    created = created or T0
    meta = [{"id": 1, "key": "birthday", "value": birthday}] if birthday else []
    return {
        "id": customer_id,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "username": email.split("@")[0],
        "role": "customer",
        "date_created": gmt(created),
        "date_created_gmt": gmt(created),
        "date_modified": gmt(created),
        "date_modified_gmt": gmt(created),
        "billing": {"first_name": first_name, "last_name": last_name, "address_1": "Hauptstr. 1", "email": email},
        "shipping": {},
        "meta_data": meta,
    }


def product(product_id: int, *, sku: str = "", price: str = "10.00", categories=()) -> dict:
    return {
        "id": product_id,
        "name": f"Product {product_id}",
        "sku": sku,
        "price": price,
        "parent_id": 0,
        "type": "simple",
        "categories": [{"id": c, "name": f"Cat {c}", "slug": f"cat-{c}"} for c in categories],
        "date_modified_gmt": gmt(T0),
    }
