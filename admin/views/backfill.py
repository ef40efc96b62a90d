"""Backfill a newly connected store's past orders from the panel
(`sync_jobs.backfill.backfill`): a dry-run summary first (inside the request,
nothing written), then the real run (admins).

The real run can take minutes on a big shop, longer than a web request may
last, so it runs in a background thread with its own app context; the page
polls `progress.json` every 2 s. Progress lives in the database, not in the
thread: the thread's progress callback writes done / total / records/s /
ETA into the running `SyncRun` (kind `backfill`) row's `counts`, and the
backfill's own bookmark row (`sync_bookmarks`, resource `backfill-<mode>`,
cursor = pages of 100 done) is the fallback for runs started elsewhere (the
CLI). A second start for the same store is refused while one runs in this
process; the backfill also holds the store's lock.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from admin.store_picker import all_stores, selected_store
from loyalty_sync.books.history import AWARD, TIERS_ONLY, HistoryMode, ModeRefused, choose_mode
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import Store, SyncBookmark, SyncRun, record_audit
from loyalty_sync.woocommerce import StoreError
from sync_jobs.backfill import backfill

log = logging.getLogger(__name__)
MODES = {"award": "Award points (past orders earn as if synced then; the store's history mode becomes award)",
         "history": "History only (tiers, VIP and KPIs; no points; the store's history mode becomes tiers-only)"}
#: store id -> the thread running its backfill in this process
_threads: dict[int, threading.Thread] = {}
_lock = threading.Lock()


def running_here(store_id: int) -> bool:
    thread = _threads.get(store_id)
    return bool(thread and thread.is_alive())


def wait_for(store_id: int, timeout: float = 60) -> None:
    """Tests: wait until this process's backfill of the store has ended."""
    thread = _threads.get(store_id)
    if thread is not None:
        thread.join(timeout)


def form_args(values) -> tuple[str, datetime | None, str]:
    mode = values.get("mode") or "award"
    if mode not in MODES:
        return "award", None, "Pick award or history-only."
    raw = (values.get("since") or "").strip()
    if not raw:
        return mode, None, ""
    try:
        return mode, datetime.fromisoformat(raw).replace(tzinfo=timezone.utc), ""
    except ValueError:
        return mode, None, "Use a date like 2024-01-31 for 'since'."


def progress_of(store: Store) -> dict | None:
    """The latest backfill of the store: status, done / total, records/s, ETA."""
    run = db.session.execute(db.select(SyncRun).where(SyncRun.store_id == store.id, SyncRun.kind == "backfill")
                             .order_by(SyncRun.id.desc())).scalars().first()
    if run is None:
        return None
    counts = dict(run.counts or {})
    done, total = counts.get("done"), counts.get("total")
    if run.status == "running" and done is None:  # started elsewhere: pages done from the bookmark
        mark = db.session.execute(db.select(SyncBookmark).where(SyncBookmark.store_id == store.id,
                                                                SyncBookmark.resource.like("backfill-%"))
                                  ).scalars().first()
        done = (mark.cursor or 0) * 100 if mark else 0
    if run.status != "running":
        done = counts.get("done", done)
    elapsed = ((run.finished_at or datetime.now(timezone.utc)) - run.started_at).total_seconds()
    rate = counts.get("rate")
    eta = counts.get("eta")
    percent = round(100 * done / total, 1) if total and done is not None else (100.0 if run.status == "ok" else None)
    return {"run": run.id, "status": run.status, "mode": counts.get("mode"), "done": done, "total": total,
            "rate": round(rate, 1) if rate is not None else None, "eta": round(eta) if eta is not None else None,
            "percent": percent, "elapsed": round(elapsed), "error": run.error,
            "started_at": run.started_at.isoformat(), "finished": run.status != "running",
            "summary": counts.get("summary")}


def _run_in_thread(app, store_id: int, mode: str, since: datetime | None, who: str) -> None:

    with app.app_context():
        run_id = None
        last_write = 0.0

        def on_progress(state) -> None:
            nonlocal run_id, last_write
            if run_id is None:
                run_id = db.session.execute(db.select(SyncRun.id).where(
                    SyncRun.store_id == store_id, SyncRun.kind == "backfill", SyncRun.status == "running")
                    .order_by(SyncRun.id.desc())).scalars().first()
            now = time.monotonic()
            if run_id is None or (now - last_write < 0.5 and state.done < (state.total or 0)):
                return
            last_write = now
            run = db.session.get(SyncRun, run_id)
            run.counts = {**(run.counts or {}), "mode": mode, "done": state.done, "total": state.total,
                          "rate": state.rate, "eta": state.eta_seconds}
            db.session.commit()

        store = db.session.get(Store, store_id)
        try:
            result = backfill(store, mode=mode, since=since, progress=on_progress)
        except Exception as exc:
            db.session.rollback()
            log.exception("backfill of store %s from the admin failed", store_id)
            text = str(exc) if isinstance(exc, StoreError) else "an unexpected error; see the server log"
            for run in db.session.execute(db.select(SyncRun).where(
                    SyncRun.store_id == store_id, SyncRun.kind == "backfill", SyncRun.status == "running")).scalars():
                run.status, run.error, run.finished_at = "failed", text, datetime.now(timezone.utc)
            record_audit(who, "backfill.failed", f"store:{store.name}", store_id=store_id, after={"error": text})
            db.session.commit()
            return
        run = db.session.execute(db.select(SyncRun).where(SyncRun.store_id == store_id, SyncRun.kind == "backfill")
                                 .order_by(SyncRun.id.desc())).scalars().first()
        if run is not None:
            run.counts = {**(run.counts or {}), "done": result["orders"], "total": result["total"],
                          "summary": {k: v for k, v in result.items() if k not in ("tiers",)}}
        record_audit(who, "backfill.done", f"store:{store.name}", store_id=store_id,
                     after={"mode": mode, "orders": result["orders"], "finished": result["finished"]})
        db.session.commit()
        db.session.remove()


class BackfillView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        return self.render("loyalty/backfill.html", stores=stores, store=store, modes=MODES, mode="award",
                           since="", summary=None, progress=progress_of(store) if store else None,
                           running=running_here(store.id) if store else False)

    def _store(self) -> Store | None:
        raw = request.form.get("store", "")
        store_id = parse_db_int(raw, minimum=1)
        return db.session.get(Store, store_id) if store_id is not None else None

    @expose("/dry-run", methods=["POST"])
    def dry_run(self):

        store = self._store()
        if store is None:
            flash("Pick a store.", "error")
            return redirect(url_for(".index"))
        mode, since, problem = form_args(request.form)
        summary = None
        if problem:
            flash(problem, "error")
        else:
            try:
                summary = backfill(store, mode=mode, since=since, dry_run=True)
            except StoreError as exc:
                flash(f"{store.name}: could not read the orders. {exc}", "error")
            db.session.rollback()
        return self.render("loyalty/backfill.html", stores=all_stores(), store=store, modes=MODES, mode=mode,
                           since=request.form.get("since", ""), summary=summary, progress=progress_of(store),
                           running=running_here(store.id))

    @expose("/run", methods=["POST"])
    def run(self):
        store = self._store()
        if store is None:
            flash("Pick a store.", "error")
            return redirect(url_for(".index"))
        mode, since, problem = form_args(request.form)
        if problem:
            flash(problem, "error")
            return redirect(url_for(".index", store=store.id))
        with _lock:
            if running_here(store.id):
                flash(f"{store.name}: a backfill is already running.", "error")
                return redirect(url_for(".index", store=store.id))
            try:  # the one notion of how history counts: the store's mode (loyalty_sync/books/history.py)
                choose_mode(store, HistoryMode(TIERS_ONLY if mode == "history" else AWARD))
            except ModeRefused as exc:
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for(".index", store=store.id))
            record_audit(actor(), "backfill.start", f"store:{store.name}", store_id=store.id,
                         after={"mode": mode, "since": since.isoformat() if since else None,
                                "history_mode": store.history_mode})
            db.session.commit()
            thread = threading.Thread(target=_run_in_thread, name=f"backfill-{store.id}", daemon=True,
                                      args=(current_app._get_current_object(), store.id, mode, since, actor()))
            _threads[store.id] = thread
            thread.start()
        flash(f"{store.name}: backfill started ({mode}); this page follows its progress.", "success")
        return redirect(url_for(".index", store=store.id))

    @expose("/progress.json")
    def progress(self):
        store = selected_store()
        data = progress_of(store) if store else None
        return jsonify({"progress": data, "running": running_here(store.id) if store else False})
