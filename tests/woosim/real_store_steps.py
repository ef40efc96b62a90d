"""Request sequences whose answers were recorded from a real WooCommerce
10.0.2 store (tests/woosim/captures/real-*.json) and are replayed against
woosim by test_real_store_replay.py: coupon expiry writes, the order trash,
order lines after a product is deleted for good. The shared captures
(../shared/woocommerce/captures) send none of these requests.

A step is (name, method, path, params, body, what to keep of the answer).
`{name}` in a path, param or body is the id a named earlier step was given,
so the same sequence runs on any store. What is kept: `status`, the listed
fields (dotted paths into the JSON answer), and `len` for listings; the
HTTP status is kept as `http`.

Re-record on a real store (never committed: only the JSON it writes):

    set -a; . ~/wcreal/keys.env; set +a
    .venv/bin/python -m tests.woosim.real_store_steps
"""
from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

CAPTURES = Path(__file__).parent / "captures"

_EXPIRY = ("date_expires", "date_expires_gmt")
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
}


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
    return value.replace(tag, "{tag}") if isinstance(value, str) else value


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
        step = {"step": name, "http": response.status_code,
                **{f: _untagged(field(answer, f), tag) for f in fields}}
        if isinstance(answer, list):
            step["len"] = len(answer)
        kept.append(step)
    return kept


def _record() -> None:  # pragma: no cover - run by hand against a real store
    from woocommerce import API

    api = API(url=os.environ["WC_URL"], consumer_key=os.environ["WC_CONSUMER_KEY"],
              consumer_secret=os.environ["WC_CONSUMER_SECRET"], version="wc/v3", timeout=60)
    version = api.get("system_status").json()["environment"]["version"]
    for name, sequence in SEQUENCES.items():
        tag = f"rec{secrets.token_hex(3)}"
        kept = run(api, sequence, tag)
        out = {"store": f"WooCommerce {version}", "tag": tag, "steps": kept}
        (CAPTURES / f"{name}.json").write_text(json.dumps(out, indent=1) + "\n")
        print(f"{name}: {len(kept)} steps recorded", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    _record()
