"""A pass someone asked for (`sync_jobs.api.request_pass`: "Sync now", a rule save, a history
choice), checked and run the way the worker of the backend would: SQLite keeps a `queued`
sync-run row the in-process worker picks up; PostgreSQL a Procrastinate `loyalty.pass` job."""

from __future__ import annotations

from sqlalchemy import text

from loyalty_sync.extensions import db
from loyalty_sync.models import SyncRun
from sync_jobs import tasks
from sync_jobs.queue import uses_procrastinate
from sync_jobs.worker import SQLiteWorker


def pass_is_requested(store_id: int) -> bool:
    if uses_procrastinate():
        waiting = db.session.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'loyalty.pass' AND status = 'todo' "
                "AND (args->>'store_id')::int = :store_id"
            ),
            {"store_id": store_id},
        ).scalar_one()
        return waiting == 1
    queued = db.session.execute(db.select(SyncRun).filter_by(store_id=store_id, status="queued")).scalars().all()
    return len(queued) == 1


def run_requested_pass(store_id: int) -> None:
    """The one real pass the worker runs for the request."""
    assert pass_is_requested(store_id), "a pass was asked for"
    if uses_procrastinate():
        db.session.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'succeeded' WHERE task_name = 'loyalty.pass' "
                "AND status = 'todo' AND (args->>'store_id')::int = :store_id"
            ),
            {"store_id": store_id},
        )
        db.session.commit()
        tasks.sync_store(store_id, kind="manual")
    else:
        SQLiteWorker._requested_pass(store_id)  # noqa: SLF001 - the worker's job for a queued pass
