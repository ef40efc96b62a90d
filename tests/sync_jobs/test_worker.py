"""`flask sync worker` as a real child process on SQLite (APScheduler,
in-process) and PostgreSQL (Procrastinate), against woosim over HTTP."""

import threading

import pytest
from sqlalchemy import text

from loyalty_sync.extensions import db
from loyalty_sync.models import Member, SyncRun, WebhookEvent
from loyalty_sync.store_sync.locks import StoreLocked
from loyalty_sync.store_sync.sync_pass import run_pass
from sync_jobs.api import request_pass
from sync_jobs.queue import close_deferrer, uses_procrastinate
from sync_jobs.tasks import sync_store
from tests.support.store_api import StoreScript
from tests.support.stores import store_on
from tests.sync_jobs.worker_support import WEBHOOK_SECRET, WorkerProcess, served, wait_for
from woosim.testing import WooSimServer


@pytest.fixture(autouse=True)
def _release_defer_pool():
    yield
    close_deferrer()


@pytest.fixture
def sim():
    with WooSimServer(webhook_delay=0.05) as sim:
        yield sim


def fresh(model, **filters):
    db.session.expire_all()
    return db.session.execute(db.select(model).filter_by(**filters)).scalars().all()


def test_webhook_changes_are_applied_and_pushed_by_the_worker(app, runner, database_url, sim, tmp_path):
    shop = StoreScript(sim.url, sim.key, sim.secret)
    product = shop.product("Espresso machine", "400.00")
    store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    assert run_pass(store.id).status == "ok"  # the books are up to date: the next scheduled pass is an hour away
    worker = WorkerProcess(database_url, tmp_path / "instance", extra_env={"LOYALTY_SYNC_INTERVAL_SECONDS": 3600})
    try:
        with served(app) as base:
            installed = runner.invoke(args=["webhooks", "install", "--store", "shop", "--url", base])
            assert installed.exit_code == 0, installed.output
            worker.wait_started()
            customer = shop.customer("anna@example.com")
            order = shop.order(
                [(product["id"], 1)], customer_id=customer["id"], email="anna@example.com", status="processing"
            )
            shop.set_status(order["id"], "completed")  # order.updated

            def pushed():
                meta = shop.customer_meta(customer["id"])
                coupons = [c for c in shop.coupons() if "anna@example.com" in c["email_restrictions"]]
                return (meta, coupons) if meta.get("loyalty_points", "0") != "0" and coupons else None

            meta, coupons = wait_for(pushed, 20, 0.2, "the worker to apply the webhook and push meta and coupon")
            member = fresh(Member, customer_id=customer["id"])[0]
            assert meta["loyalty_points"] == str(member.points) and meta["loyalty_tier"] == member.tier != "Bronze"
            assert coupons[0]["description"].startswith("loyalty-sync")

            shop.set_status(order["id"], "cancelled")  # another order.updated: the points go again
            wait_for(
                lambda: shop.customer_meta(customer["id"]).get("loyalty_points") == "0",
                20,
                0.2,
                "the cancellation to reach the store",
            )

            # our own meta push comes back as customer.updated: applied too, and it changes nothing.
            # A job marks its events processed before it pushes and closes its run: wait for both.
            def settled():
                events = fresh(WebhookEvent)
                busy = [r for r in fresh(SyncRun, kind="webhook") if r.status == "running"]
                return events if all(e.processed_at for e in events) and not busy else None

            events = wait_for(settled, 20, 0.2, "every webhook event to be processed and its job to end")
        assert {e.topic for e in events} >= {"customer.created", "order.created", "order.updated"}
        assert all(e.error == "" or e.error.startswith("superseded") for e in events), [
            (e.topic, e.error) for e in events
        ]
        assert [r.kind for r in fresh(SyncRun) if r.kind != "manual"] and all(
            r.status in ("ok", "partial") for r in fresh(SyncRun, kind="webhook")
        )
        if uses_procrastinate(app):  # the web process deferred jobs; a Procrastinate worker ran them
            done = db.session.execute(
                text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE task_name = "
                    "'loyalty.webhooks' AND status = 'succeeded'"
                )
            ).scalar_one()
            assert done >= 1
        assert worker.terminate() == 0, worker.output()
        assert "sync worker stopped" in worker.output()
        assert "whsec-test-secret" not in worker.output() and sim.secret not in worker.output()
    except AssertionError:
        print(worker.output()[-8000:])
        raise
    finally:
        worker.stop()


def test_second_sqlite_worker_refuses_to_start(app, database_url, tmp_path):
    if uses_procrastinate(app):
        pytest.skip("several workers share the jobs on PostgreSQL (see test_worker_pool)")
    first = WorkerProcess(database_url, tmp_path / "instance", name="first")
    second = None
    try:
        first.wait_started()
        second = WorkerProcess(database_url, tmp_path / "instance", name="second")
        assert second.proc.wait(30) != 0
        assert "another sync worker is already running on this SQLite database" in second.output()
        assert f"pid {first.pid}" in second.output()
        assert first.proc.poll() is None
    finally:
        first.stop()
        if second:
            second.stop()


def test_sigterm_finishes_the_pass_in_hand_then_exits(app, database_url, sim, tmp_path):
    sim.control.seed("demo", customers=10, orders=400)
    store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    sim.control.set_faults("path=/wp-json/wc/v3/orders;kinds=slow;delay=0.5")
    worker = WorkerProcess(
        database_url,
        tmp_path / "instance",
        extra_env={"LOYALTY_SYNC_INTERVAL_SECONDS": 3600, "LOYALTY_WORKER_POLL_SECONDS": 0.5},
    )
    try:
        worker.wait_started()
        running = wait_for(lambda: fresh(SyncRun, store_id=store.id, status="running"), 30, 0.1, "a pass to start")
        assert worker.terminate(timeout=60) == 0, worker.output()
        run = db.session.get(SyncRun, running[0].id)
        db.session.refresh(run)
        assert run.status == "ok" and run.finished_at is not None, (run.status, run.error)
        assert "finish" in worker.output().lower() or "stop" in worker.output().lower()
    finally:
        print(worker.output())
        worker.stop()


def test_two_passes_of_one_store_never_run_together(app, sim):
    sim.control.seed("demo", customers=5, orders=150)
    store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    sim.control.set_faults("path=/wp-json/wc/v3/orders;kinds=slow;delay=0.5")
    outcomes, started = {}, threading.Event()

    def first():
        with app.app_context():
            started.set()
            outcomes["first"] = sync_store(store.id, kind="manual").status

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    wait_for(lambda: fresh(SyncRun, store_id=store.id, status="running"), 10, 0.05, "the first pass to start")
    with pytest.raises(StoreLocked):  # the worker logs and skips (scheduled) or retries later (manual)
        sync_store(store.id, kind="scheduled")
    thread.join(60)
    assert outcomes["first"] == "ok"
    # `wait` instead of skip: the second pass runs after the first one
    runs = fresh(SyncRun, store_id=store.id)
    assert len(runs) == 1
    sim.control.clear_faults()
    assert run_pass(store.id, wait_for_lock=True).status == "ok"


def test_sync_now_is_queued_once(app, sim):
    store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
    first = request_pass(store.id)
    assert "queued" in first and "already" not in first
    second = request_pass(store.id, full=True)
    assert "already queued" in second
    if uses_procrastinate(app):
        waiting = db.session.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'loyalty.pass' AND status = 'todo'")
        ).scalar_one()
        assert waiting == 1
    else:
        assert [r.kind for r in fresh(SyncRun, status="queued")] == ["full"]
