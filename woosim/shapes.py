"""Render stored records as WooCommerce REST JSON, key order as in the captures.

Records keep dates as UTC epoch ints; every `date_x` is rendered twice, local
and `_gmt`. Keeping all output shaping here means the key sets compared by the
contract tests live in one place. `base` is the store URL (scheme://host) the
client used, so `_links` point back at the simulator.
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import c_make_encoder, encode_basestring

from . import money
from .timeutil import StoreTZ, fmt_gmt
import re

ITEM_ALLOW = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class Ctx:
    __slots__ = ("base", "tz")

    def __init__(self, base: str, tz: StoreTZ):
        self.base = base.rstrip("/")
        self.tz = tz

    def api(self, path: str) -> str:
        return f"{self.base}/wp-json/wc/v3/{path}"


def _self_coll(ctx: Ctx, item: str, coll: str, up: str | None = None) -> dict:
    links = {
        "self": [{"href": ctx.api(item), "targetHints": {"allow": ITEM_ALLOW}}],
        "collection": [{"href": ctx.api(coll)}],
    }
    if up:
        links["up"] = [{"href": ctx.api(up)}]
    return links


def avatar(email: str, size: int) -> str:
    h = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"https://secure.gravatar.com/avatar/{h}?s={size}&d=mm&r=g"


BILLING_KEYS = [
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "country",
    "state",
    "email",
    "phone",
]
SHIPPING_KEYS = [
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "country",
    "state",
    "phone",
]
# orders put state before postcode (capture 063)
ORDER_BILLING_KEYS = [
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
]
ORDER_SHIPPING_KEYS = [
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
]


def address(src: dict | None, keys: list[str]) -> dict:
    src = src or {}
    return {k: str(src.get(k) or "") for k in keys}


def customer_json(c: dict, ctx: Ctx) -> dict:
    tz = ctx.tz
    return {
        "id": c["id"],
        "date_created": tz.fmt_local(c["created"]),
        "date_created_gmt": fmt_gmt(c["created"]),
        "date_modified": tz.fmt_local(c["modified"]),
        "date_modified_gmt": fmt_gmt(c["modified"]),
        "email": c["email"],
        "first_name": c["first_name"],
        "last_name": c["last_name"],
        "role": c["role"],
        "username": c["username"],
        "billing": address(c["billing"], BILLING_KEYS),
        "shipping": address(c["shipping"], SHIPPING_KEYS),
        "is_paying_customer": c["is_paying_customer"],
        "avatar_url": avatar(c["email"], 96),
        "meta_data": [{"id": m[0], "key": m[1], "value": m[2]} for m in c["meta"] if not m[1].startswith("_")],
        "_links": _self_coll(ctx, f"customers/{c['id']}", "customers"),
    }


def _php_list(values: list, positions: list[int] | None):
    """A PHP array as json_encode writes it: a list when its keys are 0..n-1,
    else an object keyed by position."""
    if not positions or positions == list(range(len(values))):
        return list(values)
    return {str(i): v for i, v in zip(positions, values, strict=True)}


def coupon_json(c: dict, ctx: Ctx) -> dict:
    tz = ctx.tz
    return {
        "id": c["id"],
        "code": c["code"],
        "amount": c["amount"],
        "status": c["status"],
        "date_created": tz.fmt_local(c["created"]),
        "date_created_gmt": fmt_gmt(c["created"]),
        "date_modified": tz.fmt_local(c["modified"]),
        "date_modified_gmt": fmt_gmt(c["modified"]),
        "discount_type": c["discount_type"],
        "description": c["description"],
        "date_expires": tz.fmt_local(c["expires"]),
        "date_expires_gmt": fmt_gmt(c["expires"]),
        "usage_count": len(c["used_by"]),
        "individual_use": c["individual_use"],
        "product_ids": list(c["product_ids"]),
        "excluded_product_ids": list(c["excluded_product_ids"]),
        "usage_limit": c["usage_limit"],
        "usage_limit_per_user": c["usage_limit_per_user"],
        "limit_usage_to_x_items": c["limit_usage_to_x_items"],
        "free_shipping": c["free_shipping"],
        "product_categories": list(c["product_categories"]),
        "excluded_product_categories": list(c["excluded_product_categories"]),
        "exclude_sale_items": c["exclude_sale_items"],
        "minimum_amount": c["minimum_amount"],
        "maximum_amount": c["maximum_amount"],
        "email_restrictions": _php_list(c["email_restrictions"], c.get("email_restriction_positions")),
        "used_by": list(c["used_by"]),
        "meta_data": [{"id": m[0], "key": m[1], "value": m[2]} for m in c["meta"]],
        "_links": _self_coll(ctx, f"coupons/{c['id']}", "coupons"),
    }


def category_json(c: dict, ctx: Ctx, counts: dict | None = None) -> dict:
    """`counts`: published products per category (State.category_counts)."""
    return {
        "id": c["id"],
        "name": c["name"],
        "slug": c["slug"],
        "parent": c["parent"],
        "description": c["description"],
        "display": "default",
        "image": None,
        "menu_order": 0,
        "count": (counts or {}).get(c["id"], 0),
        "_links": _self_coll(
            ctx,
            f"products/categories/{c['id']}",
            "products/categories",
            f"products/categories/{c['parent']}" if c["parent"] else None,
        ),
    }


def _wpautop(text: str) -> str:
    return f"<p>{text}</p>\n" if text else ""


def price_html(p: dict, price_range: tuple[str, str] | None = None) -> str:
    def amt(v, extra=""):
        v = money.fmt(v)  # wc_price: the store's 2 decimals, whatever the stored price looks like
        return (
            f'<span class="woocommerce-Price-amount amount"{extra}><bdi>{v}&nbsp;'
            f'<span class="woocommerce-Price-currencySymbol">&euro;</span></bdi></span>'
        )

    if price_range:
        lo, hi = price_range
        if lo == hi:
            return amt(lo)
        return (
            amt(lo, ' aria-hidden="true"')
            + ' <span aria-hidden="true">&ndash;</span> '
            + amt(hi, ' aria-hidden="true"')
            + f'<span class="screen-reader-text">Price range: {lo}&nbsp;&euro; through {hi}&nbsp;&euro;</span>'
        )
    if not p["price"]:
        return ""
    if p["sale_price"]:
        return (
            f'<del aria-hidden="true">{amt(p["regular_price"])}</del> <span class="screen-reader-text">'
            f'Original price was: {p["regular_price"]}&nbsp;&euro;.</span><ins aria-hidden="true">'
            f'{amt(p["sale_price"])}</ins><span class="screen-reader-text">Current price is: '
            f"{p['sale_price']}&nbsp;&euro;.</span>"
        )
    return amt(p["price"])


def product_json(p: dict, ctx: Ctx, store, created_response: bool = False) -> dict:
    """`store` gives categories and variations (variable price = lowest)."""
    tz = ctx.tz
    variations = [v for v in (store.products.get(i) for i in p["variations"]) if v]
    price, regular, rng = p["price"], p["regular_price"], None
    purchasable = bool(p["price"])
    stock_status = "instock"
    if p["type"] == "variable":
        prices = sorted((v["price"] for v in variations if v["price"]), key=float)
        if prices:
            price, regular, rng = prices[0], "", (prices[0], prices[-1])
            purchasable = True
        else:
            price, regular, purchasable, stock_status = "", "", False, "outofstock"
    cats = []
    for cid in p["categories"]:
        cat = store.categories.get(cid)
        if cat:
            cats.append({"id": cat["id"], "name": cat["name"], "slug": cat["slug"]})
    desc = p["description"] if created_response else _wpautop(p["description"])
    short = p["short_description"] if created_response else _wpautop(p["short_description"])
    out = {
        "id": p["id"],
        "name": p["name"],
        "slug": p["slug"],
        "permalink": f"{ctx.base}/product/{p['slug']}/",
        "date_created": tz.fmt_local(p["created"]),
        "date_created_gmt": fmt_gmt(p["created"]),
        "date_modified": tz.fmt_local(p["modified"]),
        "date_modified_gmt": fmt_gmt(p["modified"]),
        "type": p["type"],
        "status": p["status"],
        "featured": False,
        "catalog_visibility": "visible",
        "description": desc,
        "short_description": short,
        "sku": p["sku"],
        "price": price,
        "regular_price": regular,
        "sale_price": p["sale_price"],
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": bool(p["sale_price"]),
        "purchasable": purchasable,
        "total_sales": p.get("total_sales", 0),
        "virtual": p.get("virtual", False),
        "downloadable": p.get("downloadable", False),
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": p["manage_stock"],
        "stock_quantity": p["stock_quantity"],
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "sold_individually": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_required": not p.get("virtual", False),
        "shipping_taxable": not p.get("virtual", False),
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": True,
        "average_rating": (p.get("average_rating", "0") if created_response else p.get("average_rating_2dp", "0.00")),
        "rating_count": p.get("rating_count", 0),
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "categories": cats,
        "brands": [],
        "tags": [],
        "images": [],
        "attributes": [dict(a) for a in p["attributes"]],
        "default_attributes": [],
        "variations": [v["id"] for v in variations],
        "grouped_products": [],
        "menu_order": 0,
        "price_html": price_html(p, rng) if p["type"] == "variable" else price_html(p),
        "related_ids": store.related_ids(p),
        "meta_data": [{"id": m[0], "key": m[1], "value": m[2]} for m in p["meta"]],
        "stock_status": stock_status,
        "has_options": p["type"] == "variable",
        "post_password": "",
        "global_unique_id": "",
    }
    if p["type"] == "variable" and not variations:
        out["price_html"] = ""
    if created_response:
        out["permalink_template"] = f"{ctx.base}/product/%pagename%/"
        out["generated_slug"] = p["slug"]
    out["_links"] = _self_coll(ctx, f"products/{p['id']}", "products")
    return out


def variation_as_product_json(v: dict, ctx: Ctx, store) -> dict:
    """GET products/<variation id>: the variation in the product shape (real
    store, 10.0.2): named "Parent - option", no categories, reviews not
    allowed, `total_sales` a string, links up to the parent."""
    parent = store.products.get(v["parent_id"]) or {"name": v["name"], "slug": v["slug"]}
    opts = [a["option"] for a in v["attributes"] if a.get("option")]
    view = {
        **v,
        "name": " - ".join([parent["name"], *opts]) if opts else parent["name"],
        "slug": "-".join([parent["slug"], *(slugify_text(o) for o in opts)]),
        "short_description": "",
        "virtual": False,
        "attributes": [],
        "variations": [],
        "categories": [],
    }
    out = product_json(view, ctx, store)
    attr = v["attributes"][0] if v["attributes"] else None
    out.update(
        {
            "permalink": f"{ctx.base}/product/{parent['slug']}/"
            + (f"?attribute_{attr['name'].lower()}={attr['option']}" if attr else ""),
            "description": v["description"],
            "total_sales": str(v.get("total_sales", 0)),
            "tax_class": "" if v.get("tax_class", "parent") == "parent" else v["tax_class"],
            "reviews_allowed": False,
            "average_rating": "0.00",
            "rating_count": 0,
            "parent_id": v["parent_id"],
            "related_ids": [],
            "attributes": [
                {"id": 0, "name": a["name"], "slug": a["name"].lower(), "option": a["option"]} for a in v["attributes"]
            ],
            "has_options": False,
            "_links": _self_coll(ctx, f"products/{v['id']}", "products", f"products/{v['parent_id']}"),
        }
    )
    return out


def slugify_text(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def variation_json(v: dict, ctx: Ctx, parent: dict, edit: bool = False) -> dict:
    """`edit`: the create/delete answers (edit context) show the stored
    tax_class `parent`; listings and GET show it as "" (real store, 10.0.2)."""
    tz = ctx.tz
    opt = v["attributes"][0]["option"] if v["attributes"] else ""
    return {
        "id": v["id"],
        "type": "variation",
        "date_created": tz.fmt_local(v["created"]),
        "date_created_gmt": fmt_gmt(v["created"]),
        "date_modified": tz.fmt_local(v["modified"]),
        "date_modified_gmt": fmt_gmt(v["modified"]),
        "description": v["description"],
        "permalink": f"{ctx.base}/product/{parent['slug']}/?attribute_{(v['attributes'][0]['name'].lower() if v['attributes'] else 'x')}={opt}",
        "sku": v["sku"],
        "global_unique_id": "",
        "price": v["price"],
        "regular_price": v["regular_price"],
        "sale_price": v["sale_price"],
        "date_on_sale_from": None,
        "date_on_sale_from_gmt": None,
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
        "on_sale": bool(v["sale_price"]),
        "status": "publish",
        "purchasable": bool(v["price"]),
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "tax_status": "taxable",
        "tax_class": v.get("tax_class", "parent")
        if edit
        else ("" if v.get("tax_class", "parent") == "parent" else v["tax_class"]),
        "manage_stock": v["manage_stock"],
        "stock_quantity": v["stock_quantity"],
        "stock_status": "instock",
        "backorders": "no",
        "backorders_allowed": False,
        "backordered": False,
        "low_stock_amount": None,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "",
        "shipping_class_id": 0,
        "image": None,
        "attributes": [
            {"id": 0, "name": a["name"], "slug": a["name"].lower(), "option": a["option"]} for a in v["attributes"]
        ],
        "menu_order": 0,
        "meta_data": [{"id": m[0], "key": m[1], "value": m[2]} for m in v["meta"]],
        "name": opt or parent["name"],
        "parent_id": parent["id"],
        "_links": _self_coll(
            ctx,
            f"products/{parent['id']}/variations/{v['id']}",
            f"products/{parent['id']}/variations",
            f"products/{parent['id']}",
        ),
    }


def review_json(r: dict, ctx: Ctx, product: dict | None, created_response: bool = False) -> dict:
    tz = ctx.tz
    return {
        "id": r["id"],
        "date_created": tz.fmt_local(r["created"]),
        "date_created_gmt": fmt_gmt(r["created"]),
        "product_id": r["product_id"],
        "product_name": product["name"] if product else "",
        "product_permalink": f"{ctx.base}/product/{product['slug']}/" if product else "",
        "status": r["status"],
        "reviewer": r["reviewer"],
        "reviewer_email": r["reviewer_email"],
        "review": r["review"] if created_response else _wpautop(r["review"]),
        "rating": r["rating"],
        "verified": r["verified"],
        "reviewer_avatar_urls": {str(s): avatar(r["reviewer_email"], s) for s in (24, 48, 96)},
        "_links": _self_coll(ctx, f"products/reviews/{r['id']}", "products/reviews", f"products/{r['product_id']}"),
    }


HOOKS = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"],
    "order.restored": ["untrashed_post"],
    "customer.created": ["user_register", "woocommerce_created_customer", "woocommerce_new_customer"],
    "customer.updated": ["profile_update", "woocommerce_update_customer"],
    "customer.deleted": ["delete_user"],
    "coupon.created": ["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
    "coupon.updated": ["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
    "coupon.deleted": ["wp_trash_post"],
    "coupon.restored": ["untrashed_post"],
    "product.created": [
        "woocommerce_process_product_meta",
        "woocommerce_new_product",
        "woocommerce_new_product_variation",
    ],
    "product.updated": [
        "woocommerce_process_product_meta",
        "woocommerce_update_product",
        "woocommerce_update_product_variation",
    ],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
}


def webhook_json(w: dict, ctx: Ctx) -> dict:
    tz = ctx.tz
    resource, _, event = w["topic"].partition(".")
    return {
        "id": w["id"],
        "name": w["name"],
        "status": w["status"],
        "topic": w["topic"],
        "resource": resource,
        "event": event,
        "hooks": list(HOOKS.get(w["topic"], [])),
        "delivery_url": w["delivery_url"],
        "date_created": tz.fmt_local(w["created"]),
        "date_created_gmt": fmt_gmt(w["created"]),
        "date_modified": tz.fmt_local(w["modified"]),
        "date_modified_gmt": fmt_gmt(w["modified"]),
        "_links": {
            "self": [{"href": ctx.api(f"webhooks/{w['id']}"), "targetHints": {"allow": ITEM_ALLOW}}],
            "collection": [{"href": ctx.api("webhooks")}],
        },
    }


def order_json(o: dict, ctx: Ctx) -> dict:
    """An order as GET returns it; listings write the same through order_text (keep both in step)."""
    tz = ctx.tz
    oid = o["id"]
    links = {
        "self": [{"href": ctx.api(f"orders/{oid}"), "targetHints": {"allow": ITEM_ALLOW}}],
        "collection": [{"href": ctx.api("orders")}],
        "email_templates": [{"embeddable": True, "href": ctx.api(f"orders/{oid}/actions/email_templates")}],
    }
    if o["customer_id"]:
        links["customer"] = [{"href": ctx.api(f"customers/{o['customer_id']}")}]
    status = o["status"]
    total_nonzero = o["total"] not in ("0.00", "0")
    return {
        "id": oid,
        "parent_id": 0,
        "status": status,
        "currency": "EUR",
        "version": o.get("version", "10.0.2"),
        "prices_include_tax": False,
        "date_created": tz.fmt_local(o["created"]),
        "date_modified": tz.fmt_local(o["modified"]),
        "discount_total": o["discount_total"],
        "discount_tax": o["discount_tax"],
        "shipping_total": o["shipping_total"],
        "shipping_tax": o["shipping_tax"],
        "cart_tax": o["cart_tax"],
        "total": o["total"],
        "total_tax": o["total_tax"],
        "customer_id": o["customer_id"],
        "order_key": o["order_key"],
        "billing": address(o["billing"], ORDER_BILLING_KEYS),
        "shipping": address(o["shipping"], ORDER_SHIPPING_KEYS),
        "payment_method": o["payment_method"],
        "payment_method_title": o["payment_method_title"],
        "transaction_id": o["transaction_id"],
        "customer_ip_address": "",
        "customer_user_agent": "",
        "created_via": o["created_via"],
        "customer_note": o["customer_note"],
        "date_completed": tz.fmt_local(o["completed"]),
        "date_paid": tz.fmt_local(o["paid"]),
        "cart_hash": "",
        "number": str(oid),
        "meta_data": [{"id": m[0], "key": m[1], "value": m[2]} for m in o["meta"]],
        "line_items": o["line_items"],
        "tax_lines": o["tax_lines"],
        "shipping_lines": o["shipping_lines"],
        "fee_lines": o["fee_lines"],
        "coupon_lines": o["coupon_lines"],
        "refunds": [{"id": r["id"], "reason": r["reason"], "total": "-" + r["amount"]} for r in o["refunds"]],
        "payment_url": f"{ctx.base}/checkout/order-pay/{oid}/?pay_for_order=true&key={o['order_key']}",
        "is_editable": status in ("pending", "on-hold", "auto-draft"),
        # Blocks' DraftOrders adds checkout-draft to the statuses that need payment
        "needs_payment": status in ("pending", "failed", "checkout-draft") and total_nonzero,
        "needs_processing": o.get("needs_processing", True),
        "date_created_gmt": fmt_gmt(o["created"]),
        "date_modified_gmt": fmt_gmt(o["modified"]),
        "date_completed_gmt": fmt_gmt(o["completed"]),
        "date_paid_gmt": fmt_gmt(o["paid"]),
        "currency_symbol": "€",
        "_links": links,
    }


# ---------------------------------------------------------------- orders as JSON text
# A listing page is 100 orders of ~140 JSON values each; building order_json's
# dict and running the json encoder over it cost more than building the order.
# order_text writes the same text directly (constants pre-joined, strings
# through the json module's own C escaper). Keep it in step with order_json:
# tests/woosim/test_fast_paths.py compares the two.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # as app.dumps


def _encoder_function():
    """The C encoder json.dumps builds on every call, built once (no cycle check:
    records are trees); the plain encoder where the C module is missing."""
    if c_make_encoder is None:
        return _ENCODER.encode
    enc = c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, True)
    return lambda v: "".join(enc(v, 0))


_encode = _encoder_function()


def json_value(v) -> str:
    """json.dumps(v) as app.dumps writes it, with the common scalars short-cut."""
    t = type(v)
    if t is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    if t is list and not v:
        return "[]"
    return _encode(v)


def _key_prefixes(keys: list[str]) -> list[tuple[str, str]]:
    return [(k, json_value(k) + ":") for k in keys]


_ORDER_BILLING_PREFIXES = _key_prefixes(ORDER_BILLING_KEYS)
_ORDER_SHIPPING_PREFIXES = _key_prefixes(ORDER_SHIPPING_KEYS)


def _address_text(src: dict | None, prefixes: list[tuple[str, str]]) -> str:
    """address(src, keys) as JSON text."""
    get = (src or {}).get
    return "{" + ",".join([p + encode_basestring(str(get(k) or "")) for k, p in prefixes]) + "}"


_ALLOW_TEXT = json_value(ITEM_ALLOW)


def _order_links_text(o: dict, ctx: Ctx) -> str:
    oid, cid = o["id"], o["customer_id"]
    out = (
        '{"self":[{"href":'
        + encode_basestring(ctx.api(f"orders/{oid}"))
        + ',"targetHints":{"allow":'
        + _ALLOW_TEXT
        + '}}],"collection":[{"href":'
        + encode_basestring(ctx.api("orders"))
        + '}],"email_templates":[{"embeddable":true,"href":'
        + encode_basestring(ctx.api(f"orders/{oid}/actions/email_templates"))
        + "}]"
    )
    if cid:
        out += ',"customer":[{"href":' + encode_basestring(ctx.api(f"customers/{cid}")) + "}]"
    return out + "}"


def order_text(o: dict, ctx: Ctx) -> str:
    """json.dumps(order_json(o, ctx)) as app.dumps writes it, without the dict."""
    tz, j = ctx.tz, json_value
    oid = o["id"]
    text = o.get("_text") or {}  # items a seeded order rendered when it was built
    status = o["status"]
    total_nonzero = o["total"] not in ("0.00", "0")
    return "".join(
        [
            '{"id":',
            j(oid),
            ',"parent_id":0,"status":',
            j(status),
            ',"currency":"EUR","version":',
            j(o.get("version", "10.0.2")),
            ',"prices_include_tax":false,"date_created":',
            j(tz.fmt_local(o["created"])),
            ',"date_modified":',
            j(tz.fmt_local(o["modified"])),
            ',"discount_total":',
            j(o["discount_total"]),
            ',"discount_tax":',
            j(o["discount_tax"]),
            ',"shipping_total":',
            j(o["shipping_total"]),
            ',"shipping_tax":',
            j(o["shipping_tax"]),
            ',"cart_tax":',
            j(o["cart_tax"]),
            ',"total":',
            j(o["total"]),
            ',"total_tax":',
            j(o["total_tax"]),
            ',"customer_id":',
            j(o["customer_id"]),
            ',"order_key":',
            j(o["order_key"]),
            ',"billing":',
            _address_text(o["billing"], _ORDER_BILLING_PREFIXES),
            ',"shipping":',
            _address_text(o["shipping"], _ORDER_SHIPPING_PREFIXES),
            ',"payment_method":',
            j(o["payment_method"]),
            ',"payment_method_title":',
            j(o["payment_method_title"]),
            ',"transaction_id":',
            j(o["transaction_id"]),
            ',"customer_ip_address":"","customer_user_agent":"",',
            '"created_via":',
            j(o["created_via"]),
            ',"customer_note":',
            j(o["customer_note"]),
            ',"date_completed":',
            j(tz.fmt_local(o["completed"])),
            ',"date_paid":',
            j(tz.fmt_local(o["paid"])),
            ',"cart_hash":"","number":',
            j(str(oid)),
            ',"meta_data":',
            j([{"id": m[0], "key": m[1], "value": m[2]} for m in o["meta"]]),
            ',"line_items":',
            text.get("line_items") or j(o["line_items"]),
            ',"tax_lines":',
            j(o["tax_lines"]),
            ',"shipping_lines":',
            text.get("shipping_lines") or j(o["shipping_lines"]),
            ',"fee_lines":',
            j(o["fee_lines"]),
            ',"coupon_lines":',
            j(o["coupon_lines"]),
            ',"refunds":',
            j([{"id": r["id"], "reason": r["reason"], "total": "-" + r["amount"]} for r in o["refunds"]]),
            ',"payment_url":',
            j(f"{ctx.base}/checkout/order-pay/{oid}/?pay_for_order=true&key={o['order_key']}"),
            ',"is_editable":',
            j(status in ("pending", "on-hold", "auto-draft")),
            ',"needs_payment":',
            j(status in ("pending", "failed", "checkout-draft") and total_nonzero),
            ',"needs_processing":',
            j(o.get("needs_processing", True)),
            ',"date_created_gmt":',
            j(fmt_gmt(o["created"])),
            ',"date_modified_gmt":',
            j(fmt_gmt(o["modified"])),
            ',"date_completed_gmt":',
            j(fmt_gmt(o["completed"])),
            ',"date_paid_gmt":',
            j(fmt_gmt(o["paid"])),
            ',"currency_symbol":"€","_links":',
            _order_links_text(o, ctx),
            "}",
        ]
    )


def orders_body(orders: list[dict], ctx: Ctx) -> bytes:
    """app.dumps([order_json(o, ctx) for o in orders])."""
    return ("[" + ",".join([order_text(o, ctx) for o in orders]) + "]").encode("utf-8")


def refund_json(r: dict, ctx: Ctx) -> dict:
    tz = ctx.tz
    oid = r["order_id"]
    return {
        "id": r["id"],
        "date_created": tz.fmt_local(r["created"]),
        "date_created_gmt": fmt_gmt(r["created"]),
        "amount": r["amount"],
        "reason": r["reason"],
        "refunded_by": r.get("refunded_by", 1),
        "refunded_payment": r.get("refunded_payment", False),
        "meta_data": [],
        "line_items": r["line_items"],
        "shipping_lines": r.get("shipping_lines", []),
        "tax_lines": r["tax_lines"],
        "fee_lines": [],
        "_links": _self_coll(ctx, f"orders/{oid}/refunds/{r['id']}", f"orders/{oid}/refunds", f"orders/{oid}"),
    }
