"""`GET /wc/v3/refunds` (WooCommerce 9.0+): every refund of the store,
whatever its order, with `parent_id`. It takes the order-refunds collection
parameters: `after`/`before` on the refund's creation date (`dates_are_gmt`),
`parent`, `include`/`exclude`, `orderby` (date default, id, include) and
`order` (desc default).

Refunds of seeded orders are found without building every seeded order: only
indexes whose status can carry a refund are built, once, and remembered.
"""

from __future__ import annotations

from .listing import parse_bool, parse_date_param, parse_enum, parse_id_list

ORDERBY = ["date", "id", "include", "title", "slug", "modified"]


def seeded_refunds(state) -> list[dict]:
    lazy = state.lazy
    if lazy is None:
        return []
    cache = getattr(lazy, "_refund_cache", None)
    if cache is None:
        cache = []
        for i in lazy.status_index(frozenset({"refunded", "completed"})):
            order = lazy.make(i)
            cache.extend(order["refunds"])
        lazy._refund_cache = cache
    return [r for r in cache if r["order_id"] not in state.lazy_overridden]


def all_refunds(state) -> list[dict]:
    stored = [r for o in state.orders.values() for r in o.get("refunds") or []]
    return seeded_refunds(state) + stored


def query_refunds(state, args, refunds: list[dict] | None = None) -> list[dict]:
    """The store's refunds (or the given ones: one order's) as the listing
    parameters filter and order them."""
    gmt = bool(parse_bool(args, "dates_are_gmt"))
    after = parse_date_param(args, "after", state.tz, gmt)
    before = parse_date_param(args, "before", state.tz, gmt)
    parents = set(parse_id_list(args, "parent"))
    include = parse_id_list(args, "include")
    exclude = set(parse_id_list(args, "exclude"))
    orderby = parse_enum(args, "orderby", ORDERBY, "date")
    order = parse_enum(args, "order", ["asc", "desc"], "desc")
    items = [
        r
        for r in (all_refunds(state) if refunds is None else refunds)
        if (after is None or r["created"] > after)
        and (before is None or r["created"] < before)
        and (not parents or r["order_id"] in parents)
        and (not include or r["id"] in include)
        and r["id"] not in exclude
    ]
    if orderby == "include" and include:
        position = {rid: n for n, rid in enumerate(include)}
        items.sort(key=lambda r: position.get(r["id"], 0))
    elif orderby == "id":
        items.sort(key=lambda r: r["id"], reverse=order == "desc")
    else:
        items.sort(key=lambda r: (r["created"], r["id"]), reverse=order == "desc")
    return items
