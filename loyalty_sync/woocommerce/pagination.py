"""Listing a collection page by page: concurrent fetches, in-order results.

How WooCommerce pages (FACTS.md "Pagination and listing"): ``page`` is
1-based, ``per_page`` at most 100, every list answer carries ``X-WP-Total``
and ``X-WP-TotalPages`` (``0``/``0`` when empty), a page past the end is
``200 []``. So page 1 tells how many pages there are and pages 2..N can be
asked for at once, by number. We never follow the ``Link`` header: its URLs
repeat the request's OAuth nonce and signature (a replay, refused with 401)
and, with query-string auth, the consumer secret.

N records cost exactly ceil(N/100) requests (one for N = 0): no trailing
empty page is fetched, because the page count is known from page 1.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

PER_PAGE_MAX = 100


@dataclass(frozen=True)
class Page:
    number: int
    records: list[Any]
    total: int | None
    total_pages: int | None


OnPage = Callable[[str, int, int], None]


def iter_pages_concurrently(
    fetch: Callable[[int], Page],
    *,
    resource: str,
    per_page: int,
    concurrency: int,
    on_page: OnPage | None = None,
) -> Iterator[list[Any]]:
    """Yield the records of every page, in page order.

    Page 1 is fetched alone (it gives the page count); pages 2..N go to a pool
    of ``concurrency`` threads. At most ``concurrency`` pages are in flight or
    waiting, so memory stays bounded however long the listing is, and a slow
    consumer slows the fetching down instead of piling pages up. Errors surface
    in page order, in the consumer's thread.

    If the count grew while we were paging (new records land at the end when
    ordering by id ascending), the extra pages are fetched afterwards. If the
    store sent no page count (a proxy stripping headers), pages are fetched one
    by one until a short page.
    """
    first = fetch(1)
    if first.total_pages is None:
        yield from _sequential_until_short(fetch, first, resource, per_page, on_page)
        return
    if first.total_pages == 0 or not first.records:
        return
    known_pages = first.total_pages
    _report(on_page, resource, 1, known_pages)
    yield first.records

    planned = known_pages
    window = max(1, concurrency)
    pending: deque[Future[Page]] = deque()
    next_page = 2
    pool = ThreadPoolExecutor(max_workers=window, thread_name_prefix=f"woo-{resource}")
    try:
        while next_page <= planned or pending:
            while next_page <= planned and len(pending) < window:
                pending.append(pool.submit(fetch, next_page))
                next_page += 1
            page = pending.popleft().result()
            if page.total_pages:
                known_pages = max(known_pages, page.total_pages)
            _report(on_page, resource, page.number, known_pages)
            yield page.records
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)

    # Records added during the listing: continue one page at a time.
    while next_page <= known_pages:
        page = fetch(next_page)
        if page.total_pages:
            known_pages = max(known_pages, page.total_pages)
        if not page.records:
            return
        _report(on_page, resource, page.number, known_pages)
        yield page.records
        next_page += 1


def _sequential_until_short(
    fetch: Callable[[int], Page], page: Page, resource: str, per_page: int, on_page: OnPage | None
) -> Iterator[list[Any]]:
    while page.records:
        _report(on_page, resource, page.number, 0)
        yield page.records
        if len(page.records) < per_page:
            return
        page = fetch(page.number + 1)


def _report(on_page: OnPage | None, resource: str, number: int, total_pages: int) -> None:
    if on_page is not None:
        on_page(resource, number, total_pages)


def incremental_order_params(modified_after: datetime, **extra: Any) -> dict[str, Any]:
    """Query parameters for "orders changed since ``modified_after``".

    - ``modified_after`` is sent as UTC wall time with ``dates_are_gmt=true``;
      without it WooCommerce reads the value in the *site's* time zone
      (captures 076/077). The filter needs WooCommerce 5.8+; older stores
      ignore it silently, hence ``StoreClient.store_info(require_modified_after=True)``.
    - The bound is exclusive and dates have one-second precision (two orders
      changed in the same second tie): callers keep an overlap window.
    - ``orderby=id&order=asc``, never ``orderby=modified``: pages are cut by
      position in the sort order, and an order edited while we page moves from
      its place to the *end* of a modified-sorted list; every record behind it
      shifts one place forward and the first of the next page slides onto a
      page we already read, so it is silently skipped (and the moved one read
      twice). Ids never change, so an id-sorted list only grows at the end.
    """
    if modified_after.tzinfo is None:
        raise ValueError("modified_after must be timezone-aware (UTC)")
    utc = modified_after.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None)
    params: dict[str, Any] = {
        "modified_after": utc.isoformat(timespec="seconds"),
        "dates_are_gmt": "true",
        "orderby": "id",
        "order": "asc",
    }
    params.update(extra)
    return params
