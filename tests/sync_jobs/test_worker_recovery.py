"""PostgreSQL jobs never deadlock a store (issue 17, section 1).

Procrastinate allows one `todo` job per queueing lock ("pass-1",
"webhooks-1") and one `doing` job per lock ("store-1"). A job moved back
from `doing` to `todo` (Procrastinate's retry, or the stalled-job recovery)
while a newer job of the same kind is already queued used to violate the
queueing-lock index: the old job stayed `doing` holding the store's lock and
the queued one waited forever, after every restart too. Both ways in are
reproduced here with real worker processes:

(A) a worker SIGKILLed mid-pass while the store's next pass is queued;
(B) a webhook job ending "to retry" (a store error) while a newer delivery
    has already queued the next webhook job.
"""

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, text

from loyalty_sync.extensions import db
from loyalty_sync.models import Order, SyncRun, WebhookEvent
from loyalty_sync.store_sync.sync_pass import run_pass
from sync_jobs.api import request_pass
from sync_jobs.queue import close_deferrer, uses_procrastinate
from tests.support import wc
from tests.support.stores import store_on
from tests.sync_jobs.worker_support import FAST_RECOVERY, WEBHOOK_SECRET, WorkerProcess, deliver, served, wait_for
from woosim.testing import WooSimServer

FAST = {**FAST_RECOVERY, "LOYALTY_STORE_MAX_ATTEMPTS": 2}  # a failing store request is retried once


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if not uses_procrastinate(app):
        pytest.skip("Procrastinate jobs exist on PostgreSQL only")
    yield
    close_deferrer()


def jobs(status: str | None = None, task: str | None = None) -> list[tuple]:
    db.session.rollback()
    return db.session.execute(
        text(
            "SELECT id, task_name, status::text, queueing_lock FROM procrastinate_jobs "
            "WHERE (CAST(:status AS text) IS NULL OR status::text = :status) "
            "AND (CAST(:task AS text) IS NULL OR task_name = :task) ORDER BY id"
        ),
        {"status": status, "task": task},
    ).all()


def job_status(job_id: int) -> str:
    db.session.rollback()
    return db.session.execute(
        text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
    ).scalar_one()


def _dump(*workers) -> None:
    print(jobs())
    for worker in workers:
        if worker is not None:
            print(worker.output()[-6000:])


@pytest.mark.slow
def test_a_killed_pass_with_the_next_pass_queued_is_recovered(app, database_url, tmp_path):
    with WooSimServer(seed="queued-behind", customers=10, orders=700) as sim:
        store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
        sim.control.set_faults("path=/wp-json/wc/v3/orders;kinds=slow;delay=0.4")
        env = {**FAST, "LOYALTY_SYNC_INTERVAL_SECONDS": 3600}
        first, second = WorkerProcess(database_url, tmp_path / "a", extra_env=env, name="first"), None
        try:
            first.wait_started()
            [running] = wait_for(lambda: jobs("doing", "loyalty.pass"), 60, 0.1, "the first pass to start")
            wait_for(lambda: _orders(store.id) > 0, 60, 0.05, "the first batch of orders to be applied")
            assert "is queued (job" in request_pass(store.id)  # "Sync now": the next pass waits behind it
            assert len(jobs("todo", "loyalty.pass")) == 1
            first.kill()
            sim.control.clear_faults()
            second = WorkerProcess(database_url, tmp_path / "b", extra_env=env, name="second")
            second.wait_started()
            wait_for(lambda: job_status(running[0]) != "doing", 60, 0.25, "the killed pass's job to be closed")
            done = wait_for(lambda: _finished_pass(store.id), 60, 0.25, "a pass to finish after the crash")
            assert done.status == "ok", done.error
            wait_for(
                lambda: not jobs("doing") and not jobs("todo", "loyalty.pass"),
                60,
                0.25,
                "no pass job left waiting or running",
            )
            assert _orders(store.id) == 700
            # the store keeps syncing: the next "sync now" runs too
            request_pass(store.id)
            wait_for(lambda: len(_finished_passes(store.id)) >= 2, 60, 0.25, "the next requested pass")
            assert second.terminate() == 0
        except AssertionError:
            _dump(first, second)
            raise
        finally:
            first.stop()
            if second:
                second.stop()


@pytest.mark.slow
def test_a_webhook_job_to_retry_while_the_next_one_is_queued_does_not_block_the_store(app, database_url, tmp_path):
    with WooSimServer(seed="webhook-retry", customers=3, orders=10) as sim:
        store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
        assert run_pass(store.id).status == "ok"  # the books are current: no scheduled pass for an hour
        # The refund detail of order 999999 fails (503, a store error: "to retry"); a real store
        # answers an unknown order's refunds with 200 [] (woosim too), so the failure is injected.
        # Its Retry-After slows the job down, so the next delivery arrives while that job runs.
        sim.control.set_faults("path=/wp-json/wc/v3/orders/999999;kinds=503;retry_after=2")
        worker = WorkerProcess(database_url, tmp_path / "w", extra_env={**FAST, "LOYALTY_SYNC_INTERVAL_SECONDS": 3600})
        try:
            worker.wait_started()
            with served(app) as base:
                deliver(base, "shop", "order.updated", _order(999999, refunds=[{"id": 4242, "amount": "5.00"}]))
                [failing] = wait_for(lambda: jobs("doing", "loyalty.webhooks"), 30, 0.05, "the webhook job to start")
                deliver(base, "shop", "order.updated", _order(999998))
                assert jobs("todo", "loyalty.webhooks"), "the newer delivery queued the next job"
            wait_for(lambda: job_status(failing[0]) != "doing", 60, 0.25, "the failing job to end")
            wait_for(lambda: _event(999998).processed_at is not None, 60, 0.25, "the newer delivery to be applied")
            assert _event(999999).processed_at is None and _event(999999).attempts >= 1  # still to retry
            # the store keeps syncing: a requested pass runs while the bad event is retried
            request_pass(store.id)
            done = wait_for(lambda: _finished_pass(store.id, after=2), 60, 0.25, "a pass after the webhook retries")
            assert done.status == "ok", done.error
            assert worker.terminate() == 0
        except AssertionError:
            _dump(worker)
            raise
        finally:
            worker.stop()


def _order(order_id: int, refunds=()) -> dict:
    """A guest's order made just now, as its webhook delivers it."""
    return wc.order(
        order_id,
        email=f"g{order_id}@example.com",
        lines=[wc.line(order_id * 10, "30.00")],
        created=datetime.now(timezone.utc),
        refunds=refunds,
    )


def _event(order_id: int) -> WebhookEvent:
    db.session.expire_all()
    return (
        db.session.execute(db.select(WebhookEvent).filter_by(resource_id=order_id).order_by(WebhookEvent.id.desc()))
        .scalars()
        .first()
    )


def _orders(store_id: int) -> int:
    db.session.expire_all()
    return db.session.execute(db.select(func.count()).select_from(Order).where(Order.store_id == store_id)).scalar_one()


def _finished_passes(store_id: int) -> list[SyncRun]:
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(SyncRun)
            .where(
                SyncRun.store_id == store_id,
                SyncRun.kind.in_(("scheduled", "manual", "full")),
                SyncRun.finished_at.is_not(None),
                SyncRun.status != "interrupted",
            )
            .order_by(SyncRun.id)
        )
        .scalars()
        .all()
    )


def _finished_pass(store_id: int, after: int = 1):
    """The `after`-th finished pass of the store (the killed one, closed as `interrupted`, not counted)."""
    done = _finished_passes(store_id)
    return done[after - 1] if len(done) >= after else None


def _waiting_pass_jobs() -> list[tuple]:
    db.session.rollback()
    return db.session.execute(
        text(
            "SELECT id, args, priority, scheduled_at IS NOT NULL FROM procrastinate_jobs "
            "WHERE task_name = 'loyalty.pass' AND status = 'todo' ORDER BY id"
        )
    ).all()


def test_a_follow_up_merges_into_the_waiting_job_and_a_full_pass_makes_it_full(app):
    from sync_jobs.tasks import MAX_JOB_ATTEMPTS, defer_pass, follow_up

    with WooSimServer() as sim:
        store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
        # nothing waits: the follow-up is a new job, later and at a lower priority than fresh jobs
        assert "to retry in 2s as job" in follow_up("pass", store.id, 0, "store down", kind="manual", full=False)
        [(job_id, args, priority, delayed)] = _waiting_pass_jobs()
        assert args == {"store_id": store.id, "kind": "manual", "full": False, "attempt": 1}
        assert priority < 0 and delayed
        # a job waits already: merged into it, and a full pass's follow-up makes it full
        assert "merged" in follow_up("pass", store.id, 1, "killed", wait=False, kind="full", full=True)
        [(same_id, args, _, _)] = _waiting_pass_jobs()
        assert same_id == job_id and args["full"] is True and args["kind"] == "full"
        assert defer_pass(store.id) is None  # still one waiting job per store
        assert "given up" in follow_up("pass", store.id, MAX_JOB_ATTEMPTS - 1, "again", kind="manual", full=False)
        assert len(_waiting_pass_jobs()) == 1
