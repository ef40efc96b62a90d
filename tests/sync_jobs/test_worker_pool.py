"""Several Procrastinate workers against one PostgreSQL database: the jobs
are shared, passes of one store never overlap, and a worker killed mid-pass
loses nothing (its job is retried by another, the books come out exact)."""

import contextlib

import pytest
from sqlalchemy import func

from loyalty_sync.app import create_app
from loyalty_sync.extensions import db
from loyalty_sync.models import Order, SyncRun
from loyalty_sync.store_sync.sync_pass import run_pass
from sync_jobs.queue import close_deferrer, uses_procrastinate
from tests.support.stores import store_on
from tests.sync_jobs.worker_support import (
    FAST_RECOVERY,
    WEBHOOK_SECRET,
    WorkerProcess,
    ledger_view,
    overlapping_runs,
    wait_for,
)
from woosim.testing import WooSimServer


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if not uses_procrastinate(app):
        pytest.skip("several workers need PostgreSQL; on SQLite one worker runs (test_worker.py)")
    yield
    close_deferrer()


def finished_passes(store_ids) -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        db.select(SyncRun.store_id, func.count())
        .where(SyncRun.status == "ok", SyncRun.finished_at.is_not(None))
        .group_by(SyncRun.store_id)
    ).all()
    return {store_id: n for store_id, n in rows if store_id in store_ids}


@pytest.mark.slow
def test_three_workers_share_twenty_stores_without_overlap(app, database_url, tmp_path):
    with contextlib.ExitStack() as stack:
        sims = [stack.enter_context(WooSimServer(seed=f"shop{i}", customers=3, orders=15)) for i in range(20)]
        ids = {store_on(sim, f"shop{i:02}", webhook_secret=WEBHOOK_SECRET).id for i, sim in enumerate(sims)}
        env = {**FAST_RECOVERY, "LOYALTY_SYNC_INTERVAL_SECONDS": 2}
        workers = [
            stack.enter_context(
                contextlib.closing(
                    _Closing(
                        WorkerProcess(
                            database_url, tmp_path / f"instance{i}", concurrency=2, extra_env=env, name=f"w{i}"
                        )
                    )
                )
            )
            for i in range(3)
        ]
        for worker in workers:
            worker.process.wait_started()
        try:
            wait_for(
                lambda: (lambda done: len(done) == 20 and min(done.values()) >= 2)(finished_passes(ids)),
                60,
                0.25,
                "every store to be synced twice",
            )
        except AssertionError:
            print(finished_passes(ids))
            for worker in workers:
                print(worker.process.output()[-6000:])
            raise
        for worker in workers:
            assert worker.process.terminate() == 0, worker.process.output()[-3000:]
        db.session.expire_all()
        runs = db.session.execute(db.select(SyncRun).where(SyncRun.store_id.in_(ids))).scalars().all()
        assert all(run.status == "ok" for run in runs), [(r.store_id, r.status, r.error) for r in runs]
        assert overlapping_runs(runs) == []
        busy = [w.process.output().count("job start:") for w in workers]
        assert sum(1 for n in busy if n) >= 2, busy  # the jobs were shared
        for worker in workers:
            assert sims[0].secret not in worker.process.output()


@pytest.mark.slow
def test_a_worker_killed_mid_pass_is_replaced_and_the_books_are_exact(app, database_url, postgres, tmp_path):
    with WooSimServer(seed="killed", customers=25, orders=1200) as sim:
        store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
        sim.control.set_faults("path=/wp-json/wc/v3/orders;kinds=slow;delay=0.4")
        env = {**FAST_RECOVERY, "LOYALTY_SYNC_INTERVAL_SECONDS": 3600, "LOYALTY_SYNC_CONCURRENCY": 1}
        first = WorkerProcess(database_url, tmp_path / "a", extra_env=env, name="first")
        second = None
        try:
            first.wait_started()
            # mid-pass: some orders are in the books, the pass is not done
            wait_for(lambda: _orders(store.id) > 0, 60, 0.05, "the first batch of orders to be applied")
            assert _orders(store.id) < 1200
            first.kill()
            killed = db.session.execute(db.select(SyncRun).where(SyncRun.store_id == store.id)).scalars().one()
            assert killed.status == "running"
            sim.control.clear_faults()
            second = WorkerProcess(database_url, tmp_path / "b", extra_env=env, name="second")
            second.wait_started()
            done = wait_for(lambda: _finished(store.id), 60, 0.25, "another worker to finish the retried pass")
            assert done.status == "ok", done.error
            db.session.refresh(killed)
            assert killed.status == "interrupted" and killed.finished_at is not None
            assert "was left by a stalled worker; closed, to retry now as job" in second.output()
            assert second.terminate() == 0
        finally:
            first.stop()
            if second:
                second.stop()
        interrupted = ledger_view()
        assert _orders(store.id) == 1200 and interrupted
        installation = store.installation_id

        # The same store synced by one uninterrupted pass, on a database of its own
        postgres.execute("CREATE DATABASE ref_books TEMPLATE loyalty_template")
        try:
            reference_app = create_app(
                {"SQLALCHEMY_DATABASE_URI": postgres.url("ref_books"), "TESTING": True, "SECRET_KEY": "test"}
            )
            with reference_app.app_context():
                # the same installation on a database of its own (another one would, rightly, leave the
                # customer meta the first one wrote alone: books/meta_owner.py)
                reference_store = store_on(sim, "shop", webhook_secret=WEBHOOK_SECRET)
                reference_store.installation_id = installation
                db.session.commit()
                assert run_pass(reference_store.id).status == "ok"
                reference = ledger_view()
                db.session.remove()
                db.engine.dispose()
        finally:
            postgres.execute("DROP DATABASE IF EXISTS ref_books WITH (FORCE)")
    assert interrupted == reference


def _orders(store_id: int) -> int:
    db.session.expire_all()
    return db.session.execute(db.select(func.count()).select_from(Order).where(Order.store_id == store_id)).scalar_one()


def _finished(store_id: int):
    """The retried pass once it finished (the killed one is closed as `interrupted`)."""
    db.session.expire_all()
    return (
        db.session.execute(
            db.select(SyncRun).where(
                SyncRun.store_id == store_id, SyncRun.finished_at.is_not(None), SyncRun.status != "interrupted"
            )
        )
        .scalars()
        .first()
    )


class _Closing:
    def __init__(self, process: WorkerProcess):
        self.process = process

    def close(self):
        self.process.stop()
