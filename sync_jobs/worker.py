"""`flask --app wsgi sync worker`: runs the scheduled passes, the webhook
jobs and the daily upkeep until SIGTERM / SIGINT.

- PostgreSQL: a Procrastinate worker. Any number of them, on any number of
  machines, share the jobs; periodic fan-outs are deferred once per tick
  whichever worker defers them; a worker that dies mid-job stops sending
  heartbeats and its job is put back in the queue by `recover_stalled_job`.
- SQLite (one machine, the demo): the same task functions in this one
  process, on APScheduler; webhook events and "sync now" requests are polled
  every second. A second worker on the same database file refuses to start.

On SIGTERM the job in hand is finished (passes are safe to kill anyway: a
killed one is simply run again), then the worker exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timezone

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from loyalty_sync.extensions import db
from loyalty_sync.models import SyncRun
from loyalty_sync.store_sync.locks import StoreLocked, exclusive_file_lock, lock_path
from sync_jobs import tasks
from sync_jobs.queue import queue_app, use_connector, uses_procrastinate, worker_connector

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0


def schedule_tick(interval_seconds: float) -> int:
    """How often the fan-out looks for due stores: the interval, at most a
    minute, rounded down to a divisor of 60 so it fits a cron line."""
    interval = max(1, int(interval_seconds))
    if interval >= 60:
        return 60
    return max(d for d in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if d <= interval)


def tick_cron(seconds: int) -> str:
    """Procrastinate's cron has an optional sixth field for seconds."""
    return "* * * * *" if seconds >= 60 else f"* * * * * */{seconds}"


def run_worker(
    concurrency: int = 1,
    *,
    flask_app: Flask | None = None,
    stop_event: threading.Event | None = None,
    install_signal_handlers: bool = True,
) -> None:
    flask_app = flask_app or current_app._get_current_object()  # noqa: SLF001 - the app, not the proxy
    concurrency = max(1, int(concurrency))
    if uses_procrastinate(flask_app):
        run_procrastinate_worker(flask_app, concurrency, install_signal_handlers=install_signal_handlers)
    else:
        SQLiteWorker(
            flask_app, concurrency, stop_event=stop_event, install_signal_handlers=install_signal_handlers
        ).run()


def _settings(flask_app: Flask) -> dict:
    config = flask_app.config
    interval = float(config.get("SYNC_INTERVAL_SECONDS", 300))
    return {
        "interval": interval,
        "tick": schedule_tick(interval),
        "upkeep_cron": config.get("UPKEEP_CRON", "0 3 * * *"),
        "heartbeat": float(config.get("WORKER_HEARTBEAT_SECONDS", 10)),
        "stalled_seconds": float(config.get("WORKER_STALLED_SECONDS", 30)),
        "recover_every": int(config.get("WORKER_RECOVER_EVERY_SECONDS", 60)),
        "poll": float(config.get("WORKER_POLL_SECONDS", 5)),
    }


# === PostgreSQL: Procrastinate ====================================================================


def run_procrastinate_worker(flask_app: Flask, concurrency: int, *, install_signal_handlers: bool = True) -> None:
    settings = _settings(flask_app)
    tasks.bind_app(flask_app)
    tasks.configure_worker_settings(
        interval=settings["interval"], tick=settings["tick"], stalled_seconds=settings["stalled_seconds"]
    )
    registry = queue_app.periodic_registry
    registry.periodic_tasks.clear()  # registered per run: the schedule comes from the app's config
    registry.register_task(
        task=tasks.schedule_job, cron=tick_cron(settings["tick"]), periodic_id="schedule", configure_kwargs={}
    )
    registry.register_task(task=tasks.daily_job, cron=settings["upkeep_cron"], periodic_id="daily", configure_kwargs={})
    registry.register_task(
        task=tasks.recover_stalled_job,
        cron=tick_cron(schedule_tick(settings["recover_every"])),
        periodic_id="recover",
        configure_kwargs={},
    )
    registry.register_task(task=tasks.cleanup_job, cron="30 4 * * *", periodic_id="cleanup", configure_kwargs={})
    # Our own connections: a pass holds one for the store lock and one for its session.
    use_connector(worker_connector(flask_app, pool_size=concurrency + 4))
    queue_app._loyalty_worker_open = True  # noqa: SLF001 - tells tasks._deferrable to use this connector
    log.info(
        "sync worker starting on PostgreSQL (Procrastinate), concurrency %d, passes every %ss",
        concurrency,
        int(settings["interval"]),
    )
    try:
        queue_app.run_worker(
            concurrency=concurrency,
            name="loyalty-sync",
            install_signal_handlers=install_signal_handlers,
            update_heartbeat_interval=settings["heartbeat"],
            stalled_worker_timeout=settings["stalled_seconds"],
            fetch_job_polling_interval=settings["poll"],
        )
    finally:
        queue_app._loyalty_worker_open = False  # noqa: SLF001
        tasks.bind_app(None)
        db.engine.dispose()
    log.info("sync worker stopped")


# === SQLite: in-process on APScheduler ============================================================


class SQLiteWorker:
    def __init__(
        self,
        flask_app: Flask,
        concurrency: int,
        *,
        stop_event: threading.Event | None = None,
        install_signal_handlers: bool = True,
    ):
        self.app = flask_app
        self.concurrency = concurrency
        self.settings = _settings(flask_app)
        self.stop_event = stop_event or threading.Event()
        self.install_signal_handlers = install_signal_handlers
        self._inflight: set[str] = set()
        self._guard = threading.Lock()
        self._backoff: dict[int, tuple[int, float]] = {}  # store id -> (failures, not before)
        self.scheduler = None

    def run(self) -> None:
        with self.app.app_context():
            try:
                holder = exclusive_file_lock("worker")
                holder.__enter__()
            except StoreLocked:
                raise click.ClickException(self._busy_message()) from None
        try:
            self._serve()
        finally:
            holder.__exit__(None, None, None)

    def _busy_message(self) -> str:
        try:
            pid = lock_path("worker").read_text().strip()
        except OSError:
            pid = ""
        who = f" (pid {pid})" if pid else ""
        return (
            f"another sync worker is already running on this SQLite database{who}. SQLite allows one "
            "worker per database: stop the other one first, or use PostgreSQL (DATABASE_URL) to run several."
        )

    def _serve(self) -> None:

        # APScheduler logs every run of the 1-second poll at INFO; our jobs log their own start and end.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)

        settings = self.settings
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(self.concurrency + 1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=timezone.utc,
        )
        now = datetime.now(timezone.utc)
        scheduler.add_job(self._schedule, IntervalTrigger(seconds=settings["tick"]), id="schedule", next_run_time=now)
        scheduler.add_job(
            self._poll,
            IntervalTrigger(seconds=float(self.app.config.get("WORKER_SQLITE_POLL_SECONDS", POLL_SECONDS))),
            id="poll",
            next_run_time=now,
        )
        # the same cron line as Procrastinate's: five fields, and an optional sixth for seconds
        fields = settings["upkeep_cron"].split()
        minute, hour, day, month, day_of_week = (fields + ["*"] * 5)[:5]
        second = fields[5] if len(fields) > 5 else "0"
        scheduler.add_job(
            self._daily,
            CronTrigger(
                second=second,
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=day_of_week,
                timezone=timezone.utc,
            ),
            id="daily",
        )
        self.scheduler = scheduler
        previous = {}
        if self.install_signal_handlers and threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self._on_signal)
        log.info(
            "sync worker starting on SQLite (in-process), concurrency %d, passes every %ss",
            self.concurrency,
            int(settings["interval"]),
        )
        scheduler.start()
        try:
            while not self.stop_event.wait(0.5):
                pass
            log.info("sync worker stopping: finishing the job in hand")
        finally:
            scheduler.shutdown(wait=True)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            with self.app.app_context():
                db.engine.dispose()
        log.info("sync worker stopped")

    def _on_signal(self, signum, _frame) -> None:
        log.info("received %s", signal.Signals(signum).name)
        self.stop_event.set()

    # --- dispatch: the same task functions as the Procrastinate jobs --------------------------------
    def _submit(self, key: str, function, *args) -> bool:
        """Run `function(*args)` in the pool unless the same key runs or waits already."""
        if self.stop_event.is_set():
            return False
        with self._guard:
            if key in self._inflight:
                return False
            self._inflight.add(key)
        try:
            self.scheduler.add_job(
                self._run, args=(key, function, *args), id=f"job-{key}-{time.monotonic_ns()}", misfire_grace_time=None
            )
        except Exception:
            with self._guard:
                self._inflight.discard(key)
            raise
        return True

    def _run(self, key: str, function, *args) -> None:
        try:
            with self.app.app_context():
                try:
                    function(*args)
                finally:
                    db.session.remove()
        except Exception:
            log.exception("job %s crashed", key)
        finally:
            with self._guard:
                self._inflight.discard(key)

    def _schedule(self) -> None:
        with self.app.app_context():
            due = tasks.due_store_ids(self.settings["interval"], slack=self.settings["tick"] / 2)
            db.session.remove()
        for store_id in due:
            self._submit(f"pass-{store_id}", self._pass, store_id, "scheduled", False)

    def _poll(self) -> None:
        with self.app.app_context():
            pending = tasks.stores_with_pending_events()
            requested = (
                db.session.execute(db.select(SyncRun.store_id).where(SyncRun.status == "queued").order_by(SyncRun.id))
                .scalars()
                .all()
            )
            emails = tasks.emails_due()
            db.session.remove()
        if emails:  # member emails (loyalty_sync/notifications/sender.py)
            self._submit("emails", tasks.send_emails)
        now = time.monotonic()
        for store_id in pending:
            failures, not_before = self._backoff.get(store_id, (0, 0.0))
            if now >= not_before:
                self._submit(f"webhooks-{store_id}", self._webhooks, store_id)
        for store_id in dict.fromkeys(requested):
            self._submit(f"pass-{store_id}", self._requested_pass, store_id)

    def _daily(self) -> None:
        with self.app.app_context():
            ids = tasks.active_store_ids()
            db.session.remove()
        for store_id in ids:
            self._submit(f"upkeep-{store_id}", self._upkeep, store_id)

    # --- the jobs --------------------------------------------------------------------------------------
    @staticmethod
    def _pass(store_id: int, kind: str, full: bool) -> None:
        try:
            tasks.sync_store(store_id, kind=kind, full=full)
        except StoreLocked:
            log.info("%s pass of store #%s skipped: another pass is running", kind, store_id)

    @staticmethod
    def _requested_pass(store_id: int) -> None:
        """A "sync now" from the admin: a `queued` sync-run row, replaced by the pass's own row."""
        rows = (
            db.session.execute(db.select(SyncRun).where(SyncRun.store_id == store_id, SyncRun.status == "queued"))
            .scalars()
            .all()
        )
        if not rows:
            return
        full = any(row.kind == "full" for row in rows)
        for row in rows:
            db.session.delete(row)
        db.session.commit()
        try:
            tasks.sync_store(store_id, kind="manual", full=full)
        except StoreLocked:  # a pass runs now (the command line): ask again once it is done
            db.session.rollback()
            db.session.add(SyncRun(store_id=store_id, kind="full" if full else "manual", status="queued", counts={}))
            db.session.commit()
            time.sleep(1)

    def _webhooks(self, store_id: int) -> None:
        try:
            outcome = tasks.process_webhook_events(store_id)
        except StoreLocked:
            return  # polled again in a second
        if outcome.retry:
            failures = self._backoff.get(store_id, (0, 0.0))[0] + 1
            delay = min(2**failures, 300)
            self._backoff[store_id] = (failures, time.monotonic() + delay)
            log.info("webhook events of %s will be retried in %ss", outcome.store, delay)
        else:
            self._backoff.pop(store_id, None)

    def _upkeep(self, store_id: int) -> None:
        try:
            tasks.daily_upkeep(store_id)
        except StoreLocked:
            log.info("daily upkeep of store #%s postponed by a minute: a pass is running", store_id)
            retry_at = datetime.fromtimestamp(time.time() + 60, timezone.utc)
            self.scheduler.add_job(
                self._submit, "date", run_date=retry_at, args=(f"upkeep-{store_id}", self._upkeep, store_id)
            )


__all__ = ["SQLiteWorker", "run_worker", "schedule_tick", "tick_cron"]
