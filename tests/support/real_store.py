"""The end-to-end scenarios against a REAL WooCommerce store.

`LOYALTY_REAL_STORE=1` with `WC_URL`, `WC_CONSUMER_KEY`, `WC_CONSUMER_SECRET`
(`make conformance` sets it) turns the `store` and `shop` fixtures of
tests/loyalty_sync/store_sync/ from a fresh woosim into that store. A real store
is not fresh: it holds its own orders, customers and coupons, and earlier runs'
leftovers. So a test there

- makes its emails, SKUs and names unique (`StoreScript.email`/`sku`, a tag
  per test);
- sees only what it created: every request, the test's and the product's,
  goes through `ScopedTransport`, which learns the id of every record created
  (orders, refunds, customers, coupons, products, categories, reviews,
  webhooks; a refused coupon's `checkout-draft` too) and sends each whole-store
  listing with `include=<those ids>` (`include=0` when there are none), so the
  store itself filters and its X-WP-Total stays its own;
- deletes all of it for good when it ends (`OwnRecords.clean_up`).

Category listings stay whole-store (the product only reads their names; a
real store always has "Uncategorized").
"""

from __future__ import annotations

import itertools
import os
import secrets
from dataclasses import dataclass, field
from typing import Any

import requests

from loyalty_sync.woocommerce.transport import WooCommerceTransport

#: endpoint -> the space its ids belong to, for listings we scope
SCOPED_LISTINGS = {
    "orders": "orders",
    "customers": "customers",
    "coupons": "coupons",
    "products": "products",
    "refunds": "refunds",
    "products/reviews": "reviews",
    "webhooks": "webhooks",
}
#: collection endpoint -> space, for records created by POST
CREATED_IN = {
    "orders": "orders",
    "customers": "customers",
    "coupons": "coupons",
    "products": "products",
    "products/categories": "categories",
    "products/reviews": "reviews",
    "webhooks": "webhooks",
}
#: the order in which a test's records are deleted (orders take their refunds with them)
CLEAN_UP_ORDER = (
    ("reviews", "products/reviews"),
    ("orders", "orders"),
    ("coupons", "coupons"),
    ("customers", "customers"),
    ("products", "products"),
    ("categories", "products/categories"),
    ("webhooks", "webhooks"),
)

_tags = itertools.count()
_RUN = secrets.token_hex(3)  # one per run: two runs (or a crashed one's leftovers) never share a name


def real_store_settings() -> tuple[str, str, str] | None:
    """(url, key, secret) when the scenarios are to run against a real store."""
    env = os.environ
    if env.get("LOYALTY_REAL_STORE") != "1":
        return None
    url, key, secret = env.get("WC_URL"), env.get("WC_CONSUMER_KEY"), env.get("WC_CONSUMER_SECRET")
    if not (url and key and secret):
        raise RuntimeError("LOYALTY_REAL_STORE=1 needs WC_URL, WC_CONSUMER_KEY and WC_CONSUMER_SECRET")
    return url, key, secret


def new_tag() -> str:
    """Unique per test and run: `e2e` + the run + a counter."""
    return f"e2e{_RUN}{next(_tags)}"


@dataclass
class OwnRecords:
    """The ids of the records one test created in the real store."""

    ids: dict[str, set[int]] = field(default_factory=dict)

    def add(self, space: str, record_id: Any) -> None:
        if isinstance(record_id, int) and record_id > 0:
            self.ids.setdefault(space, set()).add(record_id)

    def scoped(self, method: str, endpoint: str, params: dict | None) -> dict | None:
        space = SCOPED_LISTINGS.get(endpoint) if method.upper() == "GET" else None
        if space is None:
            return params
        own = self.ids.get(space, set())
        asked = (params or {}).get("include")
        if asked:
            own = own & {int(i) for i in str(asked).split(",") if i.strip().isdigit()}
        return {**(params or {}), "include": ",".join(map(str, sorted(own))) or "0"}

    def learn(self, method: str, endpoint: str, status: int, body: Any) -> None:
        if method.upper() != "POST":
            return
        parts = endpoint.strip("/").split("/")
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            self.add("orders", body["data"].get("new_draft_order_id"))  # a refused coupon's draft
        if status >= 300:
            return
        if len(parts) == 3 and parts[0] == "orders" and parts[2] == "refunds":
            self.add("refunds", body.get("id") if isinstance(body, dict) else None)
            return
        if parts[-1] == "batch":
            space = CREATED_IN.get("/".join(parts[:-1]))
            for created in (body or {}).get("create", []) if isinstance(body, dict) and space else []:
                if isinstance(created, dict) and "error" not in created:
                    self.add(space, created.get("id"))
            return
        space = CREATED_IN.get("/".join(parts))
        if space and isinstance(body, dict):
            self.add(space, body.get("id"))

    def clean_up(self, transport: WooCommerceTransport) -> list[str]:
        """Delete for good what the test created (batches delete with
        `force`); returns what could not be deleted. One already gone (a
        test's own force delete) is not left over."""
        left = []
        for space, endpoint in CLEAN_UP_ORDER:
            ids = sorted(self.ids.get(space, ()))
            for start in range(0, len(ids), 100):
                answer = WooCommerceTransport.request(
                    transport, "POST", f"{endpoint}/batch", None, {"delete": ids[start : start + 100]}
                )
                if answer.status_code != 200:
                    left.append(f"{endpoint}/batch: {answer.status_code} {answer.text[:200]}")
                    continue
                for item in answer.json().get("delete", []):
                    error = item.get("error") if isinstance(item, dict) else None
                    if error and (error.get("data") or {}).get("status") not in (404, 410):
                        left.append(f"{endpoint}/{item.get('id')}: {error.get('code')}")
        return left


@dataclass(frozen=True)
class SentRequest:
    method: str
    endpoint: str
    params: dict

    @property
    def path(self) -> str:
        """As woosim's request log names it: `GET /wp-json/wc/v3/orders`."""
        return f"{self.method} /wp-json/wc/v3/{self.endpoint}"

    @property
    def query(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.params.items())


class RecordedTransport(WooCommerceTransport):
    """The product's own transport, noting each request the product sends
    (before any scoping), so a scenario can count them on any store."""

    def __init__(self, log: list[SentRequest] | None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.log = log

    def request(self, method, endpoint, params, json):
        if self.log is not None:
            self.log.append(SentRequest(method.upper(), endpoint, dict(params or {})))
        return super().request(method, endpoint, params, json)


class ScopedTransport(RecordedTransport):
    """The product's own transport, scoped to one test's records (module docstring)."""

    def __init__(self, own: OwnRecords, log: list[SentRequest] | None, *args, **kwargs):
        super().__init__(log, *args, **kwargs)
        self.own = own

    def request(self, method, endpoint, params, json):
        if self.log is not None:
            self.log.append(SentRequest(method.upper(), endpoint, dict(params or {})))
        answer = WooCommerceTransport.request(self, method, endpoint, self.own.scoped(method, endpoint, params), json)
        try:
            body = answer.json()
        except ValueError:
            body = None
        self.own.learn(method, endpoint, answer.status_code, body)
        return answer


class TransportAPI:
    """What `StoreScript` asks of `woocommerce.API` (get/post/put/delete),
    sent through a `ScopedTransport` so the test's own requests are scoped too."""

    def __init__(self, transport: ScopedTransport):
        self.transport = transport

    def get(self, endpoint: str, params: dict | None = None) -> requests.Response:
        return self.transport.request("GET", endpoint, _strings(params), None)

    def post(self, endpoint: str, data: Any, params: dict | None = None) -> requests.Response:
        return self.transport.request("POST", endpoint, _strings(params), data)

    def put(self, endpoint: str, data: Any, params: dict | None = None) -> requests.Response:
        return self.transport.request("PUT", endpoint, _strings(params), data)

    def delete(self, endpoint: str, params: dict | None = None) -> requests.Response:
        return self.transport.request("DELETE", endpoint, _strings(params), None)


def _strings(params: dict | None) -> dict[str, str] | None:
    if not params:
        return None
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in params.items()}
