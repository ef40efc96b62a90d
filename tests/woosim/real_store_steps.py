"""Request sequences whose answers were recorded from a real WooCommerce
10.0.2 store (tests/woosim/captures/real-*.json) and are replayed against
woosim by test_real_store_replay.py: coupon expiry writes, the order trash,
order lines after a product is deleted for good, customers (usernames, email
changes, listing parameters, batch meta), the catalogue (prices as sent,
variations, type/search filters, categories) and the coupons resource (email
restrictions, percent over 100, search, paging past the end). The shared
captures (../shared/woocommerce/captures) send none of these requests.

A step is (name, method, path, params, body, what to keep of the answer).
`{name}` in a path, param or body is the id a named earlier step was given,
so the same sequence runs on any store. What is kept: `status`, the listed
fields (dotted paths into the JSON answer; `header:X-WP-Total` reads a
header), and `len` for listings; the HTTP status is kept as `http`. The run's
tag is written `{tag}`, and the four random digits WooCommerce gives a taken
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

CAPTURES = Path(__file__).parent / "captures"

_EXPIRY = ("date_expires", "date_expires_gmt")
_ERR = ("code", "message")
_PAGING = ("header:X-WP-Total", "header:X-WP-TotalPages")
_LINE = ("line_items.0.product_id", "line_items.0.sku", "line_items.0.name", "line_items.0.total",
         "line_items.0.quantity", "date_modified_gmt")

SEQUENCES = {
    "real-coupon-expiry": [
        ("gmt_only", "POST", "coupons", {}, {"code": "{tag}-gmt", "amount": "5",
                                              "date_expires_gmt": "2027-01-15T10:00:00"}, _EXPIRY),
        ("gmt_put", "PUT", "coupons/{gmt_only}", {}, {"date_expires_gmt": "2027-02-15T10:00:00"}, _EXPIRY),
        ("gmt_batch", "POST", "coupons/batch", {},
         {"create": [{"code": "{tag}-gmt-batch", "amount": "5", "date_expires_gmt": "2027-01-15T10:00:00"}],
          "update": [{"id": "{gmt_only}", "date_expires_gmt": "2027-03-15T10:00:00"}]},
         ("create.0.date_expires", "create.0.date_expires_gmt", "update.0.date_expires",
          "update.0.date_expires_gmt")),
        ("utc_winter", "POST", "coupons", {}, {"code": "{tag}-winter", "amount": "5",
                                                "date_expires": "2027-01-15T10:00:00+00:00"}, _EXPIRY),
        ("utc_summer", "POST", "coupons", {}, {"code": "{tag}-summer", "amount": "5",
                                                "date_expires": "2027-07-15T10:00:00+00:00"}, _EXPIRY),
        ("local", "POST", "coupons", {}, {"code": "{tag}-local", "amount": "5",
                                           "date_expires": "2027-01-15T10:00:00"}, _EXPIRY),
        ("utc_batch", "POST", "coupons/batch", {},
         {"update": [{"id": "{utc_winter}", "date_expires": "2027-03-15T10:00:00+00:00"}]},
         ("update.0.date_expires", "update.0.date_expires_gmt")),
    ],
    "real-product-deleted": [
        ("product", "POST", "products", {}, {"name": "{tag} beans", "regular_price": "10.00", "sku": "{tag}-1"},
         ("sku",)),
        ("order", "POST", "orders", {}, {"status": "completed", "billing": {"email": "{tag}@example.com"},
                                         "line_items": [{"product_id": "{product}", "quantity": 2}]},
         ("status", "line_items.0.sku", "line_items.0.total")),
        ("delete", "DELETE", "products/{product}", {"force": "true"}, None, ()),
        ("after", "GET", "orders/{order}", {}, None, _LINE),
    ],
    "real-order-trash": [
        ("product", "POST", "products", {}, {"name": "{tag} mug", "regular_price": "8.00"}, ()),
        ("order", "POST", "orders", {}, {"status": "completed", "billing": {"email": "{tag}@example.com"},
                                         "line_items": [{"product_id": "{product}", "quantity": 1}]},
         ("status", "date_modified_gmt")),
        ("trash", "DELETE", "orders/{order}", {}, None, ("status", "date_modified_gmt")),
        ("get", "GET", "orders/{order}", {}, None, ("status",)),
        ("any", "GET", "orders", {"status": "any", "include": "{order}"}, None, ()),
        ("trash_listing", "GET", "orders", {"status": "trash", "include": "{order}"}, None, ("0.status",)),
        ("any_and_trash", "GET", "orders", {"status": "any,trash", "include": "{order}"}, None, ()),
    ],
    "real-customers-usernames": [
        ("anna", "POST", "customers", {}, {"email": "{tag}Anna@example.com", "first_name": "Anna"},
         ("username", "email")),
        ("anna_org", "POST", "customers", {}, {"email": "{tag}anna@example.org"}, ("username",)),
        ("clara", "POST", "customers", {}, {"email": "{tag}clara+tag@example.com"}, ("username", "email")),
        ("info", "POST", "customers", {}, {"email": "info@{tag}.example.com"}, ("username",)),
        ("ben", "POST", "customers", {}, {"email": "{tag}ben@example.com", "username": "{tag}Ben.Shop"},
         ("username",)),
        ("ben_taken", "POST", "customers", {}, {"email": "{tag}ben2@example.com", "username": "{tag}ben.shop"},
         _ERR),
        ("plus", "POST", "customers", {}, {"email": "{tag}ben3@example.com", "username": "{tag}Ben+Shop"}, _ERR),
        ("email_taken", "POST", "customers", {}, {"email": "{tag}ANNA@example.com"}, _ERR),
        ("email_case", "PUT", "customers/{anna}", {}, {"email": "{tag}ANNA@EXAMPLE.COM"}, _ERR),
        ("email_new", "PUT", "customers/{anna}", {}, {"email": "{tag}anna.new@example.com"}, ("email",) + _ERR),
        ("username_edit", "PUT", "customers/{anna}", {}, {"username": "{tag}other"}, _ERR),
        ("bad_role", "GET", "customers", {"role": "wizard"}, None, _ERR),
        ("bad_email", "GET", "customers", {"email": "not-an-email"}, None, _ERR),
        ("by_email", "GET", "customers", {"email": "{tag}BEN@example.com"}, None, ("0.username",)),
        ("search", "GET", "customers", {"search": "{tag}", "orderby": "id", "order": "asc"}, None,
         ("0.username", "1.username", "2.username") + _PAGING),
        ("past_end", "GET", "customers", {"search": "{tag}", "page": "99"}, None, _PAGING),
        ("batch_meta", "POST", "customers/batch", {},  # the first meta row is WordPress' own
         {"update": [{"id": "{anna}", "meta_data": [{"key": "loyalty_points", "value": "150"}]},
                     {"id": 999999, "meta_data": [{"key": "loyalty_points", "value": "1"}]}]},
         ("update.0.meta_data.0.key", "update.0.meta_data.0.value", "update.1.id", "update.1.error.code")),
        ("del_anna", "DELETE", "customers/{anna}", {"force": "true"}, None, ()),
        ("del_anna_org", "DELETE", "customers/{anna_org}", {"force": "true"}, None, ()),
        ("del_clara", "DELETE", "customers/{clara}", {"force": "true"}, None, ()),
        ("del_info", "DELETE", "customers/{info}", {"force": "true"}, None, ()),
        ("del_ben", "DELETE", "customers/{ben}", {"force": "true"}, None, ()),
    ],
    "real-products-catalogue": [
        ("cat", "POST", "products/categories", {}, {"name": "{tag} Coffee"}, ("slug", "count")),
        ("child", "POST", "products/categories", {}, {"name": "{tag} Espresso", "parent": "{cat}"}, ("slug",)),
        ("beans", "POST", "products", {}, {"name": "{tag} Beans", "regular_price": "24.90",
                                            "categories": [{"id": "{cat}"}]},
         ("price", "regular_price", "shipping_taxable", "price_html")),
        ("vip", "POST", "products", {}, {"name": "{tag} Membership", "regular_price": "49", "virtual": True,
                                          "categories": [{"id": "{cat}"}]},
         ("price", "regular_price", "shipping_taxable", "shipping_required", "price_html")),
        ("filter", "POST", "products", {}, {"name": "{tag} Filter", "type": "variable", "attributes": [
            {"name": "Size", "variation": True, "visible": True, "options": ["250g", "500g"]}]}, ("type",)),
        ("small", "POST", "products/{filter}/variations", {},
         {"regular_price": "8.5", "attributes": [{"name": "Size", "option": "250g"}]},
         ("price", "regular_price", "tax_class")),
        ("variations", "GET", "products/{filter}/variations", {}, None, ("0.tax_class", "0.price")),
        ("variation_as_product", "GET", "products/{small}", {}, None,
         ("type", "name", "slug", "price", "tax_class", "total_sales", "reviews_allowed", "related_ids",
          "categories", "has_options")),
        ("reprice", "PUT", "products/{vip}", {}, {"regular_price": "50", "sale_price": ""},
         ("price", "regular_price", "average_rating", "generated_slug")),
        ("search", "GET", "products", {"search": "{tag}", "orderby": "id", "order": "asc"}, None,
         ("0.name", "1.name", "2.name", "1.price") + _PAGING),
        ("type_variable", "GET", "products", {"search": "{tag}", "type": "variable"}, None, ("0.name",) + _PAGING),
        ("type_simple", "GET", "products", {"search": "{tag}", "type": "simple"}, None, _PAGING),
        ("type_bad", "GET", "products", {"type": "wizard"}, None, _ERR),
        ("past_end", "GET", "products", {"search": "{tag}", "page": "99"}, None, _PAGING),
        ("cats_search", "GET", "products/categories", {"search": "{tag}"}, None, ("0.name", "1.name") + _PAGING),
        ("cats_parent", "GET", "products/categories", {"parent": "{cat}"}, None, ("0.name",) + _PAGING),
        ("cats_hide_empty", "GET", "products/categories", {"search": "{tag}", "hide_empty": "true"}, None,
         ("0.name", "0.count") + _PAGING),
        ("cats_by_id_desc", "GET", "products/categories", {"search": "{tag}", "orderby": "id", "order": "desc"},
         None, ("0.name", "1.name")),
        ("cats_past_end", "GET", "products/categories", {"search": "{tag}", "page": "99"}, None, _PAGING),
        ("del_small", "DELETE", "products/{filter}/variations/{small}", {"force": "true"}, None, ("tax_class",)),
        ("del_filter", "DELETE", "products/{filter}", {"force": "true"}, None, ()),
        ("del_vip", "DELETE", "products/{vip}", {"force": "true"}, None, ("price", "generated_slug")),
        ("del_beans", "DELETE", "products/{beans}", {"force": "true"}, None, ()),
        ("del_child", "DELETE", "products/categories/{child}", {"force": "true"}, None, ()),
        ("del_cat", "DELETE", "products/categories/{cat}", {"force": "true"}, None, ()),
    ],
    "real-coupons-resource": [
        ("over_100", "POST", "coupons", {}, {"code": "{tag}all", "discount_type": "percent", "amount": "150"},
         ("amount",) + _ERR),
        ("update_over_100", "PUT", "coupons/{over_100}", {}, {"amount": "150"}, _ERR),
        ("negative", "POST", "coupons", {}, {"code": "{tag}neg", "discount_type": "fixed_cart", "amount": "-5"},
         _ERR),
        ("mixed", "POST", "coupons", {}, {"code": "{tag}mixed", "discount_type": "percent", "amount": "5",
                                           "email_restrictions": ["not-an-email", "{tag}OK@example.com"]},
         ("email_restrictions",)),
        ("none_valid", "POST", "coupons", {}, {"code": "{tag}none", "discount_type": "percent", "amount": "5",
                                                "email_restrictions": ["bad", "worse"]}, ("email_restrictions",)),
        ("reward", "POST", "coupons", {}, {"code": "{tag}r1", "amount": "5", "description": "a reward"}, ("code",)),
        ("batch_over_100", "POST", "coupons/batch", {},
         {"create": [{"code": "{tag}batch", "discount_type": "percent", "amount": "150"}]}, ("create.0.amount",)),
        ("search", "GET", "coupons", {"search": "{tag}r", "orderby": "id", "order": "asc"}, None,
         ("0.code",) + _PAGING),
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


def _untagged(value, tag: str):
    """The run's tag written as `{tag}`, so two runs' answers compare."""
    if isinstance(value, str):
        return value.replace(tag, "{tag}")
    if isinstance(value, list):
        return [_untagged(v, tag) for v in value]
    if isinstance(value, dict):
        return {k: _untagged(v, tag) for k, v in value.items()}
    return value


def _kept(response, answer, name: str, tag: str):
    if name.startswith("header:"):
        return response.headers.get(name[len("header:"):])
    value = _untagged(field(answer, name), tag)
    if name.endswith("username") and isinstance(value, str):
        value = _RANDOM_SUFFIX.sub("-<rand>", value)
    return value


def run(api, sequence: list, tag: str) -> list[dict]:
    """Send a sequence through a `woocommerce.API` client; what each step kept."""
    ids = {"tag": tag}

    def fill(value):
        if isinstance(value, str):
            whole = value[1:-1] if value.startswith("{") and value.endswith("}") else None
            if whole in ids and whole != "tag":
                return ids[whole]
            for name, given in ids.items():
                value = value.replace("{" + name + "}", str(given))
            return value
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    kept = []
    for name, method, path, params, body, fields in sequence:
        send = getattr(api, method.lower())
        path, params = fill(path), fill(params)
        response = send(path, fill(body), params=params) if body is not None else send(path, params=params)
        answer = response.json()
        if isinstance(answer, dict) and isinstance(answer.get("id"), int):
            ids[name] = answer["id"]
        elif isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict):
            ids[name] = answer[0].get("id")  # a lookup (`code=`) names what it found
        step = {"step": name, "http": response.status_code, **{f: _kept(response, answer, f, tag) for f in fields}}
        if isinstance(answer, list):
            step["len"] = len(answer)
        kept.append(step)
    return kept


def _record(names: list[str]) -> None:  # pragma: no cover - run by hand against a real store
    from woocommerce import API

    api = API(url=os.environ["WC_URL"], consumer_key=os.environ["WC_CONSUMER_KEY"],
              consumer_secret=os.environ["WC_CONSUMER_SECRET"], version="wc/v3", timeout=60)
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
