"""What the worker does, as plain functions of a store id, plus their
Procrastinate registrations.

The task functions (`sync_store`, `process_webhook_events`, `daily_upkeep`,
`send_emails` (member emails; no store lock: the outbox's claims keep workers apart),
and the fan-outs `due_store_ids` / `stores_with_pending_events`) need an
app context and nothing else; both dispatchers call exactly these:

- PostgreSQL: Procrastinate jobs (`pass_job`, `webhook_job`, `upkeep_job`, `emails_job`,
  the periodic `schedule_job` / `daily_job` fan-outs, `recover_stalled_job`);
- SQLite: `sync_jobs.worker.SQLiteWorker` calls them from APScheduler.

Every job touching a store runs under the Procrastinate lock "store-<id>"
and, inside, under `locks.store_lock` (so a `sync run` from the command line
is respected too). Logs name the store and the outcome, never a secret.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app, has_app_context
from procrastinate import jobs as queue_jobs
from procrastinate import utils as queue_utils
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import func

from loyalty_sync.actions.nps_invites import queue_nps_invites
from loyalty_sync.actions.redemption import purge_answered_keys
from loyalty_sync.books.apply import apply_customers, apply_with_retry, is_stale_order, reevaluate
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, Store, SyncRun, WebhookEvent
from loyalty_sync.notifications.expiry_reminders import queue_expiry_reminders
from loyalty_sync.notifications.sender import SendOutcome, has_due_messages, send_due
from loyalty_sync.notifications.tier_risk_reminders import queue_tier_risk_reminders
from loyalty_sync.redaction import redact
from loyalty_sync.store_sync.connection import client_for, refresh_site_identity
from loyalty_sync.store_sync.locks import StoreLocked, store_lock
from loyalty_sync.store_sync.push import MAX_PUSH_ATTEMPTS
from loyalty_sync.store_sync.reconcile import reconcile
from loyalty_sync.store_sync.run_record import PassCounts, recorded_run
from loyalty_sync.store_sync.sync_pass import PERMANENT_ERRORS, StorePass, run_pass
from loyalty_sync.woocommerce.errors import StoreError
from sync_jobs.queue import open_for_defer, queue_app, queueing_lock_name, store_lock_name, uses_procrastinate

log = logging.getLogger(__name__)

MAX_EVENT_ATTEMPTS = 8  # then the event is left (with its error) to the scheduled pass
EVENT_BATCH = 500  # events handled per webhook job
PASS_KINDS = ("scheduled", "manual", "full")


# --- the Flask app the jobs run in -------------------------------------------------------------
_bound_app: Flask | None = None


def bind_app(flask_app: Flask | None) -> None:
    """The worker binds its app so jobs run in executor threads get an app context."""
    global _bound_app
    _bound_app = flask_app


@contextlib.contextmanager
def app_context():
    """A fresh app context (and so a session of its own) for one job. Job threads
    inherit the context variables of the worker's event loop, where the
    command's app context lives: reusing it would share one session between jobs."""
    app = _bound_app or (current_app._get_current_object() if has_app_context() else None)  # noqa: SLF001
    if app is None:
        raise RuntimeError("sync_jobs.tasks: no Flask app bound (the worker calls bind_app)")
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()


# --- task functions: passes ------------------------------------------------------------------------


def sync_store(store_id: int, kind: str = "scheduled", full: bool = False) -> SyncRun | None:
    """One pass of one store; None when skipped. Raises StoreLocked if a pass of the store runs."""
    store = db.session.get(Store, store_id)
    if store is None or not store.active or not store.has_keys:
        log.info(
            "pass of store #%s skipped: %s",
            store_id,
            "unknown store" if store is None else "inactive" if not store.active else "no API keys",
        )
        return None
    name = store.name
    log.info("job start: %s pass of %s", "full" if full else kind, name)
    started = time.monotonic()
    run = run_pass_for(store_id, full=full, kind=kind)
    counts = run.counts or {}
    log.info(
        "job end: %s pass of %s: %s in %.1fs (%s requests, applied %s, rejected %s, pushed %s coupons / %s members)%s",
        "full" if full else kind,
        name,
        run.status,
        time.monotonic() - started,
        run.requests,
        counts.get("applied", 0),
        counts.get("rejected", 0),
        counts.get("pushed_coupons", 0),
        counts.get("pushed_members", 0),
        f": {redact(run.error)[:300]}" if run.error else "",
    )
    return run


def run_pass_for(store_id: int, *, full: bool, kind: str) -> SyncRun:

    return run_pass(store_id, full=full, kind=kind, wait_for_lock=False)


def due_store_ids(interval_seconds: float, now: datetime | None = None, slack: float = 0.0) -> list[int]:
    """Active stores with keys whose last pass started `interval - slack` seconds ago or more."""
    now = now or datetime.now(timezone.utc)
    last = (
        db.select(SyncRun.store_id, func.max(SyncRun.started_at).label("at"))
        .where(SyncRun.kind.in_(PASS_KINDS), SyncRun.status != "queued")
        .group_by(SyncRun.store_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Store.id, Store.consumer_key, Store.consumer_secret, last.c.at)
        .outerjoin(last, last.c.store_id == Store.id)
        .where(Store.active.is_(True))
        .order_by(Store.id)
    ).all()
    cutoff = now - timedelta(seconds=max(interval_seconds - slack, 0))
    return [store_id for store_id, key, secret, at in rows if key and secret and (at is None or _aware(at) <= cutoff)]


# --- task functions: webhook events ------------------------------------------------------------------


@dataclass
class WebhookOutcome:
    store: str = ""
    applied: int = 0
    superseded: int = 0
    stale: int = 0
    failed: int = 0
    pushed_coupons: int = 0
    pushed_members: int = 0
    retry: bool = False
    status: str = "nothing to do"

    def __str__(self) -> str:
        return (
            f"{self.store}: {self.status}; {self.applied} applied, {self.superseded} superseded, "
            f"{self.stale} stale, {self.failed} failed; pushed {self.pushed_coupons} coupons / "
            f"{self.pushed_members} members"
        )


def pending_events_query(store_id: int | None = None):
    query = db.select(WebhookEvent).where(
        WebhookEvent.processed_at.is_(None), WebhookEvent.attempts < MAX_EVENT_ATTEMPTS
    )
    if store_id is not None:
        query = query.where(WebhookEvent.store_id == store_id)
    return query


def stores_with_pending_events() -> list[int]:
    return list(
        db.session.execute(
            db.select(WebhookEvent.store_id)
            .where(WebhookEvent.processed_at.is_(None), WebhookEvent.attempts < MAX_EVENT_ATTEMPTS)
            .group_by(WebhookEvent.store_id)
            .order_by(WebhookEvent.store_id)
        ).scalars()
    )


def process_webhook_events(store_id: int, *, limit: int = EVENT_BATCH) -> WebhookOutcome:
    """Apply the store's pending webhook events in order of arrival, then push
    its pending coupons and changed member meta. Raises StoreLocked if a pass of
    the store runs. `outcome.retry` says a transient failure should be retried."""

    with store_lock(store_id, wait=False):
        store = db.session.get(Store, store_id)
        outcome = WebhookOutcome(store=store.name if store else f"#{store_id}")
        if store is None:
            return outcome
        events = (
            db.session.execute(pending_events_query(store_id).order_by(WebhookEvent.id).limit(limit)).scalars().all()
        )
        if not events and not _has_pending_push(store_id):
            return outcome
        now = datetime.now(timezone.utc)
        latest: dict[tuple[str, int], WebhookEvent] = {}
        for event in events:  # the payload is the object at send time: the last one wins
            key = (event.resource, event.resource_id)
            earlier = latest.get(key)
            if earlier is not None:
                earlier.processed_at, earlier.error = now, f"superseded by webhook event {event.id}"
                outcome.superseded += 1
            latest[key] = event
        db.session.commit()
        event_ids = [e.id for e in latest.values()]

        log.info("job start: %d webhook event(s) of %s", len(event_ids), store.name)
        started = time.monotonic()
        client = client_for(store)
        counts = PassCounts()
        errors: list[str] = []
        try:
            with recorded_run(store, "webhook", client, counts, reraise=True) as record:
                worker = StorePass(
                    store,
                    db.session.get(SyncRun, record.id),
                    client,
                    counts,
                    full=False,
                    progress=None,
                    batch_size=EVENT_BATCH,
                )
                remaining = _apply_orders_together(store, worker, event_ids, outcome)
                for event_id in remaining:
                    _apply_event(store, worker, event_id, outcome, errors)
                if not outcome.failed or outcome.applied:
                    try:
                        worker.push()
                    except StoreError as exc:
                        db.session.rollback()
                        errors.append(f"push: {exc}")
                        outcome.retry = True
                outcome.pushed_coupons, outcome.pushed_members = counts.pushed_coupons, counts.pushed_members
                errors.extend(counts.errors)
                record.status = (
                    "failed"
                    if outcome.failed and not outcome.applied
                    else "partial"
                    if errors or counts.rejected
                    else "ok"
                )
                record.error = "; ".join(errors[:20])
                record.extra = {
                    "events": len(event_ids),
                    "superseded": outcome.superseded,
                    "stale": outcome.stale,
                    "failed_events": outcome.failed,
                }
        finally:
            client.close()
        run = record.run
        outcome.status = run.status
        log.info(
            "job end: webhook events of %s: %s in %.1fs (%s)",
            store.name,
            run.status,
            time.monotonic() - started,
            outcome,
        )
        return outcome


def _apply_orders_together(store: Store, worker, event_ids: list[int], outcome: WebhookOutcome) -> list[int]:
    """The order events of a job in one apply (one transaction, each member
    planned once): a burst of deliveries costs one round, not one per order.
    Returns the events still to handle one by one: customer events, and all
    of them if the batch failed (then each failure is recorded on its event)."""
    events = [db.session.get(WebhookEvent, i) for i in event_ids]
    orders = [e for e in events if e.resource == "order" and isinstance(e.payload, dict)]
    rest = [e.id for e in events if e not in orders]
    fresh = []
    for event in orders:
        if is_stale_order(store, event.payload):
            event.processed_at, event.error = datetime.now(timezone.utc), "older than the order in the books"
            outcome.stale += 1
        else:
            fresh.append(event)
    db.session.commit()
    if not fresh:
        return rest
    before = worker.counts.rejected
    try:
        worker.apply_orders([e.payload for e in fresh])
    except Exception as exc:  # isolate the culprit: retry one by one
        db.session.rollback()
        log.warning(
            "webhook batch of %s failed (%s); applying its events one by one", store.name, redact(str(exc))[:200]
        )
        return rest + [e.id for e in fresh]
    now = datetime.now(timezone.utc)
    rejected = worker.counts.rejected > before
    for event in fresh:
        event = db.session.get(WebhookEvent, event.id)
        event.attempts += 1
        event.processed_at = now
        event.error = "some orders of this batch were rejected: see the rejected records" if rejected else ""
    db.session.commit()
    outcome.applied += len(fresh)
    return rest


def _apply_event(store: Store, worker, event_id: int, outcome: WebhookOutcome, errors: list[str]) -> None:
    event = db.session.get(WebhookEvent, event_id)
    payload = event.payload if isinstance(event.payload, dict) else {}
    try:
        if event.resource == "order" and is_stale_order(store, payload):
            event.processed_at, event.error = datetime.now(timezone.utc), "older than the order in the books"
            outcome.stale += 1
            db.session.commit()
            return
        before = worker.counts.rejected
        if event.resource == "order":
            worker.apply_orders([payload])  # learns new customers, fetches refund lines, commits
        else:
            result = apply_with_retry(lambda: apply_customers(store, [payload], run_id=worker.run.id))
            _count(worker.counts, "customers", result)
        event = db.session.get(WebhookEvent, event_id)
        event.attempts += 1
        event.processed_at = datetime.now(timezone.utc)
        event.error = "rejected: see the rejected records" if worker.counts.rejected > before else ""
        db.session.commit()
        outcome.applied += 1
    except Exception as exc:  # recorded on the event and retried; a bug must not block the others
        db.session.rollback()
        transient = isinstance(exc, StoreError)
        message = redact(str(exc) if transient else f"internal error: {exc!r}")[:2000]
        if not transient:
            log.exception("webhook event %s of %s crashed", event_id, store.name)
        event = db.session.get(WebhookEvent, event_id)
        event.attempts += 1
        event.error = message
        db.session.commit()
        outcome.failed += 1
        outcome.retry = outcome.retry or event.attempts < MAX_EVENT_ATTEMPTS
        errors.append(f"{event.topic} {event.resource_id}: {message}")


def _count(counts, resource: str, result) -> None:
    """Add an apply result to a pass's counts (the same fields `StorePass` fills)."""
    if isinstance(getattr(counts, "applied_by", None), dict):
        counts.applied_by[resource] = counts.applied_by.get(resource, 0) + result.applied
    else:  # pragma: no cover - older PassCounts
        counts.applied += result.applied
    counts.unchanged += result.unchanged
    counts.stale += result.stale
    counts.rejected += len(result.rejected)


def _has_pending_push(store_id: int) -> bool:
    coupon = db.session.execute(
        db.select(Coupon.id)
        .where(
            Coupon.store_id == store_id,
            Coupon.status.in_(("pending", "failed")),
            Coupon.push_attempts < MAX_PUSH_ATTEMPTS,
        )
        .limit(1)
    ).first()
    if coupon:
        return True
    return (
        db.session.execute(
            db.select(Member.id).where(Member.store_id == store_id, Member.status_changed.is_(True)).limit(1)
        ).first()
        is not None
    )


# --- task functions: daily upkeep ------------------------------------------------------------------


def daily_upkeep(store_id: int, now: datetime | None = None) -> SyncRun | None:
    """Time-driven rules for every member (expiry, demotion, VIP end, coupon
    expiry), then push what changed. Raises StoreLocked if a pass of the store runs."""

    with store_lock(store_id, wait=False):
        store = db.session.get(Store, store_id)
        if store is None or not store.active:
            return None
        log.info("job start: daily upkeep of %s", store.name)
        started = time.monotonic()
        counts = PassCounts()
        client = client_for(store) if store.has_keys else None
        try:
            with recorded_run(store, "upkeep", client, counts) as record:
                if client is not None:
                    refresh_site_identity(store, client)  # the shop's name and time zone, once a day
                result = apply_with_retry(lambda: _reevaluate_and_remind(store, now, record.extra))
                record.extra["members_reevaluated"] = len(result.members)
                # storefront API idempotency keys (redemption.py)
                record.extra["idempotency_keys_purged"] = purge_answered_keys(store.id, now)
                db.session.commit()
                if client is not None:
                    StorePass(
                        store,
                        db.session.get(SyncRun, record.id),
                        client,
                        counts,
                        full=False,
                        progress=None,
                        batch_size=EVENT_BATCH,
                    ).push()
                    _reconcile_in_upkeep(store, client, counts)  # analysis: loyalty_sync/store_sync/reconcile.py
                record.status = "partial" if counts.errors else "ok"
                record.error = "; ".join(counts.errors[:20])
        finally:
            if client is not None:
                client.close()
        run = record.run
        log.info("job end: daily upkeep of %s: %s in %.1fs", store.name, run.status, time.monotonic() - started)
        return run


def _reevaluate_and_remind(store: Store, now: datetime | None, extra: dict):
    """The time-driven rules, and the emails they lead to, in one transaction:
    "points expire in N days" (loyalty_sync/notifications/expiry_reminders.py),
    "keep your tier" (tier_risk_reminders.py), the NPS invite (actions/nps_invites.py)."""
    result = reevaluate(store, now=now)
    extra["expiry_reminders_queued"] = queue_expiry_reminders(store, now)
    extra["tier_risk_reminders_queued"] = queue_tier_risk_reminders(store, now)
    extra["nps_invites_queued"] = queue_nps_invites(store, now)
    return result


# --- task functions: member emails ------------------------------------------------------------------


def send_emails(now: datetime | None = None) -> SendOutcome:
    """Send the outbox's due messages, all stores (loyalty_sync/notifications/sender.py:
    claims, retries with back-off, the per-store rate limit, crash recovery)."""
    outcome = send_due(now=now)
    if outcome.sent or outcome.bounced or outcome.failed or outcome.retry or outcome.released:
        log.info("job end: emails: %s", outcome)
    return outcome


def emails_due() -> bool:
    return has_due_messages()


def _reconcile_in_upkeep(store: Store, client, counts) -> None:
    """analysis: compare the store with the books and heal the drift (its own
    `reconcile` SyncRun row); a failure is recorded, never fails the upkeep."""

    try:
        result = reconcile(store, fix=True, client=client, lock=False)
        log.info(
            "upkeep of %s: reconcile found %d drift(s), fixed %d", store.name, len(result["drift"]), result["fixed"]
        )
    except StoreError as exc:
        db.session.rollback()
        counts.errors.append(f"reconcile: {exc}")
    except Exception as exc:  # noqa: BLE001 - the upkeep's own work is done; say what failed
        db.session.rollback()
        log.exception("reconcile during the upkeep of %s crashed", store.name)
        counts.errors.append(f"reconcile: internal error: {exc!r}")


def active_store_ids() -> list[int]:
    return list(db.session.execute(db.select(Store.id).where(Store.active.is_(True)).order_by(Store.id)).scalars())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# === Procrastinate (PostgreSQL) =====================================================================
# Store jobs are never moved back from `doing` to `todo` (Procrastinate's retry would collide with a
# job of the same kind queued meanwhile, see sync_jobs/queue.py): a transient failure (store
# unreachable / 5xx / 429, store locked by a command-line pass) ends the job and queues its follow-up,
# 2, 4, 8, 16, 32 s later, or merges into the job of that kind already queued.
MAX_JOB_ATTEMPTS = 6  # then the periodic fan-out takes over (passes, pending events); upkeep: the next day
RETRY_PRIORITY = -1  # a delayed follow-up never holds up a fresh job of its store (Procrastinate runs
# jobs of one lock by priority, then id, whatever their scheduled time)

_worker_settings = {"interval": 300, "tick": 60, "stalled_seconds": 30}


def configure_worker_settings(**values) -> None:
    _worker_settings.update(values)


def retry_delay(attempt: int) -> int:
    """Seconds before follow-up number `attempt` (1, 2, ...) runs."""
    return 2**attempt


@queue_app.task(name="loyalty.pass")
def pass_job(store_id: int, kind: str = "scheduled", full: bool = False, attempt: int = 0) -> str:
    with app_context():
        try:
            run = sync_store(store_id, kind=kind, full=full)
        except StoreLocked:
            if kind == "scheduled":  # the pass running now does the work
                log.info("scheduled pass of store #%s skipped: another pass is running", store_id)
                return "skipped: busy"
            return follow_up("pass", store_id, attempt, f"store #{store_id} is busy", kind=kind, full=full)
        if run is None:
            return "skipped"
        if run.status == "failed" and (run.counts or {}).get("error_kind") not in PERMANENT_ERRORS:
            return follow_up(
                "pass",
                store_id,
                attempt,
                f"pass of store #{store_id} failed: {redact(run.error)[:200]}",
                kind=kind,
                full=full,
            )
        return f"{run.status} (sync run {run.id})"


@queue_app.task(name="loyalty.webhooks")
def webhook_job(store_id: int, attempt: int = 0) -> str:
    with app_context():
        try:
            outcome = process_webhook_events(store_id)
        except StoreLocked:
            return follow_up("webhooks", store_id, attempt, f"store #{store_id} is busy")
        if outcome.retry:
            return follow_up("webhooks", store_id, attempt, str(outcome))
        return str(outcome)


@queue_app.task(name="loyalty.upkeep")
def upkeep_job(store_id: int, attempt: int = 0) -> str:
    with app_context():
        try:
            run = daily_upkeep(store_id)
        except StoreLocked:
            return follow_up("upkeep", store_id, attempt, f"store #{store_id} is busy")
        if run is None:
            return "skipped"
        if run.status == "failed":
            return follow_up("upkeep", store_id, attempt, f"upkeep of store #{store_id} failed")
        return run.status


@queue_app.task(name="loyalty.schedule", queueing_lock="loyalty.schedule")
def schedule_job(timestamp: int) -> str:
    """Periodic fan-out: a pass for every store that is due, and a webhook job
    for every store with events still pending (a failed defer, a retry)."""
    with app_context():
        settings = _worker_settings
        due = due_store_ids(settings["interval"], slack=settings["tick"] / 2)
        queued = [store_id for store_id in due if defer_pass(store_id, "scheduled") is not None]
        pending = [store_id for store_id in stores_with_pending_events() if defer_webhooks(store_id) is not None]
        emails = "; emails job queued" if emails_due() and defer_emails() is not None else ""
        return f"passes queued for stores {queued}; webhook jobs for stores {pending}{emails}"


@queue_app.task(name="loyalty.emails", queueing_lock="loyalty.emails")
def emails_job(timestamp: int = 0) -> str:
    """The outbox needs no store lock: claims keep two workers apart, and its
    retries are rows (`next_attempt_at`), not jobs; a stalled one is simply
    run again by the next tick (`release_stale_claims`)."""
    with app_context():
        return str(send_emails())


@queue_app.task(name="loyalty.daily", queueing_lock="loyalty.daily")
def daily_job(timestamp: int) -> str:
    with app_context():
        ids = [store_id for store_id in active_store_ids() if defer_upkeep(store_id) is not None]
        return f"upkeep queued for stores {ids}"


@queue_app.task(name="loyalty.recover_stalled", queueing_lock="loyalty.recover_stalled")
async def recover_stalled_job(timestamp: int) -> str:
    """Jobs of workers that stopped sending heartbeats (killed, machine gone):
    each is replaced by a new job (or merged into the one of its kind already
    queued), then closed as failed, which frees its store's lock. In that
    order, so a recovery that dies half-way is simply done again next tick."""
    stalled = await queue_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=_worker_settings["stalled_seconds"])
    recovered = []
    for job in stalled:
        try:
            replaced = await queue_utils.sync_to_async(replace_stalled, job)
            await queue_app.job_manager.finish_job(job, status=queue_jobs.Status.FAILED, delete_job=False)
        except Exception:  # noqa: BLE001 - another worker's recovery got there first; or the next tick
            log.warning(
                "job %s (%s) left by a stalled worker could not be recovered now", job.id, job.task_name, exc_info=True
            )
            continue
        log.warning("job %s (%s) was left by a stalled worker; closed, %s", job.id, job.task_name, replaced)
        recovered.append(job.id)
    return f"recovered {recovered}" if recovered else "none stalled"


@queue_app.task(name="loyalty.cleanup", queueing_lock="loyalty.cleanup")
async def cleanup_job(timestamp: int) -> str:
    """Finished jobs are kept three days (what ran, when, on which worker), then removed."""
    await queue_app.job_manager.delete_old_jobs(
        nb_hours=72, include_failed=True, include_cancelled=True, include_aborted=True
    )
    return "old jobs removed"


# --- follow-ups: retries and replacements of store jobs ----------------------------------------------

STORE_JOBS = {"loyalty.pass": "pass", "loyalty.webhooks": "webhooks", "loyalty.upkeep": "upkeep"}


def replace_stalled(job) -> str:
    """What takes over from a stalled job (see `recover_stalled_job`)."""
    kind = STORE_JOBS.get(job.task_name)
    kwargs = dict(job.task_kwargs)
    if kind is not None:
        store_id, attempt = int(kwargs.pop("store_id")), int(kwargs.pop("attempt", 0))
        return follow_up(kind, store_id, attempt, "its worker stopped", wait=False, **kwargs)
    if job.task_name == daily_job.name:  # killed while queueing the upkeeps: queue them again
        _deferrable()
        try:
            return f"queued again as job {daily_job.defer(**kwargs)}"
        except AlreadyEnqueued:
            return "a copy is already queued"
    return "the next tick runs it again"  # the other fan-outs are periodic


def follow_up(job_kind: str, store_id: int, attempt: int, reason: str, *, wait: bool = True, **kwargs) -> str:
    """Queue the next attempt of a store job (`wait`: after a back-off, at a
    lower priority), or merge into the job of that kind already queued: it
    does the same work, as store jobs carry nothing but the store (and, for
    passes, whether they are full: a merged full pass makes the queued one
    full). Never moves a job back to `todo`, so it cannot collide with one."""
    task = {"pass": pass_job, "webhooks": webhook_job, "upkeep": upkeep_job}[job_kind]
    attempt += 1
    if attempt >= MAX_JOB_ATTEMPTS:
        log.warning(
            "%s job of store #%s given up after %d attempts (%s); the periodic fan-out takes over",
            job_kind,
            store_id,
            attempt,
            redact(reason)[:300],
        )
        return f"given up after {attempt} attempts: {reason}"
    options = {"schedule_in": {"seconds": retry_delay(attempt)}, "priority": RETRY_PRIORITY} if wait else {}
    for _ in range(3):  # a queued job may start between "already queued" and making it full
        job_id = _defer(task, job_kind, store_id, attempt=attempt, **options, **kwargs)
        if job_id is not None:
            when = f"in {retry_delay(attempt)}s" if wait else "now"
            log.info(
                "%s job of store #%s to retry %s as job %s: %s", job_kind, store_id, when, job_id, redact(reason)[:300]
            )
            return f"to retry {when} as job {job_id}: {reason}"
        if not kwargs.get("full") or _make_queued_pass_full(store_id):
            log.info(
                "%s job of store #%s to retry: merged into the one already queued (%s)",
                job_kind,
                store_id,
                redact(reason)[:300],
            )
            return f"to retry: merged into the job already queued: {reason}"
    return f"to retry: left to the periodic fan-out: {reason}"


def _make_queued_pass_full(store_id: int) -> bool:
    """The waiting pass job of the store becomes a full pass; False if none waits."""
    row = queue_app.connector.execute_query_one(
        'UPDATE procrastinate_jobs SET args = args || \'{"kind": "full", "full": true}\'::jsonb '
        "WHERE status = 'todo' AND task_name = 'loyalty.pass' AND queueing_lock = %(queueing_lock)s RETURNING id",
        queueing_lock=queueing_lock_name("pass", store_id),
    )
    return bool(row)


# --- deferring (web process, admin, the fan-outs) ---------------------------------------------------


def _deferrable():
    """The Procrastinate app, open: the worker's own connector, or a defer pool elsewhere."""

    if _bound_app is not None and not has_app_context():  # worker threads outside a job's app context
        return queue_app
    if getattr(queue_app, "_loyalty_worker_open", False):
        return queue_app
    return open_for_defer(current_app)


def _defer(
    task, job_kind: str, store_id: int, *, schedule_in: dict | None = None, priority: int | None = None, **kwargs
) -> int | None:
    """Job id, or None when one of that kind is already queued for the store."""
    _deferrable()
    try:
        return task.configure(
            lock=store_lock_name(store_id),
            queueing_lock=queueing_lock_name(job_kind, store_id),
            schedule_in=schedule_in,
            priority=priority,
        ).defer(store_id=store_id, **kwargs)
    except AlreadyEnqueued:
        return None


def defer_pass(store_id: int, kind: str = "manual", full: bool = False) -> int | None:
    return _defer(pass_job, "pass", store_id, kind=kind, full=full)


def defer_webhooks(store_id: int) -> int | None:
    return _defer(webhook_job, "webhooks", store_id)


def defer_upkeep(store_id: int) -> int | None:
    return _defer(upkeep_job, "upkeep", store_id)


def defer_emails() -> int | None:
    """Job id, or None when an emails job is already queued."""
    _deferrable()
    try:
        return emails_job.defer(timestamp=int(time.time()))
    except AlreadyEnqueued:
        return None


__all__ = [
    "bind_app",
    "daily_upkeep",
    "defer_emails",
    "defer_pass",
    "defer_upkeep",
    "defer_webhooks",
    "due_store_ids",
    "process_webhook_events",
    "send_emails",
    "stores_with_pending_events",
    "sync_store",
    "uses_procrastinate",
]
