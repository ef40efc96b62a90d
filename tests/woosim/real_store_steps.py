"""Request sequences whose answers were recorded from a real WooCommerce
10.0.2 store (tests/woosim/captures/real-*.json) and are replayed against
woosim by test_real_store_replay.py: coupon expiry writes, the order trash,
order lines after a product is deleted for good, customers (usernames, email
changes, listing parameters, batch meta), the catalogue (prices as sent,
variations, type/search filters, categories), the coupons resource (email
restrictions, percent over 100, search, paging past the end), `dp` on orders
and refunds, the Allow header of a refused unsigned request, and when a
customer is (no longer) a paying customer. The shared
captures (../shared/woocommerce/captures) send none of these requests.

A step is (name, method, path, params, body, what to keep of the answer).
The method may name an unsigned request: `ANON GET` (no credentials),
`BASIC GET` or `QUERYKEYS GET` (the keys as Basic auth or in the query,
which WooCommerce accepts over https only).
`{name}` in a path, param or body is the id a named earlier step was given,
so the same sequence runs on any store, and `{name.a.0.b}` a value inside
that step's answer (a line item's id); a refused order's
`data.new_draft_order_id` is that step's id, a lookup that finds one record
(`code=`) names it. What is kept: the listed fields (dotted paths into the
JSON answer; `@X-WP-Total` or `header:X-WP-Total` reads a response header),
and `len` for listings; the HTTP status is kept as `http`. The run's tag is
written `{tag}`, and the four random digits WooCommerce gives a taken
username (`anna-5422`) are written `-<rand>`.

Re-record on a real store (never committed: only the JSON it writes):

    set -a; . ~/wcreal/keys.env; set +a
    .venv/bin/python -m tests.woosim.real_store_steps [SEQUENCE ...]

Without names every sequence is recorded again; with names only those.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from pathlib import Path

import requests

CAPTURES = Path(__file__).parent / "captures"

_EXPIRY = ("date_expires", "date_expires_gmt")
_ERR = ("code", "message")
_PAGING = ("header:X-WP-Total", "header:X-WP-TotalPages")
_LINE = (
    "line_items.0.product_id",
    "line_items.0.sku",
    "line_items.0.name",
    "line_items.0.total",
    "line_items.0.quantity",
    "date_modified_gmt",
)

_TOTALS = ("discount_total", "discount_tax", "shipping_total", "shipping_tax", "cart_tax", "total", "total_tax")
_FEE = (
    "fee_lines.0.tax_status",
    "fee_lines.0.amount",
    "fee_lines.0.total",
    "fee_lines.0.total_tax",
    "fee_lines.0.taxes.0.total",
    "fee_lines.0.taxes.0.subtotal",
)
_LINE_TOTALS = (
    "line_items.0.subtotal",
    "line_items.0.subtotal_tax",
    "line_items.0.total",
    "line_items.0.total_tax",
    "line_items.0.taxes.0.total",
    "line_items.0.taxes.0.subtotal",
)
_REFUSED = ("code", "message", "data.status", "@X-WP-Total")
_DRAFT = ("status", "total", "discount_total", "coupon_lines", "created_via", "is_editable", "needs_payment")
_DENIED = ("code", "message", "data.status", "@Allow")
_MONEY = (
    "discount_total",
    "discount_tax",
    "shipping_total",
    "shipping_tax",
    "cart_tax",
    "total",
    "total_tax",
    "refunds.0.total",
)
_ITEMS_MONEY = (
    "line_items.0.subtotal",
    "line_items.0.subtotal_tax",
    "line_items.0.total",
    "line_items.0.total_tax",
    "line_items.0.taxes.0.total",
    "line_items.0.taxes.0.subtotal",
    "line_items.0.price",
    "line_items.1.total",
    "line_items.1.taxes.0.total",
    "line_items.1.taxes.0.subtotal",
    "tax_lines.0.tax_total",
    "tax_lines.0.shipping_tax_total",
    "tax_lines.0.rate_percent",
    "shipping_lines.0.total",
    "shipping_lines.0.total_tax",
    "shipping_lines.0.taxes.0.total",
    "shipping_lines.0.taxes.0.subtotal",
    "fee_lines.0.total",
    "fee_lines.0.total_tax",
    "fee_lines.0.amount",
    "fee_lines.0.taxes.0.total",
    "coupon_lines.0.discount",
    "coupon_lines.0.discount_tax",
)
_PAYING = ("is_paying_customer",)

SEQUENCES = {
    "real-coupon-expiry": [
        (
            "gmt_only",
            "POST",
            "coupons",
            {},
            {"code": "{tag}-gmt", "amount": "5", "date_expires_gmt": "2027-01-15T10:00:00"},
            _EXPIRY,
        ),
        ("gmt_put", "PUT", "coupons/{gmt_only}", {}, {"date_expires_gmt": "2027-02-15T10:00:00"}, _EXPIRY),
        (
            "gmt_batch",
            "POST",
            "coupons/batch",
            {},
            {
                "create": [{"code": "{tag}-gmt-batch", "amount": "5", "date_expires_gmt": "2027-01-15T10:00:00"}],
                "update": [{"id": "{gmt_only}", "date_expires_gmt": "2027-03-15T10:00:00"}],
            },
            (
                "create.0.date_expires",
                "create.0.date_expires_gmt",
                "update.0.date_expires",
                "update.0.date_expires_gmt",
            ),
        ),
        (
            "utc_winter",
            "POST",
            "coupons",
            {},
            {"code": "{tag}-winter", "amount": "5", "date_expires": "2027-01-15T10:00:00+00:00"},
            _EXPIRY,
        ),
        (
            "utc_summer",
            "POST",
            "coupons",
            {},
            {"code": "{tag}-summer", "amount": "5", "date_expires": "2027-07-15T10:00:00+00:00"},
            _EXPIRY,
        ),
        (
            "local",
            "POST",
            "coupons",
            {},
            {"code": "{tag}-local", "amount": "5", "date_expires": "2027-01-15T10:00:00"},
            _EXPIRY,
        ),
        (
            "utc_batch",
            "POST",
            "coupons/batch",
            {},
            {"update": [{"id": "{utc_winter}", "date_expires": "2027-03-15T10:00:00+00:00"}]},
            ("update.0.date_expires", "update.0.date_expires_gmt"),
        ),
    ],
    "real-product-deleted": [
        (
            "product",
            "POST",
            "products",
            {},
            {"name": "{tag} beans", "regular_price": "10.00", "sku": "{tag}-1"},
            ("sku",),
        ),
        (
            "order",
            "POST",
            "orders",
            {},
            {
                "status": "completed",
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{product}", "quantity": 2}],
            },
            ("status", "line_items.0.sku", "line_items.0.total"),
        ),
        ("delete", "DELETE", "products/{product}", {"force": "true"}, None, ()),
        ("after", "GET", "orders/{order}", {}, None, _LINE),
    ],
    "real-order-totals": [
        (
            "beans",
            "POST",
            "products",
            {},
            {
                "name": "{tag} beans",
                "regular_price": "24.90",
                "sku": "{tag}-beans",
                "manage_stock": True,
                "stock_quantity": 100,
            },
            (),
        ),
        ("grinder", "POST", "products", {}, {"name": "{tag} grinder", "regular_price": "50.00"}, ()),
        ("vip", "POST", "products", {}, {"name": "{tag} vip", "regular_price": "49", "virtual": True}, ()),
        (
            "ebook",
            "POST",
            "products",
            {},
            {"name": "{tag} ebook", "regular_price": "9.99", "virtual": True, "downloadable": True},
            (),
        ),
        (
            "fee",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "fee_lines": [{"name": "Gift wrap", "total": "3.33"}],
            },
            _TOTALS + _FEE,
        ),
        (
            "negative_fee",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "fee_lines": [{"name": "Goodwill", "total": "-40.00"}],
            },
            _TOTALS + _FEE,
        ),
        (
            "small_fee_shipping",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.90"}],
                "fee_lines": [{"name": "Goodwill", "total": "-10.00"}],
            },
            _TOTALS + _FEE,
        ),
        (
            "override",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 2, "subtotal": "49.80", "total": "40.00"}],
            },
            _TOTALS + _LINE_TOTALS,
        ),
        (
            "subtotal_only",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1, "subtotal": "30.00"}],
            },
            _TOTALS + _LINE_TOTALS,
        ),
        (
            "rounding",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "line_items": [
                    {"product_id": "{beans}", "quantity": 1, "subtotal": "0.13", "total": "0.13"},
                    {"product_id": "{grinder}", "quantity": 1, "subtotal": "0.13", "total": "0.13"},
                    {"product_id": "{vip}", "quantity": 1, "subtotal": "0.13", "total": "0.13"},
                ],
            },
            _TOTALS + _LINE_TOTALS + ("tax_lines.0.tax_total",),
        ),
        (
            "put_quantity",
            "PUT",
            "orders/{override}",
            {},
            {"line_items": [{"id": "{override.line_items.0.id}", "quantity": 3}]},
            _TOTALS + _LINE_TOTALS + ("line_items.0.quantity",),
        ),
        (
            "thirds",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{grinder}", "quantity": 3, "total": "145.00"}],
            },
            ("line_items.0.price", "line_items.0.total"),
        ),
        ("five", "POST", "coupons", {}, {"code": "{tag}five", "discount_type": "percent", "amount": "5"}, ()),
        (
            "grinder_order",
            "POST",
            "orders",
            {},
            {"billing": {"email": "{tag}@example.com"}, "line_items": [{"product_id": "{grinder}", "quantity": 1}]},
            ("total",),
        ),
        (
            "put_coupon",
            "PUT",
            "orders/{grinder_order}",
            {},
            {"coupon_lines": [{"code": "{tag}five"}]},
            _TOTALS + _LINE_TOTALS + ("coupon_lines.0.code", "coupon_lines.0.discount", "coupon_lines.0.discount_tax"),
        ),
        (
            "set_paid",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "set_paid": True,
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
            },
            (
                "status",
                "needs_payment",
                "is_editable",
                "line_items.0.meta_data.0.key",
                "line_items.0.meta_data.0.value",
            ),
        ),
        (
            "set_paid_virtual",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "set_paid": True,
                "line_items": [{"product_id": "{vip}", "quantity": 1}],
            },
            ("status",),
        ),
        (
            "set_paid_on_hold",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "set_paid": True,
                "status": "on-hold",
                "line_items": [{"product_id": "{grinder}", "quantity": 1}],
            },
            ("status",),
        ),
        (
            "set_paid_completed",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "set_paid": True,
                "status": "completed",
                "line_items": [{"product_id": "{grinder}", "quantity": 1}],
            },
            ("status",),
        ),
        (
            "anna",
            "POST",
            "customers",
            {},
            {
                "email": "{tag}anna@example.com",
                "first_name": "Anna",
                "billing": {"email": "{tag}billing@example.com", "city": "Berlin"},
            },
            ("billing.email",),
        ),
        (
            "anna_no_billing",
            "POST",
            "orders",
            {},
            {"customer_id": "{anna}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            ("billing.email", "billing.city", "billing.first_name"),
        ),
        (
            "anna_partial_billing",
            "POST",
            "orders",
            {},
            {
                "customer_id": "{anna}",
                "billing": {"first_name": "A"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
            },
            ("billing.email", "billing.first_name"),
        ),
        (
            "guest_then_customer",
            "POST",
            "orders",
            {},
            {"line_items": [{"product_id": "{beans}", "quantity": 1}]},
            ("billing.email",),
        ),
        ("set_customer", "PUT", "orders/{guest_then_customer}", {}, {"customer_id": "{anna}"}, ("billing.email",)),
    ],
    "real-order-coupon-rules": [
        ("beans", "POST", "products", {}, {"name": "{tag} beans", "regular_price": "24.90"}, ()),
        ("anna", "POST", "customers", {}, {"email": "{tag}anna@example.com"}, ()),
        (
            "vip",
            "POST",
            "coupons",
            {},
            {
                "code": "{tag}vip",
                "discount_type": "percent",
                "amount": "15",
                "email_restrictions": ["{tag}ben@example.com"],
            },
            (),
        ),
        (
            "once",
            "POST",
            "coupons",
            {},
            {"code": "{tag}once", "discount_type": "fixed_cart", "amount": "5", "usage_limit": 1},
            (),
        ),
        (
            "mine",
            "POST",
            "coupons",
            {},
            {"code": "{tag}mine", "discount_type": "fixed_cart", "amount": "5", "usage_limit_per_user": 1},
            (),
        ),
        (
            "old",
            "POST",
            "coupons",
            {},
            {"code": "{tag}old", "discount_type": "fixed_cart", "amount": "5", "date_expires": "2020-01-01T00:00:00"},
            (),
        ),
        (
            "big",
            "POST",
            "coupons",
            {},
            {"code": "{tag}big", "discount_type": "fixed_cart", "amount": "5", "minimum_amount": "100"},
            (),
        ),
        (
            "small",
            "POST",
            "coupons",
            {},
            {"code": "{tag}small", "discount_type": "fixed_cart", "amount": "5", "maximum_amount": "10"},
            (),
        ),
        (
            "wrong_email",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}guest@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}vip"}],
            },
            _REFUSED,
        ),
        ("draft", "GET", "orders/{wrong_email}", {}, None, _DRAFT),
        ("draft_listed", "GET", "orders", {"include": "{wrong_email}"}, None, ("0.status", "@X-WP-Total")),
        (
            "draft_listed_draft",
            "GET",
            "orders",
            {"include": "{wrong_email}", "status": "checkout-draft"},
            None,
            ("0.status",),
        ),
        (
            "no_email",
            "POST",
            "orders",
            {},
            {"line_items": [{"product_id": "{beans}", "quantity": 1}], "coupon_lines": [{"code": "{tag}vip"}]},
            _REFUSED,
        ),
        (
            "right_email",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}BEN@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}vip"}],
            },
            ("status", "discount_total", "coupon_lines.0.code"),
        ),
        (
            "use_once",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}guest@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}once"}],
            },
            ("status", "discount_total"),
        ),
        (
            "used_up",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}guest@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}once"}],
            },
            _REFUSED,
        ),
        (
            "mine_first",
            "POST",
            "orders",
            {},
            {
                "customer_id": "{anna}",
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}mine"}],
            },
            ("status",),
        ),
        (
            "mine_again",
            "POST",
            "orders",
            {},
            {
                "customer_id": "{anna}",
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}mine"}],
            },
            _REFUSED,
        ),
        (
            "mine_guest_first",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}g2@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}mine"}],
            },
            ("status",),
        ),
        (
            "mine_guest_again",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}g2@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}mine"}],
            },
            _REFUSED,
        ),
        (
            "expired",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}guest@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}old"}],
            },
            _REFUSED,
        ),
        (
            "minimum",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}guest@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}big"}],
            },
            _REFUSED,
        ),
        (
            "maximum",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}guest@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}small"}],
            },
            _REFUSED,
        ),
        (
            "unknown",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}guest@example.com"},
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "coupon_lines": [{"code": "{tag}nosuch"}],
            },
            _REFUSED,
        ),
        ("unknown_draft", "GET", "orders/{unknown}", {}, None, _DRAFT),
        (
            "put_refused",
            "PUT",
            "orders/{use_once}",
            {},
            {"coupon_lines": [{"code": "{tag}old"}]},
            ("code", "message", "data.status", "data.new_draft_order_id"),
        ),
        (
            "after_put_refused",
            "GET",
            "orders/{use_once}",
            {},
            None,
            ("status", "discount_total", "coupon_lines.0.code"),
        ),
        ("once_after", "GET", "coupons/{once}", {}, None, ("usage_count",)),
    ],
    "real-order-refunds": [
        ("beans", "POST", "products", {}, {"name": "{tag} beans", "regular_price": "24.90"}, ()),
        (
            "paid",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "status": "processing",
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
            },
            ("total",),
        ),
        (
            "put_refunded",
            "PUT",
            "orders/{paid}",
            {},
            {"status": "refunded"},
            ("status", "refunds.0.total", "refunds.0.reason"),
        ),
        (
            "refunds",
            "GET",
            "orders/{paid}/refunds",
            {},
            None,
            ("0.amount", "0.reason", "0.refunded_payment", "0.line_items", "@X-WP-Total"),
        ),
        ("put_refunded_again", "PUT", "orders/{paid}", {}, {"status": "refunded"}, ("status",)),
        ("refunds_again", "GET", "orders/{paid}/refunds", {}, None, ("@X-WP-Total",)),
        (
            "other",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "status": "completed",
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
            },
            ("total",),
        ),
        (
            "zero",
            "POST",
            "orders/{other}/refunds",
            {},
            {"amount": "0.00", "api_refund": False},
            ("amount", "reason", "line_items"),
        ),
        ("zero_default", "POST", "orders/{other}/refunds", {}, {"api_refund": False}, ("amount", "code", "message")),
        (
            "number",
            "POST",
            "orders/{other}/refunds",
            {},
            {"amount": 1.5, "api_refund": False},
            ("code", "message", "data.params.amount", "data.details.amount"),
        ),
        (
            "negative",
            "POST",
            "orders/{other}/refunds",
            {},
            {"amount": "-1.00", "api_refund": False},
            ("code", "message", "data"),
        ),
        ("other_after", "GET", "orders/{other}", {}, None, ("status", "refunds.0.total")),
        ("other_refunds", "GET", "orders/{other}/refunds", {}, None, ("@X-WP-Total", "0.amount")),
        ("two", "POST", "orders/{other}/refunds", {}, {"amount": "2.00", "api_refund": False}, ("amount",)),
        (
            "by_id_asc",
            "GET",
            "orders/{other}/refunds",
            {"orderby": "id", "order": "asc"},
            None,
            ("0.amount", "2.amount"),
        ),
        (
            "by_id_desc",
            "GET",
            "orders/{other}/refunds",
            {"orderby": "id", "order": "desc"},
            None,
            ("0.amount", "2.amount"),
        ),
        ("unknown_order", "GET", "orders/999999/refunds", {}, None, ("@X-WP-Total", "@X-WP-TotalPages", "code")),
        ("unknown_refund", "GET", "orders/999999/refunds/999998", {}, None, ("code", "message", "data.status")),
    ],
    "real-order-listing": [
        ("beans", "POST", "products", {}, {"name": "{tag} beans", "regular_price": "24.90"}, ()),
        ("grinder", "POST", "products", {}, {"name": "{tag} grinder", "regular_price": "50.00"}, ()),
        ("anna", "POST", "customers", {}, {"email": "{tag}anna@example.com"}, ()),
        (
            "one",
            "POST",
            "orders",
            {},
            {"customer_id": "{anna}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        (
            "two",
            "POST",
            "orders",
            {},
            {
                "customer_id": "{anna}",
                "status": "cancelled",
                "line_items": [{"product_id": "{grinder}", "quantity": 1}, {"product_id": "{beans}", "quantity": 2}],
            },
            (),
        ),
        (
            "past_end",
            "GET",
            "orders",
            {"customer": "{anna}", "page": "99"},
            None,
            ("@X-WP-Total", "@X-WP-TotalPages", "@Link"),
        ),
        ("by_product", "GET", "orders", {"product": "{grinder}"}, None, ("0.status", "@X-WP-Total")),
        ("by_product_none", "GET", "orders", {"product": "999999"}, None, ("@X-WP-Total",)),
        (
            "first_page_link",
            "GET",
            "orders",
            {"customer": "{anna}", "per_page": "1", "status": "any", "dates_are_gmt": "true"},
            None,
            ("@Link",),
        ),
        ("note", "POST", "orders/{one}/notes", {}, {"note": "{tag} packed"}, ("note", "author", "customer_note")),
        ("note_get", "GET", "orders/{one}/notes/{note}", {}, None, ("note", "author", "customer_note")),
        ("note_unknown", "GET", "orders/{one}/notes/999999", {}, None, ("code", "message", "data.status")),
    ],
    "real-order-trash": [
        ("product", "POST", "products", {}, {"name": "{tag} mug", "regular_price": "8.00"}, ()),
        (
            "order",
            "POST",
            "orders",
            {},
            {
                "status": "completed",
                "billing": {"email": "{tag}@example.com"},
                "line_items": [{"product_id": "{product}", "quantity": 1}],
            },
            ("status", "date_modified_gmt"),
        ),
        ("trash", "DELETE", "orders/{order}", {}, None, ("status", "date_modified_gmt")),
        ("get", "GET", "orders/{order}", {}, None, ("status",)),
        ("any", "GET", "orders", {"status": "any", "include": "{order}"}, None, ()),
        ("trash_listing", "GET", "orders", {"status": "trash", "include": "{order}"}, None, ("0.status",)),
        ("any_and_trash", "GET", "orders", {"status": "any,trash", "include": "{order}"}, None, ()),
    ],
    "real-customers-usernames": [
        (
            "anna",
            "POST",
            "customers",
            {},
            {"email": "{tag}Anna@example.com", "first_name": "Anna"},
            ("username", "email"),
        ),
        ("anna_org", "POST", "customers", {}, {"email": "{tag}anna@example.org"}, ("username",)),
        ("clara", "POST", "customers", {}, {"email": "{tag}clara+tag@example.com"}, ("username", "email")),
        ("info", "POST", "customers", {}, {"email": "info@{tag}.example.com"}, ("username",)),
        ("ben", "POST", "customers", {}, {"email": "{tag}ben@example.com", "username": "{tag}Ben.Shop"}, ("username",)),
        ("ben_taken", "POST", "customers", {}, {"email": "{tag}ben2@example.com", "username": "{tag}ben.shop"}, _ERR),
        ("plus", "POST", "customers", {}, {"email": "{tag}ben3@example.com", "username": "{tag}Ben+Shop"}, _ERR),
        ("email_taken", "POST", "customers", {}, {"email": "{tag}ANNA@example.com"}, _ERR),
        ("email_case", "PUT", "customers/{anna}", {}, {"email": "{tag}ANNA@EXAMPLE.COM"}, _ERR),
        ("email_new", "PUT", "customers/{anna}", {}, {"email": "{tag}anna.new@example.com"}, ("email",) + _ERR),
        ("username_edit", "PUT", "customers/{anna}", {}, {"username": "{tag}other"}, _ERR),
        ("bad_role", "GET", "customers", {"role": "wizard"}, None, _ERR),
        ("bad_email", "GET", "customers", {"email": "not-an-email"}, None, _ERR),
        ("by_email", "GET", "customers", {"email": "{tag}BEN@example.com"}, None, ("0.username",)),
        (
            "search",
            "GET",
            "customers",
            {"search": "{tag}", "orderby": "id", "order": "asc"},
            None,
            ("0.username", "1.username", "2.username") + _PAGING,
        ),
        ("past_end", "GET", "customers", {"search": "{tag}", "page": "99"}, None, _PAGING),
        (
            "batch_meta",
            "POST",
            "customers/batch",
            {},  # the first meta row is WordPress' own
            {
                "update": [
                    {"id": "{anna}", "meta_data": [{"key": "loyalty_points", "value": "150"}]},
                    {"id": 999999, "meta_data": [{"key": "loyalty_points", "value": "1"}]},
                ]
            },
            ("update.0.meta_data.0.key", "update.0.meta_data.0.value", "update.1.id", "update.1.error.code"),
        ),
        ("del_anna", "DELETE", "customers/{anna}", {"force": "true"}, None, ()),
        ("del_anna_org", "DELETE", "customers/{anna_org}", {"force": "true"}, None, ()),
        ("del_clara", "DELETE", "customers/{clara}", {"force": "true"}, None, ()),
        ("del_info", "DELETE", "customers/{info}", {"force": "true"}, None, ()),
        ("del_ben", "DELETE", "customers/{ben}", {"force": "true"}, None, ()),
    ],
    "real-products-catalogue": [
        ("cat", "POST", "products/categories", {}, {"name": "{tag} Coffee"}, ("slug", "count")),
        ("child", "POST", "products/categories", {}, {"name": "{tag} Espresso", "parent": "{cat}"}, ("slug",)),
        (
            "beans",
            "POST",
            "products",
            {},
            {"name": "{tag} Beans", "regular_price": "24.90", "categories": [{"id": "{cat}"}]},
            ("price", "regular_price", "shipping_taxable", "price_html"),
        ),
        (
            "vip",
            "POST",
            "products",
            {},
            {"name": "{tag} Membership", "regular_price": "49", "virtual": True, "categories": [{"id": "{cat}"}]},
            ("price", "regular_price", "shipping_taxable", "shipping_required", "price_html"),
        ),
        (
            "filter",
            "POST",
            "products",
            {},
            {
                "name": "{tag} Filter",
                "type": "variable",
                "attributes": [{"name": "Size", "variation": True, "visible": True, "options": ["250g", "500g"]}],
            },
            ("type",),
        ),
        (
            "small",
            "POST",
            "products/{filter}/variations",
            {},
            {"regular_price": "8.5", "attributes": [{"name": "Size", "option": "250g"}]},
            ("price", "regular_price", "tax_class"),
        ),
        ("variations", "GET", "products/{filter}/variations", {}, None, ("0.tax_class", "0.price")),
        (
            "variation_as_product",
            "GET",
            "products/{small}",
            {},
            None,
            (
                "type",
                "name",
                "slug",
                "price",
                "tax_class",
                "total_sales",
                "reviews_allowed",
                "related_ids",
                "categories",
                "has_options",
            ),
        ),
        (
            "reprice",
            "PUT",
            "products/{vip}",
            {},
            {"regular_price": "50", "sale_price": ""},
            ("price", "regular_price", "average_rating", "generated_slug"),
        ),
        (
            "search",
            "GET",
            "products",
            {"search": "{tag}", "orderby": "id", "order": "asc"},
            None,
            ("0.name", "1.name", "2.name", "1.price") + _PAGING,
        ),
        ("type_variable", "GET", "products", {"search": "{tag}", "type": "variable"}, None, ("0.name",) + _PAGING),
        ("type_simple", "GET", "products", {"search": "{tag}", "type": "simple"}, None, _PAGING),
        ("type_bad", "GET", "products", {"type": "wizard"}, None, _ERR),
        ("past_end", "GET", "products", {"search": "{tag}", "page": "99"}, None, _PAGING),
        ("cats_search", "GET", "products/categories", {"search": "{tag}"}, None, ("0.name", "1.name") + _PAGING),
        ("cats_parent", "GET", "products/categories", {"parent": "{cat}"}, None, ("0.name",) + _PAGING),
        (
            "cats_hide_empty",
            "GET",
            "products/categories",
            {"search": "{tag}", "hide_empty": "true"},
            None,
            ("0.name", "0.count") + _PAGING,
        ),
        (
            "cats_by_id_desc",
            "GET",
            "products/categories",
            {"search": "{tag}", "orderby": "id", "order": "desc"},
            None,
            ("0.name", "1.name"),
        ),
        ("cats_past_end", "GET", "products/categories", {"search": "{tag}", "page": "99"}, None, _PAGING),
        ("del_small", "DELETE", "products/{filter}/variations/{small}", {"force": "true"}, None, ("tax_class",)),
        ("del_filter", "DELETE", "products/{filter}", {"force": "true"}, None, ()),
        ("del_vip", "DELETE", "products/{vip}", {"force": "true"}, None, ("price", "generated_slug")),
        ("del_beans", "DELETE", "products/{beans}", {"force": "true"}, None, ()),
        ("del_child", "DELETE", "products/categories/{child}", {"force": "true"}, None, ()),
        ("del_cat", "DELETE", "products/categories/{cat}", {"force": "true"}, None, ()),
    ],
    "real-auth-allow": [
        ("signed", "GET", "customers", {"email": "{tag}none@example.com"}, None, ("@Allow",)),
        ("signed_invalid", "GET", "orders", {"per_page": "0"}, None, ("code", "@Allow")),
        ("anonymous", "ANON GET", "orders", {"customer": "1"}, None, _DENIED),
        ("basic_over_http", "BASIC GET", "orders", {"customer": "1"}, None, _DENIED),
        ("query_keys_over_http", "QUERYKEYS GET", "orders", {"customer": "1"}, None, _DENIED),
        ("anonymous_item", "ANON GET", "orders/999999", {}, None, _DENIED),
        ("anonymous_create", "ANON POST", "customers", {}, {"email": "{tag}anon@example.com"}, _DENIED),
        ("anonymous_invalid", "ANON GET", "orders", {"per_page": "0"}, None, ("code", "@Allow")),
    ],
    "real-order-decimals": [
        ("beans", "POST", "products", {}, {"name": "{tag} beans", "regular_price": "24.90"}, ()),
        ("grinder", "POST", "products", {}, {"name": "{tag} grinder", "regular_price": "50.00"}, ()),
        ("five", "POST", "coupons", {}, {"code": "{tag}five", "discount_type": "percent", "amount": "5"}, ()),
        (
            "order",
            "POST",
            "orders",
            {},
            {
                "billing": {"email": "{tag}@example.com"},
                "status": "completed",
                "coupon_lines": [{"code": "{tag}five"}],
                "line_items": [
                    {"product_id": "{beans}", "quantity": 1, "subtotal": "0.13", "total": "0.13"},
                    {"product_id": "{grinder}", "quantity": 3},
                ],
                "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.9"}],
                "fee_lines": [{"name": "Gift wrap", "total": "3.33"}],
            },
            ("total",),
        ),
        ("refund", "POST", "orders/{order}/refunds", {}, {"amount": "1.5", "api_refund": False}, ("amount",)),
        (
            "list_dp3",
            "GET",
            "orders",
            {"include": "{order}", "dp": "3"},
            None,
            tuple(f"0.{f}" for f in _MONEY + _ITEMS_MONEY),
        ),
        (
            "list_dp0",
            "GET",
            "orders",
            {"include": "{order}", "dp": "0"},
            None,
            tuple(f"0.{f}" for f in _MONEY + _ITEMS_MONEY),
        ),
        (
            "list_dp5",
            "GET",
            "orders",
            {"include": "{order}", "dp": "5"},
            None,
            tuple(f"0.{f}" for f in _MONEY + _ITEMS_MONEY),
        ),
        ("list_dp_negative", "GET", "orders", {"include": "{order}", "dp": "-1"}, None, ("0.total",)),
        ("list_dp_whole_float", "GET", "orders", {"include": "{order}", "dp": "3.0"}, None, ("0.total",)),
        ("list_dp_fraction", "GET", "orders", {"include": "{order}", "dp": "3.5"}, None, _ERR + ("data.details",)),
        ("list_dp_word", "GET", "orders", {"include": "{order}", "dp": "abc"}, None, _ERR + ("data.details",)),
        ("list_dp2", "GET", "orders", {"include": "{order}", "dp": "2"}, None, tuple(f"0.{f}" for f in _MONEY)),
        ("get_dp3", "GET", "orders/{order}", {"dp": "3"}, None, _MONEY + _ITEMS_MONEY),
        ("get_dp_word", "GET", "orders/{order}", {"dp": "abc"}, None, ("total", "line_items.0.taxes.0.total")),
        ("put_dp4", "PUT", "orders/{order}", {"dp": "4"}, {"customer_note": "{tag}"}, ("total", "refunds.0.total")),
        (
            "create_dp1",
            "POST",
            "orders",
            {"dp": "1"},
            {"billing": {"email": "{tag}@example.com"}, "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            ("total", "line_items.0.taxes.0.total"),
        ),
        ("refunds_dp3", "GET", "orders/{order}/refunds", {"dp": "3"}, None, ("0.amount",)),
        ("refund_dp0", "GET", "orders/{order}/refunds/{refund}", {"dp": "0"}, None, ("amount",)),
        ("del_create_dp1", "DELETE", "orders/{create_dp1}", {"force": "true"}, None, ()),
        ("del_order", "DELETE", "orders/{order}", {"force": "true"}, None, ()),
        ("del_five", "DELETE", "coupons/{five}", {"force": "true"}, None, ()),
        ("del_beans", "DELETE", "products/{beans}", {"force": "true"}, None, ()),
        ("del_grinder", "DELETE", "products/{grinder}", {"force": "true"}, None, ()),
    ],
    "real-order-paid-and-fees": [
        (
            "ebook",
            "POST",
            "products",
            {},
            {"name": "{tag} ebook", "regular_price": "9.99", "virtual": True, "downloadable": True},
            ("virtual", "downloadable", "shipping_required"),
        ),
        ("vip", "POST", "products", {}, {"name": "{tag} vip", "regular_price": "49", "virtual": True}, ()),
        ("beans", "POST", "products", {}, {"name": "{tag} beans", "regular_price": "24.90"}, ()),
        (
            "paid_download",
            "POST",
            "orders",
            {},
            {"set_paid": True, "line_items": [{"product_id": "{ebook}", "quantity": 1}]},
            ("status", "needs_processing", "date_completed_gmt"),
        ),
        (
            "paid_virtual",
            "POST",
            "orders",
            {},
            {"set_paid": True, "line_items": [{"product_id": "{vip}", "quantity": 1}]},
            ("status", "needs_processing"),
        ),
        (
            "paid_download_and_beans",
            "POST",
            "orders",
            {},
            {
                "set_paid": True,
                "line_items": [{"product_id": "{ebook}", "quantity": 1}, {"product_id": "{beans}", "quantity": 1}],
            },
            ("status", "needs_processing"),
        ),
        (
            "fee_over_all",
            "POST",
            "orders",
            {},
            {
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.90"}],
                "fee_lines": [{"name": "Goodwill", "total": "-100"}],
            },
            _TOTALS + _FEE,
        ),
        (
            "untaxed_fee_over_items",
            "POST",
            "orders",
            {},
            {
                "line_items": [{"product_id": "{beans}", "quantity": 1}],
                "fee_lines": [{"name": "Goodwill", "total": "-100", "tax_status": "none"}],
            },
            _TOTALS + _FEE,
        ),
        ("fee_alone", "POST", "orders", {}, {"fee_lines": [{"name": "Goodwill", "total": "-5"}]}, _TOTALS + _FEE),
        ("del_paid_download", "DELETE", "orders/{paid_download}", {"force": "true"}, None, ()),
        ("del_paid_virtual", "DELETE", "orders/{paid_virtual}", {"force": "true"}, None, ()),
        ("del_paid_download_and_beans", "DELETE", "orders/{paid_download_and_beans}", {"force": "true"}, None, ()),
        ("del_fee_over_all", "DELETE", "orders/{fee_over_all}", {"force": "true"}, None, ()),
        ("del_untaxed_fee_over_items", "DELETE", "orders/{untaxed_fee_over_items}", {"force": "true"}, None, ()),
        ("del_fee_alone", "DELETE", "orders/{fee_alone}", {"force": "true"}, None, ()),
        ("del_ebook", "DELETE", "products/{ebook}", {"force": "true"}, None, ()),
        ("del_vip", "DELETE", "products/{vip}", {"force": "true"}, None, ()),
        ("del_beans", "DELETE", "products/{beans}", {"force": "true"}, None, ()),
    ],
    "real-customer-paying": [
        ("beans", "POST", "products", {}, {"name": "{tag} beans", "regular_price": "10.00"}, ()),
        ("anna", "POST", "customers", {}, {"email": "{tag}anna@example.com"}, _PAYING),
        (
            "anna_completed",
            "POST",
            "orders",
            {},
            {"customer_id": "{anna}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        ("anna_paying", "GET", "customers/{anna}", {}, None, _PAYING),
        ("anna_delete_order", "DELETE", "orders/{anna_completed}", {"force": "true"}, None, ()),
        ("anna_after", "GET", "customers/{anna}", {}, None, _PAYING),
        ("ben", "POST", "customers", {}, {"email": "{tag}ben@example.com"}, ()),
        (
            "ben_processing",
            "POST",
            "orders",
            {},
            {"customer_id": "{ben}", "status": "processing", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        ("ben_paying", "GET", "customers/{ben}", {}, None, _PAYING),
        ("ben_completed", "PUT", "orders/{ben_processing}", {}, {"status": "completed"}, ()),
        ("ben_paying_now", "GET", "customers/{ben}", {}, None, _PAYING),
        ("ben_cancelled", "PUT", "orders/{ben_processing}", {}, {"status": "cancelled"}, ()),
        ("ben_still_paying", "GET", "customers/{ben}", {}, None, _PAYING),
        ("clara", "POST", "customers", {}, {"email": "{tag}clara@example.com"}, ()),
        (
            "clara_set_paid",
            "POST",
            "orders",
            {},
            {"customer_id": "{clara}", "set_paid": True, "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            ("status",),
        ),
        ("clara_paying", "GET", "customers/{clara}", {}, None, _PAYING),
        ("dora", "POST", "customers", {}, {"email": "{tag}dora@example.com"}, ()),
        (
            "dora_one",
            "POST",
            "orders",
            {},
            {"customer_id": "{dora}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        (
            "dora_two",
            "POST",
            "orders",
            {},
            {"customer_id": "{dora}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        ("dora_delete_one", "DELETE", "orders/{dora_one}", {"force": "true"}, None, ()),
        ("dora_one_left", "GET", "customers/{dora}", {}, None, _PAYING),
        ("dora_delete_two", "DELETE", "orders/{dora_two}", {"force": "true"}, None, ()),
        ("dora_none_left", "GET", "customers/{dora}", {}, None, _PAYING),
        ("emil", "POST", "customers", {}, {"email": "{tag}emil@example.com"}, ()),
        (
            "emil_completed",
            "POST",
            "orders",
            {},
            {"customer_id": "{emil}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        ("emil_trash", "DELETE", "orders/{emil_completed}", {}, None, ()),
        ("emil_trashed", "GET", "customers/{emil}", {}, None, _PAYING),
        ("emil_delete_trashed", "DELETE", "orders/{emil_completed}", {"force": "true"}, None, ()),
        ("emil_after", "GET", "customers/{emil}", {}, None, _PAYING),
        ("finn", "POST", "customers", {}, {"email": "{tag}finn@example.com"}, ()),
        (
            "finn_completed",
            "POST",
            "orders",
            {},
            {"customer_id": "{finn}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        (
            "finn_pending",
            "POST",
            "orders",
            {},
            {"customer_id": "{finn}", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        ("finn_delete_completed", "DELETE", "orders/{finn_completed}", {"force": "true"}, None, ()),
        ("finn_after", "GET", "customers/{finn}", {}, None, _PAYING),
        ("gina", "POST", "customers", {}, {"email": "{tag}gina@example.com"}, ()),
        (
            "gina_completed",
            "POST",
            "orders",
            {},
            {"customer_id": "{gina}", "status": "completed", "line_items": [{"product_id": "{beans}", "quantity": 1}]},
            (),
        ),
        ("gina_batch_delete", "POST", "orders/batch", {}, {"delete": ["{gina_completed}"]}, ()),
        ("gina_after", "GET", "customers/{gina}", {}, None, _PAYING),
        ("del_finn_pending", "DELETE", "orders/{finn_pending}", {"force": "true"}, None, ()),
        ("del_clara_order", "DELETE", "orders/{clara_set_paid}", {"force": "true"}, None, ()),
        ("del_ben_order", "DELETE", "orders/{ben_processing}", {"force": "true"}, None, ()),
        ("del_anna", "DELETE", "customers/{anna}", {"force": "true"}, None, _PAYING),
        ("del_ben", "DELETE", "customers/{ben}", {"force": "true"}, None, _PAYING),
        ("del_clara", "DELETE", "customers/{clara}", {"force": "true"}, None, _PAYING),
        ("del_dora", "DELETE", "customers/{dora}", {"force": "true"}, None, _PAYING),
        ("del_emil", "DELETE", "customers/{emil}", {"force": "true"}, None, _PAYING),
        ("del_finn", "DELETE", "customers/{finn}", {"force": "true"}, None, _PAYING),
        ("del_gina", "DELETE", "customers/{gina}", {"force": "true"}, None, _PAYING),
        ("del_beans", "DELETE", "products/{beans}", {"force": "true"}, None, ()),
    ],
    "real-coupons-resource": [
        (
            "over_100",
            "POST",
            "coupons",
            {},
            {"code": "{tag}all", "discount_type": "percent", "amount": "150"},
            ("amount",) + _ERR,
        ),
        ("update_over_100", "PUT", "coupons/{over_100}", {}, {"amount": "150"}, _ERR),
        ("negative", "POST", "coupons", {}, {"code": "{tag}neg", "discount_type": "fixed_cart", "amount": "-5"}, _ERR),
        (
            "mixed",
            "POST",
            "coupons",
            {},
            {
                "code": "{tag}mixed",
                "discount_type": "percent",
                "amount": "5",
                "email_restrictions": ["not-an-email", "{tag}OK@example.com"],
            },
            ("email_restrictions",),
        ),
        (
            "none_valid",
            "POST",
            "coupons",
            {},
            {"code": "{tag}none", "discount_type": "percent", "amount": "5", "email_restrictions": ["bad", "worse"]},
            ("email_restrictions",),
        ),
        ("reward", "POST", "coupons", {}, {"code": "{tag}r1", "amount": "5", "description": "a reward"}, ("code",)),
        (
            "batch_over_100",
            "POST",
            "coupons/batch",
            {},
            {"create": [{"code": "{tag}batch", "discount_type": "percent", "amount": "150"}]},
            ("create.0.amount",),
        ),
        (
            "search",
            "GET",
            "coupons",
            {"search": "{tag}r", "orderby": "id", "order": "asc"},
            None,
            ("0.code",) + _PAGING,
        ),
        ("past_end", "GET", "coupons", {"search": "{tag}", "page": "99"}, None, _PAGING),
        ("del_over_100", "DELETE", "coupons/{over_100}", {"force": "true"}, None, ()),
        ("del_mixed", "DELETE", "coupons/{mixed}", {"force": "true"}, None, ()),
        ("del_none", "DELETE", "coupons/{none_valid}", {"force": "true"}, None, ()),
        ("del_reward", "DELETE", "coupons/{reward}", {"force": "true"}, None, ()),
        ("find_batch", "GET", "coupons", {"code": "{tag}batch"}, None, ("0.amount",)),
        ("del_batch", "DELETE", "coupons/{find_batch}", {"force": "true"}, None, ()),
    ],
}

_RANDOM_SUFFIX = re.compile(r"-\d{4}$")


def field(answer, dotted: str):
    """`a.0.b` of a JSON answer (None where the path does not exist)."""
    for part in dotted.split("."):
        if isinstance(answer, list) and part.isdigit() and int(part) < len(answer):
            answer = answer[int(part)]
        elif isinstance(answer, dict) and part in answer:
            answer = answer[part]
        else:
            return None
    return answer


_ID_PARAMS = ("customer", "product", "include", "exclude", "parent")


def _link(value, ids: dict) -> str:
    """A Link header as the store's own URLs, comparable across stores: the
    path from /wp-json/ on, without the OAuth params (the key and a one-time
    signature), ids of this run's objects as `{name}`, the tag as `{tag}`."""
    names = {str(v): k for k, v in ids.items() if k != "tag"}
    out = []
    for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]*)"', value):
        path, _, query = url.partition("?")
        pairs = [p.split("=", 1) + [""] for p in query.split("&") if p and not p.startswith("oauth_")]
        query = "&".join(f"{k}={'{' + names[v] + '}' if v in names and k in _ID_PARAMS else v}" for k, v, *_ in pairs)
        out.append(f'<{path[path.index("/wp-json/") :]}?{query}>; rel="{rel}"')
    return _untagged(", ".join(out), ids["tag"])


def _untagged(value, tag: str):
    """The run's tag written as `{tag}`, so two runs' answers compare."""
    if isinstance(value, str):
        return value.replace(tag, "{tag}")
    if isinstance(value, list):
        return [_untagged(v, tag) for v in value]
    if isinstance(value, dict):
        return {k: _untagged(v, tag) for k, v in value.items()}
    return value


def _kept(response, answer, name: str, tag: str, ids: dict):
    """A kept field: `@Name` or `header:Name` is a response header (a Link made
    comparable), else a dotted path into the answer."""
    if name.startswith(("@", "header:")):
        header = name[1:] if name.startswith("@") else name[len("header:") :]
        got = response.headers.get(header)
        return _link(got, ids) if header == "Link" and got else _untagged(got, tag)
    value = _untagged(field(answer, name), tag)
    if name.endswith("username") and isinstance(value, str):
        value = _RANDOM_SUFFIX.sub("-<rand>", value)
    return value


def _unsigned(api, mode: str, method: str, path: str, params: dict, body):
    """A request that is not OAuth-signed, to the client's store: `ANON` (no
    credentials), `BASIC` (the keys as Basic auth) or `QUERYKEYS` (the keys as
    consumer_key/consumer_secret); over http WooCommerce accepts neither."""
    keys = {"consumer_key": api.consumer_key, "consumer_secret": api.consumer_secret}
    session = requests.Session()
    session.trust_env = False  # the machine exports proxies and CA bundles
    return session.request(
        method,
        f"{api.url}/wp-json/{api.version}/{path}",
        json=body,
        timeout=api.timeout,
        params={**params, **keys} if mode == "QUERYKEYS" else params,
        auth=(api.consumer_key, api.consumer_secret) if mode == "BASIC" else None,
    )


_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)((?:\.[A-Za-z0-9_]+)*)\}")


def run(api, sequence: list, tag: str) -> list[dict]:
    """Send a sequence through a `woocommerce.API` client; what each step kept."""
    ids = {"tag": tag}
    answers: dict = {}

    def value_of(name: str, path: str):
        return field(answers.get(name), path[1:]) if path else ids.get(name)

    def fill(value):
        if isinstance(value, str):
            whole = _PLACEHOLDER.fullmatch(value)
            if whole and whole.group(1) != "tag" and value_of(*whole.groups()) is not None:
                return value_of(*whole.groups())
            return _PLACEHOLDER.sub(
                lambda m: str(value_of(*m.groups())) if value_of(*m.groups()) is not None else m.group(0), value
            )
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    kept = []
    for name, method, path, params, body, fields in sequence:
        mode, _, method = method.rpartition(" ")
        path, params = fill(path), fill(params)
        if mode:
            response = _unsigned(api, mode, method, path, params, fill(body))
        else:
            send = getattr(api, method.lower())
            response = send(path, fill(body), params=params) if body is not None else send(path, params=params)
        answer = answers[name] = response.json()
        if isinstance(answer, dict) and isinstance(answer.get("id"), int):
            ids[name] = answer["id"]
        elif isinstance(field(answer, "data.new_draft_order_id"), int):
            ids[name] = answer["data"]["new_draft_order_id"]
        elif isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict):
            ids[name] = answer[0].get("id")  # a lookup (`code=`) names what it found
        step = {"step": name, "http": response.status_code, **{f: _kept(response, answer, f, tag, ids) for f in fields}}
        if isinstance(answer, list):
            step["len"] = len(answer)
        kept.append(step)
    return kept


def _record(names: list[str]) -> None:  # pragma: no cover - run by hand against a real store
    from woocommerce import API

    api = API(
        url=os.environ["WC_URL"],
        consumer_key=os.environ["WC_CONSUMER_KEY"],
        consumer_secret=os.environ["WC_CONSUMER_SECRET"],
        version="wc/v3",
        timeout=60,
    )
    version = api.get("system_status").json()["environment"]["version"]
    unknown = set(names) - set(SEQUENCES)
    if unknown:
        sys.exit(f"no such sequence: {', '.join(sorted(unknown))} (known: {', '.join(SEQUENCES)})")
    for name, sequence in SEQUENCES.items():
        if names and name not in names:
            continue
        tag = f"rec{secrets.token_hex(3)}"
        kept = run(api, sequence, tag)
        out = {"store": f"WooCommerce {version}", "tag": tag, "steps": kept}
        (CAPTURES / f"{name}.json").write_text(json.dumps(out, indent=1) + "\n")
        print(f"{name}: {len(kept)} steps recorded", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    _record(sys.argv[1:])
