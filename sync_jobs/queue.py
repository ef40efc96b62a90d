"""The job queue: Procrastinate on PostgreSQL (its schema comes with our
migrations), nothing on SQLite (the single worker runs the same task
functions in-process, see `sync_jobs.worker`).

One Procrastinate `App` per process. Its connector is chosen at run time from
the Flask app's database URL: an async pool in the worker (`worker_connector`),
a small sync pool in web processes and commands that only defer jobs
(`open_for_defer`). Job names, locks and queueing locks live here so every
deferrer uses the same ones:

- `lock` "store-<id>": jobs touching one store (passes, webhook batches,
  upkeep) never run at the same time, on any worker;
- `queueing_lock` "<kind>-<id>": at most one job of a kind per store waits in
  the queue, so nothing piles up behind a slow or unreachable store.
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
    return procrastinate.PsycopgConnector(conninfo=conninfo(flask_app), min_size=1, max_size=max(pool_size, 2),
                                          kwargs={"application_name": "loyalty-sync worker"})


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
                conninfo=target, min_size=0, max_size=4, kwargs={"application_name": "loyalty-sync defer"})
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
