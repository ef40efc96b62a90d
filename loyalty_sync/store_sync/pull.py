"""What a pass asks the store for, in pages of 100 and in the shapes the apply
service takes. Request shapes follow Airbyte's connector (STYLE.md):
`orderby=id&order=asc`, `dates_are_gmt=true`, `modified_after` for changes."""

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from loyalty_sync.woocommerce import NotWooCommerce, RecordNotFound, StoreClient, incremental_order_params
from loyalty_sync.woocommerce.errors import StoreError

log = logging.getLogger(__name__)

#: How far before its recheck start the reviews listing looks (reviews have no
#: modification date: books/reviews.py). Order, refund and product listings
#: start from their bookmark's bound instead (cursors.py).
OVERLAP = timedelta(minutes=10)


def order_pages(client: StoreClient, after: datetime | None, on_page=None) -> Iterator[list[dict]]:
    """Orders modified after `after` (an exclusive bound, cursors.listing_bound), or all."""
    params = incremental_order_params(after) if after else {"orderby": "id", "order": "asc"}
    return client.iter_pages("orders", params, on_page=on_page)


def trashed_order_pages(client: StoreClient, after: datetime | None, on_page=None) -> Iterator[list[dict]]:
    """Orders moved to the trash: they leave `status=any` (and `any,trash` is
    `any` only, real store 10.0.2), so they need their own listing. Trashing
    moves `date_modified`, so an incremental pass asks for those modified
    after its bound; a full pass lists the whole trash."""
    params = incremental_order_params(after) if after else {"orderby": "id", "order": "asc"}
    return client.iter_pages("orders", {**params, "status": "trash"}, on_page=on_page)


def product_pages(client: StoreClient, after: datetime | None, on_page=None) -> Iterator[list[dict]]:
    params = {"orderby": "id", "order": "asc"}
    if after:
        params.update(modified_after=_utc_text(after), dates_are_gmt="true")
    return client.iter_pages("products", params, on_page=on_page)


def category_pages(client: StoreClient, on_page=None) -> Iterator[list[dict]]:
    return client.iter_pages("products/categories", {"orderby": "id", "order": "asc"}, on_page=on_page)


def customer_pages(client: StoreClient, on_page=None) -> Iterator[list[dict]]:
    """Customers have no date filter (FACTS.md): a full listing, in full passes only."""
    return client.iter_pages("customers", {"orderby": "id", "order": "asc"}, on_page=on_page)


def customers_by_id(client: StoreClient, ids: list[int]) -> list[dict]:
    """Customers an incremental pass met in orders but does not know yet."""
    found = []
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        found.extend(client.iter_records("customers", {"include": ",".join(map(str, chunk)), "role": "all"}))
    return found


def refunds_since(client: StoreClient, after: datetime | None) -> dict[int, list[dict]] | None:
    """Refund details (line items) by order, from `GET /refunds` (one listing
    for the whole store instead of one request per refunded order). None when
    the store has no such endpoint (older WooCommerce): the caller then asks
    per order. `after` bounds the refunds' creation date (exclusive)."""
    params = {"orderby": "id", "order": "asc"}
    if after:
        params.update(after=_utc_text(after), dates_are_gmt="true")
    by_order: dict[int, list[dict]] = {}
    try:
        for refund in client.iter_records("refunds", params):
            parent = refund.get("parent_id")
            if isinstance(parent, int):
                by_order.setdefault(parent, []).append(_slim_refund(refund))
    except (NotWooCommerce, RecordNotFound) as exc:
        log.info("store has no /refunds listing (%s); refund details are fetched per order", exc.code or exc)
        return None
    except StoreError as exc:
        if getattr(exc, "code", None) == "rest_no_route" or getattr(exc, "status", None) == 404:
            return None
        raise
    return by_order


def refunds_of_order(client: StoreClient, order_id: int) -> list[dict]:
    return [_slim_refund(r) for r in client.iter_records(f"orders/{order_id}/refunds")]


def _slim_refund(refund: dict) -> dict:
    """Keep only what the rules read: a full refund object is ~1 KB and a big
    store has tens of thousands."""
    return {
        "id": refund.get("id"),
        "date_created_gmt": refund.get("date_created_gmt"),
        "amount": refund.get("amount"),
        "line_items": [
            {
                "quantity": item.get("quantity"),
                "total": item.get("total"),
                "meta_data": [
                    m
                    for m in item.get("meta_data") or []
                    if isinstance(m, dict) and m.get("key") == "_refunded_item_id"
                ],
            }
            for item in refund.get("line_items") or []
            if isinstance(item, dict)
        ],
    }


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
