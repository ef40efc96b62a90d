"""What other parts of the app (the admin's "sync now" button) may ask of the worker."""

from __future__ import annotations

import logging

from loyalty_sync.extensions import db
from loyalty_sync.models import Store, SyncRun
from sync_jobs.queue import uses_procrastinate
from sync_jobs.tasks import defer_pass

log = logging.getLogger(__name__)


def request_pass(store_id: int, full: bool = False) -> str:
    """Ask the worker for a pass of the store soon; returns a message for a person.

    PostgreSQL: a Procrastinate job (its queueing lock keeps one waiting per
    store). SQLite: a `queued` sync-run row the worker picks up within a
    second or two."""
    store = db.session.get(Store, store_id)
    if store is None:
        raise LookupError(f"no store #{store_id}")
    what = "A full pass" if full else "A pass"
    if not store.has_keys:
        return f"{store.name} has no API keys yet; add them before syncing."
    if uses_procrastinate():
        job_id = defer_pass(store.id, "full" if full else "manual", full=full)
        if job_id is None:
            return f"A pass of {store.name} is already queued; the worker will run it shortly."
        log.info("%s of %s queued as job %s", what.lower(), store.name, job_id)
        return f"{what} of {store.name} is queued (job {job_id}); the worker starts it within seconds."
    waiting = (
        db.session.execute(db.select(SyncRun).where(SyncRun.store_id == store.id, SyncRun.status == "queued"))
        .scalars()
        .first()
    )
    if waiting is not None:
        if full and waiting.kind != "full":
            waiting.kind = "full"
            db.session.commit()
            return f"A pass of {store.name} is already queued; it will be a full pass."
        return f"A pass of {store.name} is already queued; the worker will run it shortly."
    db.session.add(SyncRun(store_id=store.id, kind="full" if full else "manual", status="queued", counts={}))
    db.session.commit()
    running = db.session.execute(
        db.select(SyncRun.id).where(SyncRun.store_id == store.id, SyncRun.status == "running")
    ).first()
    log.info("%s of %s requested", what.lower(), store.name)
    after = " after the pass that is running now" if running else " within seconds"
    return f"{what} of {store.name} is queued; the worker starts it{after}."
