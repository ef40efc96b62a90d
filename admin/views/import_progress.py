"""How far the last import of a store's past orders got (`sync backfill`,
sync_jobs/backfill.py), for the first-sync page (admin/views/first_sync.py),
which polls `progress.json` every 2 s while one runs.

Progress lives in the database: `sync backfill` writes done / total into
its `SyncRun` (kind `backfill`) row's `counts` at the end, and its bookmark
row (`sync_bookmarks`, resource `backfill-<mode>`, cursor = pages of 100
done) tells how far a running one got. (The panel's own backfill page,
which chose a history mode a second, different way, is folded into the
first-sync plan: the panel chooses the mode there and the next pass imports.)
"""

from __future__ import annotations

from datetime import datetime, timezone

from loyalty_sync.extensions import db
from loyalty_sync.models import Store, SyncBookmark, SyncRun


def progress_of(store: Store) -> dict | None:
    """The latest import of the store: status, done / total, records/s, ETA."""
    run = (
        db.session.execute(
            db.select(SyncRun)
            .where(SyncRun.store_id == store.id, SyncRun.kind == "backfill")
            .order_by(SyncRun.id.desc())
        )
        .scalars()
        .first()
    )
    if run is None:
        return None
    counts = dict(run.counts or {})
    done, total = counts.get("done"), counts.get("total")
    if run.status == "running" and done is None:  # pages done from the bookmark
        mark = (
            db.session.execute(
                db.select(SyncBookmark).where(
                    SyncBookmark.store_id == store.id, SyncBookmark.resource.like("backfill-%")
                )
            )
            .scalars()
            .first()
        )
        done = (mark.cursor or 0) * 100 if mark else 0
    if run.status != "running":
        done = counts.get("done", done)
    elapsed = ((run.finished_at or datetime.now(timezone.utc)) - run.started_at).total_seconds()
    rate = counts.get("rate")
    eta = counts.get("eta")
    percent = round(100 * done / total, 1) if total and done is not None else (100.0 if run.status == "ok" else None)
    return {
        "run": run.id,
        "status": run.status,
        "mode": counts.get("mode"),
        "done": done,
        "total": total,
        "rate": round(rate, 1) if rate is not None else None,
        "eta": round(eta) if eta is not None else None,
        "percent": percent,
        "elapsed": round(elapsed),
        "error": run.error,
        "started_at": run.started_at,
        "finished": run.status != "running",
    }
