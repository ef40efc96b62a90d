"""A sync run's counts in words, for the people who read the sync log and the CLI.

A SyncRun keeps its counts as a JSON document (`PassCounts.as_dict` plus what
webhook jobs, the upkeep, reconcile and backfill add). The owner reads
"Read 12 orders and 3 customers", not `{'orders': 12, 'customers': 3}`; every
count has one sentence here, and a count this module does not know yet still
reads as words ("foo bar: 3"), never as a Python dict.
"""

from __future__ import annotations

from collections.abc import Mapping

from loyalty_sync.wording import and_list, count_of

#: Nouns whose plural is not noun + "s".
_PLURALS = {
    "category": "categories",
    "member's meta": "members' meta",
    "older copy": "older copies",
    "month with orders missed": "months with orders missed",
    "order in another status": "orders in another status",
    "order no longer in the store": "orders no longer in the store",
    "coupon missing in the store": "coupons missing in the store",
    "coupon changed in the store": "coupons changed in the store",
    "coupon used differently": "coupons used differently",
    "member's meta changed in the store": "members' meta changed in the store",
}

#: One phrase per scalar count: (singular noun phrase, verb phrase) -> "3 coupons pushed".
_SCALARS = {
    "applied": ("change", "applied"),
    "unchanged": ("record", "unchanged"),
    "stale": ("older copy", "ignored (the books hold a newer one)"),
    "rejected": ("record", "rejected (see Rejected records)"),
    "pushed_coupons": ("coupon", "written to the store"),
    "pushed_members": ("member's meta", "written to the store"),
    "members_planned": ("member", "planned"),
    "renamed_coupons": ("coupon", "renamed after a code collision"),
    "events": ("webhook event", "handled"),
    "superseded": ("webhook event", "superseded by a newer one"),
    "failed_events": ("webhook event", "failed (retried later)"),
    "members_reevaluated": ("member", "re-evaluated"),
    "idempotency_keys_purged": ("answered request key", "purged"),
    "checked": ("record", "checked"),
    "fixed": ("difference", "fixed"),
}
# said elsewhere: with "applied", by the error text, with "done" (a backfill's progress)
_NOTHING_TO_SAY = {"applied_by", "error_kind", "total", "rate", "eta"}


def plural(count: int, noun: str) -> str:
    """`plural(3, "category")` -> "3 categories" (the irregular plurals of these sentences)."""
    return count_of(count, noun, _PLURALS.get(noun))


#: What a count per resource or per kind counts, in the singular.
_SINGULAR = {
    "orders": "order",
    "customers": "customer",
    "products": "product",
    "categories": "category",
    "reviews": "review",
    "refunds": "refund",
    "coupons": "coupon",
    "orders_missed": "month with orders missed",
    "order_status": "order in another status",
    "order_gone": "order no longer in the store",
    "coupon_missing": "coupon missing in the store",
    "coupon_changed": "coupon changed in the store",
    "coupon_usage": "coupon used differently",
    "meta_changed": "member's meta changed in the store",
}


def _by_resource(counts: Mapping) -> str:
    return and_list(plural(int(n), _SINGULAR.get(key, key.replace("_", " "))) for key, n in counts.items() if n)


def run_summary(counts: Mapping | None) -> list[str]:
    """The run's counts as short sentences, in the order a pass does its work."""
    counts = counts or {}
    lines = []
    pulled = counts.get("pulled")
    if isinstance(pulled, Mapping) and any(pulled.values()):
        lines.append(f"Read {_by_resource(pulled)}.")
    elif isinstance(pulled, Mapping):
        lines.append("Nothing new to read.")
    for key, value in counts.items():
        if key in _NOTHING_TO_SAY or key == "pulled":
            continue
        lines.append(_sentence(key, value, counts))
    return [line for line in lines if line]


def _sentence(key: str, value, counts: Mapping) -> str:
    if key in _SCALARS and isinstance(value, int | float) and not isinstance(value, bool):
        if not value:
            return ""
        noun, verb = _SCALARS[key]
        text = f"{plural(int(value), noun)} {verb}"
        if key == "applied" and isinstance(counts.get("applied_by"), Mapping) and counts["applied_by"]:
            text += f" ({_by_resource(counts['applied_by'])})"
        return text[0].upper() + text[1:] + "."
    if key == "drift" and isinstance(value, Mapping):
        return f"Differences with the store: {_by_resource(value)}." if value else "No difference with the store."
    if key == "done" and isinstance(counts.get("total"), int):
        return f"{value:,} of {plural(counts['total'], 'order')} done."
    if key == "mode":
        return f"History mode: {value}."
    if key == "finished" and isinstance(value, bool):
        return "Finished." if value else "Not finished yet: the next run goes on where this one stopped."
    label = key.replace("_", " ")
    if isinstance(value, Mapping):
        return f"{label[0].upper() + label[1:]}: {_by_resource(value) or 'none'}."
    return f"{label[0].upper() + label[1:]}: {value}."
