"""One sync pass of one store: pull, apply, push.

Safe to kill at any point. Each batch of records is applied and committed in
one transaction; bookmarks move in the transaction of the last batch of their
listing, so they never run ahead of what the books hold. A pass that dies is
simply run again: records it already applied are recognised by their facts
digest and cost nothing, the ledger's idempotency keys refuse any double, and
the coupon push links codes the store already has.
"""

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timezone

from loyalty_sync.books.apply import (
    ApplyResult,
    apply_categories,
    apply_customers,
    apply_orders,
    apply_products,
    apply_reviews,
    apply_with_retry,
    plan_pending_members,
    replan_behind_rules,
)
from loyalty_sync.books.reviews import recheck_since
from loyalty_sync.engine.facts import parse_wc_datetime
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order, Store, SyncBookmark, SyncRun
from loyalty_sync.store_sync import cursors, pull
from loyalty_sync.store_sync.connection import client_for, refresh_site_identity
from loyalty_sync.store_sync.locks import store_lock
from loyalty_sync.store_sync.push import PushResult, push_coupons, push_member_status
from loyalty_sync.store_sync.run_record import PassCounts, recorded_run
from loyalty_sync.woocommerce import StoreClient

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]  # (what, done, total or None)
#: (store, orders, *, refunds_by_order, run_id) -> ApplyResult, as `apply.apply_orders`
ApplyOrders = Callable[..., ApplyResult]


def run_pass(
    store_id: int,
    *,
    full: bool = False,
    kind: str = "manual",
    progress: Progress | None = None,
    wait_for_lock: bool = False,
    client: StoreClient | None = None,
    batch_size: int = 500,
) -> SyncRun:
    """Run one pass under the store's lock (raises locks.StoreLocked if another
    pass holds it and `wait_for_lock` is false). Never raises for store
    problems: they end in the pass record, status `failed`."""
    with store_lock(store_id, wait=wait_for_lock):
        store = db.session.get(Store, store_id)
        _close_interrupted_runs(store.id)
        client = client or client_for(store)
        counts = PassCounts()
        try:
            with recorded_run(store, "full" if full else kind, client, counts) as record:
                store_pass = StorePass(
                    store,
                    db.session.get(SyncRun, record.id),
                    client,
                    counts,
                    full=full,
                    progress=progress,
                    batch_size=batch_size,
                )
                store_pass.defer_planning = True
                store_pass.execute()
                record.status = "partial" if counts.rejected or counts.errors else "ok"
                record.error = "; ".join(counts.errors[:20])
        finally:
            client.close()
        return record.run


def _close_interrupted_runs(store_id: int) -> None:
    """We hold the store's lock, so any pass still marked running has died
    (a killed worker); say so instead of leaving it running forever."""
    db.session.execute(
        db.update(SyncRun)
        .where(SyncRun.store_id == store_id, SyncRun.status == "running")
        .values(
            status="interrupted",
            error="the process running this pass stopped before it finished",
            finished_at=datetime.now(timezone.utc),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


#: Store errors a retry cannot fix: the shop owner has to act.
PERMANENT_ERRORS = ("StoreRejectedKeys", "StorePermissionDenied", "NotWooCommerce", "StoreTooOld")


class StorePass:
    def __init__(
        self,
        store: Store,
        run: SyncRun,
        client: StoreClient,
        counts: PassCounts,
        *,
        full: bool,
        progress: Progress | None,
        batch_size: int,
    ):
        self.store, self.run, self.client, self.counts = store, run, client, counts
        self.full, self.progress, self.batch_size = full, progress, batch_size
        # A pass stores every batch first and plans each touched member once at
        # the end (members flagged `needs_plan`); webhook jobs plan at once.
        self.defer_planning = False

    def plan_pending(self) -> None:
        """Plan every member whose facts changed (this pass's, and any a
        crashed pass left flagged), then every member behind the rules in
        force (a rule version saved since their last planning)."""
        result = plan_pending_members(self.store)
        self.counts.planned += len(result.members)
        replanned = replan_behind_rules(self.store, on_chunk=self._on_replan)
        self.counts.planned += len(replanned.members)
        self.counts.replanned = len(replanned.members)

    def _on_replan(self, done: int, total: int) -> None:
        """The sync log shows a running re-plan's progress; the CLI a line."""
        self.counts.replanned = done
        self.run.counts = {**self.counts.as_dict(), "replan_total": total}
        db.session.commit()
        if self.progress:
            self.progress("members re-planned for the new rules", done, total)

    def execute(self) -> None:
        info = self.client.store_info(require_modified_after=True)
        self.store.wc_version, self.store.currency = info.version, info.currency or self.store.currency
        if not self.store.display_name:  # never read yet (the daily upkeep reads it again)
            refresh_site_identity(self.store, self.client)
        db.session.commit()
        self.pull_catalogue()
        if self.full or self._bookmark("customers").modified_after is None:
            self.pull_all_customers()
        self.pull_orders()
        self.plan_pending()
        self.pull_reviews()
        self.push()

    # --- pulls -------------------------------------------------------------
    def pull_catalogue(self) -> None:
        categories = [c for page in pull.category_pages(self.client) for c in page]
        self._count("categories", len(categories))
        self.apply("categories", lambda: apply_categories(self.store, categories, run_id=self.run.id))
        bookmark = self._bookmark("products")
        read_from = self._store_clock()
        newest = None
        for page in pull.product_pages(self.client, self._bound(bookmark), on_page=self._on_page):
            self._count("products", len(page))
            newest = newest_change(page, newest)
            self.apply("products", lambda page=page: apply_products(self.store, page, run_id=self.run.id))
        self._move_cursor(bookmark, read_from or cursors.newest_change_cursor(newest))

    def pull_all_customers(self) -> None:
        started = datetime.now(timezone.utc)
        for page in pull.customer_pages(self.client, on_page=self._on_page):
            self._count("customers", len(page))
            self.apply(
                "customers",
                lambda page=page: apply_customers(self.store, page, run_id=self.run.id, plan=not self.defer_planning),
            )
        self._move(self._bookmark("customers"), started)

    def pull_orders(self) -> None:
        bookmark, refund_mark = self._bookmark("orders"), self._bookmark("refunds")
        refunds_from = self._store_clock() or cursors.Cursor(datetime.now(timezone.utc), cursors.NEWEST_CHANGE)
        refunds = pull.refunds_since(self.client, self._bound(refund_mark))
        if refunds is not None:
            self._count("refunds", sum(len(v) for v in refunds.values()))
        orders_from = self._store_clock()  # before the first order listing is sent: cursors.py
        since = self._bound(bookmark)
        newest = None
        for listing in (pull.order_pages, pull.trashed_order_pages):
            buffer = []
            for page in listing(self.client, since, on_page=self._on_page):
                self._count("orders", len(page))
                newest = newest_change(page, newest)
                buffer.extend(page)
                if len(buffer) >= self.batch_size:
                    self.apply_orders(buffer, refunds)
                    buffer = []
            if buffer:
                self.apply_orders(buffer, refunds)
        self._move_cursor(bookmark, orders_from or cursors.newest_change_cursor(newest))
        if refunds is not None:
            self._move_cursor(refund_mark, refunds_from)

    def apply_orders(
        self, orders: list[dict], refunds: dict[int, list[dict]] | None = None, *, how: ApplyOrders | None = None
    ) -> None:
        """Apply a batch of order payloads: learn new customers, get refund line
        detail, apply and commit. Used by the pass, webhook jobs, reconcile and
        the backfill, whose history-only mode brings its own `how`."""
        orders = self._complete_bare(orders)
        if not orders:
            return
        self._learn_customers(orders)
        details = self._refund_details(orders, refunds)
        how = how or functools.partial(apply_orders, plan=not self.defer_planning)
        self.apply("orders", lambda: how(self.store, orders, refunds_by_order=details, run_id=self.run.id))

    def start_orders_cursor(self, at: datetime | None) -> None:
        """The orders cursor of a store whose history was read another way (the
        backfill): incremental passes go on from `at` instead of re-reading it."""
        bookmark = self._bookmark("orders")
        if bookmark.modified_after is None:
            self._move_cursor(bookmark, cursors.newest_change_cursor(at))

    def _complete_bare(self, orders: list[dict]) -> list[dict]:
        """An `order.deleted` delivery carries only `{"id": N}` (real store,
        10.0.2): those orders are read as the store holds them now (status
        `trash`, a new date_modified), in one listing of the trash. One that
        is no longer there (deleted for good, or restored since: its
        `order.restored` delivery brings it) is logged and skipped."""
        bare = sorted({o["id"] for o in orders if _is_bare(o)})
        if not bare:
            return orders
        trashed = {
            o.get("id"): o
            for o in self.client.iter_records("orders", {"status": "trash", "include": ",".join(map(str, bare))})
        }
        for order_id in bare:
            if order_id not in trashed:
                log.warning(
                    "store %s: order %s is no longer in the trash (deleted for good, or restored)",
                    self.store.name,
                    order_id,
                )
        return [trashed[o["id"]] if _is_bare(o) else o for o in orders if not _is_bare(o) or o["id"] in trashed]

    def _learn_customers(self, orders: list[dict]) -> None:
        """Incremental passes meet new customers through their orders only."""
        ids = {o.get("customer_id") for o in orders if isinstance(o, dict)}
        ids = {i for i in ids if type(i) is int and 0 < i <= 2**31 - 1}  # not bools; the rest the apply rejects
        if not ids:
            return
        known = set(
            db.session.execute(
                db.select(Member.customer_id).where(Member.store_id == self.store.id, Member.customer_id.in_(ids))
            ).scalars()
        )
        missing = sorted(ids - known)
        if missing:
            customers = pull.customers_by_id(self.client, missing)
            self._count("customers", len(customers))
            self.apply(
                "customers",
                lambda: apply_customers(self.store, customers, run_id=self.run.id, plan=not self.defer_planning),
            )

    def _refund_details(self, orders: list[dict], refunds: dict[int, list[dict]] | None) -> dict[int, list[dict]]:
        """Line detail for every refunded order: from the store-wide listing, or
        what the books already know, or (older stores) one request per order."""
        details: dict[int, list[dict]] = {}
        refunded = {
            o["id"]: {r.get("id") for r in o.get("refunds") or [] if isinstance(r, dict)}
            for o in orders
            if isinstance(o, dict) and isinstance(o.get("id"), int) and o.get("refunds")
        }
        if not refunded:
            return details
        stored = {
            row.wc_id: {r["refund_id"] for r in row.refunds or []}
            for row in db.session.execute(
                db.select(Order).where(Order.store_id == self.store.id, Order.wc_id.in_(list(refunded)))
            ).scalars()
        }
        for order_id, ids in refunded.items():
            listed = (refunds or {}).get(order_id, [])
            if ids <= {r.get("id") for r in listed}:
                details[order_id] = [r for r in listed if r.get("id") in ids]
            elif ids <= stored.get(order_id, set()):
                continue  # the apply service re-uses the stored detail
            else:
                details[order_id] = pull.refunds_of_order(self.client, order_id)
        return details

    def pull_reviews(self) -> None:
        """Program extras: product reviews of every status (an unapproved review
        must be seen to take its bonus back); reviews have no modification
        date, so besides the new ones the recent ones are re-read
        (loyalty_sync/books/reviews.py RECHECK_DAYS)."""
        bookmark = self._bookmark("reviews")
        started = datetime.now(timezone.utc)
        since = None if self.full else recheck_since(bookmark.modified_after, started)
        params = {"status": "all", "orderby": "id", "order": "asc"}
        if since is not None:
            params.update(
                after=(since - pull.OVERLAP).replace(tzinfo=None, microsecond=0).isoformat(), dates_are_gmt="true"
            )
        for page in self.client.iter_pages("products/reviews", params, on_page=self._on_page):
            self._count("reviews", len(page))
            self.apply("reviews", lambda page=page: apply_reviews(self.store, page, run_id=self.run.id))
        self._move(bookmark, started)

    # --- push ----------------------------------------------------------------
    def push(self) -> None:
        result = PushResult()
        push_coupons(self.store, self.client, result)
        push_member_status(self.store, self.client, result)
        self.counts.pushed_coupons += result.coupons_pushed + result.coupons_linked
        self.counts.pushed_members += result.members_pushed
        self.counts.renamed_coupons += result.coupons_renamed
        self.counts.errors.extend(result.errors)

    # --- plumbing --------------------------------------------------------------
    def apply(self, resource: str, action: Callable[[], ApplyResult]) -> None:
        """Apply in its own transaction (retried on collisions) and count it."""
        result = apply_with_retry(action)
        self.counts.applied_by[resource] = self.counts.applied_by.get(resource, 0) + result.applied
        self.counts.unchanged += result.unchanged
        self.counts.stale += result.stale
        self.counts.rejected += len(result.rejected)

    def _bookmark(self, resource: str) -> SyncBookmark:
        mark = db.session.execute(
            db.select(SyncBookmark).filter_by(store_id=self.store.id, resource=resource)
        ).scalar_one_or_none()
        if mark is None:
            mark = SyncBookmark(store_id=self.store.id, resource=resource)
            db.session.add(mark)
            db.session.flush()
        return mark

    def _move(self, bookmark: SyncBookmark, to: datetime | None) -> None:
        """Only called after everything before it was applied and committed."""
        self._move_cursor(bookmark, cursors.newest_change_cursor(to))

    def _move_cursor(self, bookmark: SyncBookmark, cursor: cursors.Cursor | None) -> None:
        """Only called after everything before it was applied and committed."""
        cursors.advance(bookmark, cursor)
        self.run.counts = self.counts.as_dict()
        db.session.commit()

    def _bound(self, bookmark: SyncBookmark) -> datetime | None:
        """Where an incremental listing starts; a full pass reads everything."""
        return None if self.full else cursors.listing_bound(bookmark)

    def _store_clock(self) -> cursors.Cursor | None:
        """The store's clock now, as a cursor (None: it sent no usable Date)."""
        return cursors.store_clock_cursor(self.client.store_time)

    def _count(self, resource: str, n: int) -> None:
        self.counts.pulled[resource] = self.counts.pulled.get(resource, 0) + n

    def _on_page(self, resource: str, page: int, total_pages: int | None) -> None:
        if self.progress:
            self.progress(resource, page, total_pages)


def _is_bare(order) -> bool:
    """A body with nothing but the id (an `order.deleted` delivery)."""
    return isinstance(order, dict) and set(order) == {"id"} and isinstance(order["id"], int)


def newest_change(records: list[dict], current: datetime | None) -> datetime | None:
    """The latest `date_modified_gmt` among the records and `current`."""
    for record in records:
        raw = record.get("date_modified_gmt") if isinstance(record, dict) else None
        if not raw:
            continue
        try:
            value = parse_wc_datetime(raw, "record", "date_modified_gmt")
        except Exception:  # noqa: S112 - a broken date is the apply's to reject, not the bookmark's
            continue
        if value and (current is None or value > current):
            current = value
    return current
