"""Crash the worker, not only `sync run`: `flask --app wsgi sync worker`
processes (SQLite: the single in-process worker; PostgreSQL: two
Procrastinate workers) are SIGKILLed during a pass, during a webhook job
and during the daily upkeep, with short sync intervals, "sync now" presses
and a store that fails a share of its requests (so webhook jobs end "to
retry" while newer deliveries queue the next job). Afterwards every store
keeps syncing (a pass ends ok, no webhook event stays pending, no job is
left `doing`) and the books, the coupons and the customer meta equal those
of an uninterrupted run."""

import random
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, text

from loyalty_sync.extensions import db
from loyalty_sync.models import Store, SyncRun, WebhookEvent
from sync_jobs.api import request_pass
from sync_jobs.queue import close_deferrer, uses_procrastinate
from tests.reliability.conftest import (
    SEED_STORE,
    assert_same_as_reference,
    books_view,
    coupon_view,
    meta_view,
    seeded_sim,
)
from tests.support import wc
from tests.support.stores import store_on
from tests.sync_jobs.worker_support import WorkerProcess, deliver, served, wait_for, woo

pytestmark = pytest.mark.slow

ENV = {
    "LOYALTY_SYNC_INTERVAL_SECONDS": 3,
    "LOYALTY_UPKEEP_CRON": "* * * * * */6",  # the daily upkeep every six seconds
    "LOYALTY_WORKER_HEARTBEAT_SECONDS": 1,
    "LOYALTY_WORKER_STALLED_SECONDS": 4,
    "LOYALTY_WORKER_RECOVER_EVERY_SECONDS": 2,
    "LOYALTY_WORKER_POLL_SECONDS": 0.5,
    "LOYALTY_STORE_BACKOFF_BASE": 0.01,
    "LOYALTY_STORE_BACKOFF_MAX": 0.05,
    "LOYALTY_STORE_MAX_ATTEMPTS": 2,
    "LOYALTY_LOG_LEVEL": "INFO",
}
#: the unknown order's refunds always fail (a real store answers them 200 [], so the failure is
#: injected, and stays after the other faults are cleared)
UNKNOWN_FAILS = "path=/wp-json/wc/v3/orders/999999;kinds=503"
#: customer reads fail half the time (passes retry them), coupon pushes now and then
FAULTS = (
    UNKNOWN_FAILS
    + "|path=/wp-json/wc/v3/customers;methods=GET;rate=0.5;kinds=503;seed=5|path=/wp-json/wc/v3/coupons;rate=0.2;kinds=502,timeout;hang=1;seed=6"
)
ROUNDS = ("pass", "webhook", "upkeep", "random")
PASS_KINDS = ("scheduled", "manual", "full")


@pytest.fixture(scope="module")
def reference_with_upkeep(sqlite_template, tmp_path_factory):
    """The uninterrupted run of the same work: a pass, the daily upkeep
    twice, and a last pass. Run seconds apart, the upkeeps change nothing
    (these are the books of passes alone); they are here for what a
    time-driven rule (expiry, coupon expiry, a month's VIP perk) would book
    if a day or month boundary fell between the passes."""
    import shutil

    from loyalty_sync.app import create_app
    from loyalty_sync.store_sync.sync_pass import run_pass
    from sync_jobs.tasks import daily_upkeep

    path = tmp_path_factory.mktemp("reference-upkeep") / "ref.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True, "SECRET_KEY": "t"})
    with seeded_sim() as sim, app.app_context():
        store = store_on(sim, **SEED_STORE)
        assert run_pass(store.id).status == "ok"
        assert [daily_upkeep(store.id).status for _ in range(2)] == ["ok", "ok"]
        assert run_pass(store.id).status == "ok"
        result = {"books": books_view(), "coupons": coupon_view(sim), "meta": meta_view(sim)}
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.fixture(autouse=True)
def _release_defer_pool():
    yield
    close_deferrer()


def _running(kinds) -> bool:
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(func.count()).select_from(SyncRun).where(SyncRun.kind.in_(kinds), SyncRun.status == "running")
        ).scalar_one()
        > 0
    )


UNKNOWN_ORDER = 999999


def _unknown_order() -> dict:
    """An order the store does not know, with a refund whose details cannot be read."""
    return wc.order(
        UNKNOWN_ORDER,
        email="nobody@example.com",
        lines=[wc.line(UNKNOWN_ORDER * 10, "30.00")],
        created=datetime.now(timezone.utc),
        refunds=[{"id": 4242, "amount": "5.00"}],
    )


def _unknown_event() -> WebhookEvent:
    db.session.expire_all()
    return db.session.execute(db.select(WebhookEvent).filter_by(resource_id=UNKNOWN_ORDER)).scalars().one()


def _pending_events() -> int:
    """Pending events, but the one of the unknown order (it fails until its attempts run out)."""
    db.session.expire_all()
    return db.session.execute(
        db.select(func.count())
        .select_from(WebhookEvent)
        .where(WebhookEvent.processed_at.is_(None), WebhookEvent.resource_id != UNKNOWN_ORDER)
    ).scalar_one()


def _ok_pass_after(run_id: int):
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(SyncRun).where(SyncRun.id > run_id, SyncRun.kind.in_(PASS_KINDS), SyncRun.status == "ok")
        )
        .scalars()
        .first()
    )


def _last_run_id() -> int:
    db.session.expire_all()
    return db.session.execute(db.select(func.coalesce(func.max(SyncRun.id), 0))).scalar_one()


def test_worker_kills_during_passes_webhooks_and_upkeep_end_with_the_books_of_an_uninterrupted_run(
    app, database_url, reference_with_upkeep, tmp_path
):
    rng = random.Random(20261207)
    postgres = uses_procrastinate(app)
    count = 2 if postgres else 1
    with seeded_sim(webhook_delay=0.05) as sim, served(app) as base:
        store = store_on(sim, **SEED_STORE)
        orders = woo(sim).get("orders", {"per_page": 60, "orderby": "id", "order": "asc"})
        workers: list[WorkerProcess] = []
        generation = 0

        def start_workers():
            nonlocal generation
            for _ in range(count - len(workers)):
                generation += 1
                worker = WorkerProcess(
                    database_url, tmp_path / f"i{generation}", concurrency=2, extra_env=ENV, name=f"w{generation}"
                )
                worker.wait_started()
                workers.append(worker)

        def kill_all():
            for worker in workers:
                worker.kill()
                worker.stop()
            workers.clear()

        try:
            sim.control.set_faults(FAULTS)
            for round_no, target in enumerate(ROUNDS):
                start_workers()
                if target == "pass":
                    request_pass(store.id, full=round_no % 2 == 1)  # "sync now" on top of the scheduled passes
                    caught = _wait_quietly(lambda: _running(PASS_KINDS), 60)
                    _sleep(rng.uniform(0.2, 2.0))
                elif target == "webhook":
                    # Applying orders out of their history's order may plan points differently from one
                    # pass over all of them (tiers, thresholds): the books are made current first, so
                    # the deliveries (the orders as they are) only have to change nothing, exactly once.
                    wait_for(
                        lambda mark=_last_run_id(): _ok_pass_after(mark),
                        120,
                        0.25,
                        "a pass to end ok before the deliveries",
                    )
                    # an order the store does not know: its refund detail answers 404, the job ends "to
                    # retry" again and again while the newer deliveries queue the next job
                    deliver(base, store.name, "order.updated", _unknown_order(), secret="whsec-reliability")
                    for order in orders[rng.randrange(0, 20) :][:40]:
                        deliver(base, store.name, "order.updated", order, secret="whsec-reliability")
                    caught = _wait_quietly(lambda: _running(("webhook",)), 30, 0.02)
                elif target == "upkeep":
                    caught = _wait_quietly(lambda: _running(("upkeep",)), 30, 0.02)
                    _sleep(rng.uniform(0.0, 0.5))
                else:
                    caught = True
                    _sleep(rng.uniform(0.5, 6.0))
                print(f"round {round_no}: kill during {target} (caught running: {caught})")
                kill_all()
            # the last kills are behind us: the store must keep syncing on its own
            sim.control.set_faults(UNKNOWN_FAILS)
            last = _last_run_id()
            start_workers()
            request_pass(store.id)
            wait_for(lambda: _ok_pass_after(last), 120, 0.25, "a pass to end ok after the crashes")
            wait_for(lambda: _pending_events() == 0, 120, 0.25, "every webhook event to be processed")
            assert _unknown_event().attempts >= 1 and _unknown_event().processed_at is None  # tried, blocked nothing
            settled = _last_run_id()
            wait_for(lambda: _ok_pass_after(settled), 120, 0.25, "one more pass (the store keeps syncing)")
            for worker in workers:
                assert worker.terminate() == 0, worker.output()[-3000:]
            if postgres:
                doing = db.session.execute(
                    text("SELECT id, task_name FROM procrastinate_jobs WHERE status = 'doing'")
                ).all()
                assert doing == [], doing
            db.session.expire_all()
            assert db.session.get(Store, store.id).active
            for worker in workers:
                assert sim.secret not in worker.output()
        except AssertionError:
            for worker in workers:
                print(worker.output()[-5000:])
            raise
        finally:
            for worker in workers:
                worker.stop()
        assert_same_as_reference(reference_with_upkeep, sim)


def _wait_quietly(predicate, timeout: float, interval: float = 0.05) -> bool:
    try:
        wait_for(predicate, timeout, interval)
        return True
    except AssertionError:
        return False


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
