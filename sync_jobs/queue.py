"""The job queue: Procrastinate on PostgreSQL (its schema comes with our
migrations), nothing on SQLite (the single worker runs the same task
functions in-process, see `sync_jobs.worker`).

One Procrastinate `App` per process. Its connector is chosen at run time from
the Flask app's database URL: an async pool in the worker (`worker_connector`),
a small sync pool in web processes and commands that only defer jobs
(`open_for_defer`). Job names, locks and queueing locks live here so every
deferrer uses the same ones:

- `lock` "store-<id>": jobs touching one store (passes, webhook batches,
  upkeep) never run at the same time, on any worker (Procrastinate allows
  one `doing` job per lock and starts none of the others meanwhile);
- `queueing_lock` "<kind>-<id>": at most one job of a kind per store waits in
  the queue (a unique index over `todo` jobs), so nothing piles up behind a
  slow or unreachable store.

Why no job ever goes back from `doing` to `todo`: Procrastinate's retry
(`procrastinate_retry_job_v2`) and the usual stalled-job recovery
(`retry_job`) do exactly that, keeping the queueing lock; when a newer job of
the same kind was queued meanwhile (the next delivery, a "sync now") the
update violates `procrastinate_jobs_queueing_lock_idx_v1`, the old job stays
`doing` holding "store-<id>", the queued one can never start, and every
recovery fails the same way: the store is deadlocked for good.

So store jobs merge instead. They carry nothing but the store id (and, for
passes, the kind and whether it is full): any job of a kind does all that is
pending for the store. Hence (`sync_jobs.tasks`):

- no Procrastinate retry strategy on store jobs; a transient failure ends
  the job (it succeeds, saying "to retry") and `follow_up` defers the next
  attempt with a back-off (2, 4, ... 32 s, priority -1 so a waiting retry
  never holds up a fresh job of the store), or, when a job of that kind is
  already queued, leaves the work to it (a full pass makes it full);
- a stalled job (its worker stopped sending heartbeats: SIGKILL, a machine
  gone) is replaced the same way, then closed as `failed` with
  `finish_job`, which releases "store-<id>". Replacement first, so a
  recovery killed in between finds the job again and merges into its own
  replacement; several workers recovering at once are harmless;
- the PostgreSQL advisory lock a pass holds (`loyalty_sync.store_sync.locks`, which also
  keeps command-line passes apart) belongs to a session: the server frees
  it when the dead worker's connection closes;
- after MAX_JOB_ATTEMPTS the follow-ups stop: the periodic fan-out queues
  due passes and webhook jobs for pending events every tick anyway.
"""

from __future__ import annotations

import logging
import threading

import procrastinate
from flask import Flask, current_app
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

queue_app = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=["sync_jobs.tasks"])

_open_guard = threading.Lock()
_opened_for: str | None = None


def uses_procrastinate(flask_app: Flask | None = None) -> bool:
    """Jobs go through Procrastinate when the database is PostgreSQL."""
    app = flask_app or current_app
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"


def conninfo(flask_app: Flask | None = None) -> str:
    """libpq connection string of the app's database (SQLAlchemy's driver suffix removed)."""
    app = flask_app or current_app
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def store_lock_name(store_id: int) -> str:
    return f"store-{int(store_id)}"


def queueing_lock_name(kind: str, store_id: int) -> str:
    return f"{kind}-{int(store_id)}"


def worker_connector(flask_app: Flask, pool_size: int) -> procrastinate.PsycopgConnector:
    return procrastinate.PsycopgConnector(
        conninfo=conninfo(flask_app),
        min_size=1,
        max_size=max(pool_size, 2),
        kwargs={"application_name": "loyalty-sync worker"},
    )


def use_connector(connector) -> None:
    """Point the (one) Procrastinate app of this process at a connector."""
    queue_app.connector = connector
    queue_app.job_manager.connector = connector


def open_for_defer(flask_app: Flask | None = None) -> procrastinate.App:
    """The Procrastinate app, opened synchronously on the Flask app's database
    (once per process and database; thread-safe). For web processes and commands."""
    global _opened_for
    target = conninfo(flask_app)
    with _open_guard:
        if _opened_for != target:
            old = queue_app.connector
            if _opened_for is not None:
                try:
                    old.get_sync_connector().close()
                except Exception:  # pragma: no cover - closing a dead pool
                    log.debug("closing the previous job-queue pool failed", exc_info=True)
            connector = procrastinate.SyncPsycopgConnector(
                conninfo=target, min_size=0, max_size=4, kwargs={"application_name": "loyalty-sync defer"}
            )
            use_connector(connector)
            connector.open()
            _opened_for = target
    return queue_app


def close_deferrer() -> None:
    """Release the defer pool (tests switch databases; processes exit)."""
    global _opened_for
    with _open_guard:
        if _opened_for is not None:
            try:
                queue_app.connector.get_sync_connector().close()
            finally:
                _opened_for = None
