"""The task functions both dispatchers run, called directly: webhook events
in order, superseded and stale copies, failures recorded and retried, the
daily upkeep. Deliveries go through the real intake over HTTP."""

from datetime import datetime, timedelta, timezone

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order, RejectedRecord, SyncRun, WebhookEvent
from loyalty_sync.store_sync.sync_pass import run_pass
from sync_jobs.tasks import MAX_EVENT_ATTEMPTS, daily_upkeep, due_store_ids, process_webhook_events
from tests.support.store_api import StoreScript
from tests.support.stores import store_on
from tests.sync_jobs.worker_support import WEBHOOK_SECRET, deliver, served


@pytest.fixture
def sim(woosim):
    """The shared woosim fixture (tests/support/woosim_fixtures.py) under this file's name."""
    return woosim


@pytest.fixture
def fast_retries(app):
    app.config.update(STORE_BACKOFF_BASE=0.01, STORE_BACKOFF_MAX=0.02, STORE_MAX_ATTEMPTS=2, STORE_TIMEOUT_SECONDS=2)


def events():
    db.session.expire_all()
    return db.session.execute(db.select(WebhookEvent).order_by(WebhookEvent.id)).scalars().all()


def test_events_apply_in_order_once_and_failures_are_retried(app, sim, fast_retries):
    shop = StoreScript(sim.url, sim.key, sim.secret)
    product = shop.product("Grinder", "120.00")
    customer = shop.customer("ben@example.com")
    order = shop.order([(product["id"], 1)], customer_id=customer["id"], email="ben@example.com", status="processing")
    store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    with served(app) as base:
        deliver(base, "shop", "order.created", order)
        sim.control.set_faults("kinds=down")  # the customer is new to the books and must be fetched: fails
        outcome = process_webhook_events(store.id)
        assert outcome.retry and outcome.failed == 1 and outcome.applied == 0
        [event] = events()
        assert event.processed_at is None and event.attempts == 1 and event.error
        assert db.session.execute(db.select(Order)).first() is None

        sim.control.clear_faults()
        outcome = process_webhook_events(store.id)
        assert not outcome.retry and outcome.applied == 1
        [event] = events()
        assert event.processed_at is not None and event.attempts == 2 and event.error == ""
        assert process_webhook_events(store.id).applied == 0  # a processed event is never applied again

        # two newer copies arrive before the worker runs: only the last one is applied
        on_hold = {**order, "status": "on-hold", "date_modified_gmt": _later(order, 60)}
        completed = {**order, "status": "completed", "date_modified_gmt": _later(order, 120)}
        deliver(base, "shop", "order.updated", on_hold)
        deliver(base, "shop", "order.updated", completed)
        # and an old copy, overtaken in transit, must not undo them
        outcome = process_webhook_events(store.id)
        assert (outcome.applied, outcome.superseded) == (1, 1)
        deliver(base, "shop", "order.updated", {**order, "status": "pending", "date_modified_gmt": _later(order, 30)})
        assert process_webhook_events(store.id).stale == 1
    row = db.session.execute(db.select(Order)).scalar_one()
    db.session.refresh(row)
    assert row.status == "completed"
    member = db.session.execute(db.select(Member).filter_by(customer_id=customer["id"])).scalar_one()
    assert member.points > 0 and shop.customer_meta(customer["id"])["loyalty_points"] == str(member.points)
    assert [e.error.split(" ")[0] if e.error else "" for e in events()] == ["", "superseded", "", "older"]
    assert {r.kind for r in db.session.execute(db.select(SyncRun)).scalars()} == {"webhook"}


def test_a_refused_record_is_rejected_once_and_a_dead_store_is_given_up_after_max_attempts(app, sim, fast_retries):
    store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    with served(app) as base:
        deliver(base, "shop", "customer.updated", {"id": 99, "email": 5, "date_modified_gmt": "x"})
        process_webhook_events(store.id)
        [refused] = events()
        assert refused.processed_at is not None and refused.error.startswith("rejected")
        assert db.session.execute(db.select(RejectedRecord)).scalars().first().ref == "customer 99"

        deliver(
            base,
            "shop",
            "order.created",
            {"id": 7, "customer_id": 3, "status": "completed", "date_modified_gmt": "2026-01-01T00:00:00"},
        )
    sim.control.set_faults("kinds=down")
    for _ in range(MAX_EVENT_ATTEMPTS + 2):
        process_webhook_events(store.id)
    failing = events()[-1]
    assert failing.processed_at is None and failing.attempts == MAX_EVENT_ATTEMPTS  # left to the scheduled pass


def test_daily_upkeep_reevaluates_and_pushes(app, sim):
    sim.control.seed("demo", customers=8, orders=60)
    store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    assert run_pass(store.id).status == "ok"
    assert due_store_ids(300) == [] and due_store_ids(0) == [store.id]
    later = datetime.now(timezone.utc) + timedelta(days=3 * 365)  # every point has expired by then
    run = daily_upkeep(store.id, now=later)
    assert run.kind == "upkeep" and run.status == "ok", run.error
    assert run.counts["members_reevaluated"] >= 1 and run.counts["idempotency_keys_purged"] == 0
    shop = StoreScript(sim.url, sim.key, sim.secret)
    registered = db.session.execute(db.select(Member).where(Member.customer_id.is_not(None))).scalars().all()
    assert registered and all(
        shop.customer_meta(m.customer_id).get("loyalty_points") == str(m.points) for m in registered
    )


def test_the_upkeep_after_a_pass_that_died_between_batches_of_orders_leaves_the_books_of_one_pass(app, monkeypatch):
    """A first pass dies after its first batch of orders; the daily upkeep
    runs before the next pass. Neither its re-evaluation (which leaves the
    members the pass flagged to the next pass) nor its reconciliation (which
    applies the orders the books miss, in batches of 500, then plans once)
    may plan a member on part of its history: the books end as those of one
    uninterrupted pass over the same store."""
    import contextlib
    import time

    from loyalty_sync.store_sync.sync_pass import StorePass
    from loyalty_sync.woocommerce.errors import StoreUnreachable
    from tests.support.books import books_of
    from woosim.testing import WooSimServer

    anchor = time.time()  # both stores hold the same history, dated from the same "now"

    @contextlib.contextmanager
    def seeded():
        with WooSimServer() as sim:
            sim.control.set_clock_offset(anchor - time.time())
            sim.control.reset(seed="demo", customers=20, orders=1200)
            sim.control.set_clock_offset(0)
            yield sim

    with seeded() as sim_whole, seeded() as sim_died:
        whole = store_on(sim_whole, "whole", webhook_secret=WEBHOOK_SECRET)
        died = store_on(sim_died, "died", webhook_secret=WEBHOOK_SECRET)
        assert [run_pass(whole.id).status for _ in range(2)] == ["ok", "ok"]

        apply_orders = StorePass.apply_orders
        batches = []

        def dies_after_one_batch(self, orders, refunds=None):
            if batches:
                raise StoreUnreachable("the worker was killed")
            batches.append(len(orders))
            return apply_orders(self, orders, refunds)

        monkeypatch.setattr(StorePass, "apply_orders", dies_after_one_batch)
        assert run_pass(died.id).status == "failed" and batches == [500]
        monkeypatch.setattr(StorePass, "apply_orders", apply_orders)
        upkeep = daily_upkeep(died.id)
        assert upkeep.status == "ok", upkeep.error
        assert run_pass(died.id).status == "ok"

    db.session.expire_all()
    books = books_of(whole)
    assert any(kind == "redeem" for _email, kind, *_ in books["ledger"])
    for part, rows in books_of(died).items():
        assert rows == books[part], part


def _later(order: dict, seconds: int) -> str:
    base = datetime.fromisoformat(order["date_modified_gmt"])
    return (base + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


def test_stale_copies_are_counted_in_the_pass_counts():
    """An old copy (a replayed delivery, an old export) changes nothing; the
    run says how many there were instead of hiding them among 'unchanged'."""
    from loyalty_sync.books.apply import ApplyResult
    from loyalty_sync.store_sync.sync_pass import PassCounts
    from sync_jobs.tasks import _count

    counts = PassCounts()
    _count(counts, "orders", ApplyResult(applied=1, unchanged=2, stale=3))
    assert counts.as_dict()["stale"] == 3
    assert (counts.as_dict()["applied"], counts.as_dict()["unchanged"]) == (1, 2)
