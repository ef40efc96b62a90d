"""Incremental passes that settle (issue #23 item 3): the orders cursor is the
store's own clock before the listing (its `Date` header), so after a burst a
quiet store is read as one empty page per listing, and nothing modified
during a pass, in the same second, or on a store whose clock is off ours, is
ever missed. Against woosim over HTTP; woosim's `Date` follows its clock."""

from datetime import datetime, timedelta, timezone

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Order, SyncBookmark
from loyalty_sync.store_sync import cursors
from loyalty_sync.store_sync.sync_pass import run_pass

pytestmark = pytest.mark.woosim_only(reason="seeds woosim and moves its clock and `Date` header (the control API)")

ORDER_LISTING = "GET /wp-json/wc/v3/orders"


def _burst(shop, n: int) -> list[dict]:
    product = shop.api.get("products", params={"per_page": 1}).json()[0]["id"]
    return [shop.order([(product, 1)], email=f"burst{i}@example.com") for i in range(n)]


def _order_reads(woosim) -> int:
    return woosim.control.request_counts().get(ORDER_LISTING, 0)


def _pass_reading(woosim, store_id: int):
    woosim.control.clear_requests()
    run = run_pass(store_id)
    assert run.status in ("ok", "partial"), run.error
    return run, _order_reads(woosim)


def test_quiet_passes_after_a_burst_read_no_order(app, store, woosim, shop):
    woosim.control.seed("demo", customers=20, orders=150)
    _burst(shop, 30)
    woosim.control.advance_clock(120)  # the burst is two minutes old when the shop connects
    first, _ = _pass_reading(woosim, store.id)
    assert first.counts["pulled"]["orders"] == 180
    for _ in range(2):  # the second and the third pass, both on a quiet store
        woosim.control.advance_clock(300)
        run, listing_requests = _pass_reading(woosim, store.id)
        assert run.counts["pulled"].get("orders", 0) == 0
        assert listing_requests == 2  # one empty page of `any`, one of the trash: no page beyond the first


def test_an_order_changed_during_a_pass_is_read_by_the_next(app, store, woosim, shop):
    woosim.control.seed("demo", customers=20, orders=250)
    woosim.control.advance_clock(300)
    first_page = shop.api.get("orders", params={"orderby": "id", "order": "asc", "per_page": 1}).json()
    target = first_page[0]["id"]
    changed = []

    def edit_behind_the_listing(resource, page, total):
        # page 1 is read; the order on it changes, then the store's clock runs
        # on: a cursor taken at the pass's end would be past the change
        if resource == "orders" and page == 1 and not changed:
            changed.append(shop.set_status(target, "cancelled"))
            woosim.control.advance_clock(120)

    first = run_pass(store.id, progress=edit_behind_the_listing)
    assert first.status in ("ok", "partial"), first.error
    assert changed
    assert db.session.execute(db.select(Order.status).filter_by(wc_id=target)).scalar_one() != "cancelled"
    run_pass(store.id)
    db.session.expire_all()
    assert db.session.execute(db.select(Order.status).filter_by(wc_id=target)).scalar_one() == "cancelled"


def test_a_store_clock_behind_ours_misses_nothing(app, store, woosim, shop):
    """Ten minutes behind us: a cursor on our own clock would skip the next
    nine minutes of the store's changes."""
    woosim.control.set_clock_offset(-600)
    woosim.control.seed("demo", customers=10, orders=50)
    order = _burst(shop, 1)[0]
    run_pass(store.id)
    shop.set_status(order["id"], "cancelled")
    again = run_pass(store.id)
    assert again.counts["pulled"]["orders"] == 1
    db.session.expire_all()
    assert db.session.execute(db.select(Order.status).filter_by(wc_id=order["id"])).scalar_one() == "cancelled"


def test_a_change_in_the_second_of_the_cursor_is_read(app, store, woosim, shop):
    """`modified_after` is exclusive and dates have one-second precision: an
    order saved in the very second the cursor was taken still comes."""
    woosim.control.seed("demo", customers=10, orders=20)
    order = _burst(shop, 1)[0]
    run_pass(store.id)
    mark = db.session.execute(db.select(SyncBookmark).filter_by(store_id=store.id, resource="orders")).scalar_one()
    assert mark.cursor == cursors.STORE_CLOCK
    shop.set_status(order["id"], "cancelled")
    woosim.control.backdate_order(order["id"], date_modified_gmt=mark.modified_after.strftime("%Y-%m-%dT%H:%M:%S"))
    again = run_pass(store.id)
    assert again.counts["pulled"]["orders"] == 1


def test_a_pass_that_dies_in_the_listing_leaves_the_cursor(app, store, woosim):
    woosim.control.seed("demo", customers=20, orders=250)

    def die_on_page_two(resource, page, total):
        if resource == "orders" and page == 2:
            raise KeyboardInterrupt  # a killed worker: nothing after this runs

    try:
        run_pass(store.id, progress=die_on_page_two, batch_size=100)
    except KeyboardInterrupt:
        pass
    db.session.rollback()
    assert db.session.execute(db.select(Order.id)).first() is not None  # page 1 was applied and committed
    mark = db.session.execute(
        db.select(SyncBookmark).filter_by(store_id=store.id, resource="orders")
    ).scalar_one_or_none()
    assert mark is None or mark.modified_after is None
    again = run_pass(store.id)
    assert again.counts["pulled"]["orders"] == 250


# --- the cursor rules, without a store ---------------------------------------------

NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=timezone.utc)


def test_bounds_follow_the_kind_of_cursor():
    on_clock = SyncBookmark(modified_after=NOW, cursor=cursors.STORE_CLOCK)
    newest_seen = SyncBookmark(modified_after=NOW, cursor=cursors.NEWEST_CHANGE)
    assert cursors.listing_bound(on_clock) == NOW - cursors.CLOCK_OVERLAP
    assert cursors.listing_bound(newest_seen) == NOW - cursors.CHANGE_OVERLAP
    assert cursors.listing_bound(SyncBookmark(modified_after=NOW, cursor=None)) == NOW - cursors.CHANGE_OVERLAP
    assert cursors.listing_bound(SyncBookmark()) is None


def test_an_unbelievable_store_date_falls_back_to_the_newest_change():
    assert cursors.store_clock_cursor(None, now=NOW) is None
    assert cursors.store_clock_cursor(NOW + timedelta(days=3), now=NOW) is None
    assert cursors.store_clock_cursor(NOW - timedelta(minutes=14), now=NOW).kind == cursors.STORE_CLOCK


def test_a_bookmark_only_moves_forward():
    mark = SyncBookmark(modified_after=NOW, cursor=cursors.STORE_CLOCK)
    cursors.advance(mark, cursors.Cursor(NOW - timedelta(seconds=5), cursors.NEWEST_CHANGE))
    assert (mark.modified_after, mark.cursor) == (NOW, cursors.STORE_CLOCK)
    cursors.advance(mark, cursors.Cursor(NOW + timedelta(seconds=5), cursors.NEWEST_CHANGE))
    assert (mark.modified_after, mark.cursor) == (NOW + timedelta(seconds=5), cursors.NEWEST_CHANGE)
