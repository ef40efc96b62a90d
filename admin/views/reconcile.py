"""Reconciliation: the last comparison of each store with the books, its drift
table, "Check now" / "Fix" (admins; `loyalty_sync.store_sync.reconcile`, audited) and
the history of runs (SyncRun rows of kind `reconcile`).

The drift rows themselves are not in the SyncRun (it keeps counts per kind);
runs started from this page add them to the run's `counts` JSON under
`rows` (at most `KEPT_ROWS`), so the page can show the table later. Runs of
the worker or the CLI show their counts per kind only.

Both buttons run inside the request (a reconciliation reads the store's
coupons and customers once, and one count per month of orders).
"""

from __future__ import annotations

import logging

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from loyalty_sync.wording import count_of
from admin.store_picker import all_stores, selected_store
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import Store, SyncRun, record_audit
from loyalty_sync.store_sync import reconcile as reconcile_service
from loyalty_sync.woocommerce import StoreError

log = logging.getLogger(__name__)
KIND = "reconcile"
KEPT_ROWS = 500
HISTORY = 20


def runs_of(store: Store, limit: int = HISTORY) -> list[SyncRun]:
    return (
        db.session.execute(
            db.select(SyncRun)
            .where(SyncRun.store_id == store.id, SyncRun.kind == KIND)
            .order_by(SyncRun.id.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )


def last_run_per_store(stores: list[Store]) -> dict[int, SyncRun | None]:
    return {s.id: next(iter(runs_of(s, 1)), None) for s in stores}


def run_reconcile(store: Store, *, fix: bool) -> tuple[dict | None, SyncRun | None, str]:
    """Run the service; keep the drift rows on its SyncRun. (result, run, error text)."""
    before = (
        db.session.execute(
            db.select(db.func.max(SyncRun.id)).where(SyncRun.store_id == store.id, SyncRun.kind == KIND)
        ).scalar()
        or 0
    )
    error, result = "", None
    try:
        result = reconcile_service.reconcile(store, fix=fix)
    except StoreError as exc:  # the service recorded the failed run; say it on the page
        log.warning("reconcile from the admin failed for %s: %s", store.name, exc)
        error = str(exc) or type(exc).__name__
    except Exception:  # details (which could hold secrets) go to the log only
        log.exception("reconcile from the admin failed for %s", store.name)
        error = "an unexpected error; see the server log"
    db.session.rollback()
    run = (
        db.session.execute(
            db.select(SyncRun)
            .where(SyncRun.store_id == store.id, SyncRun.kind == KIND, SyncRun.id > before)
            .order_by(SyncRun.id.desc())
        )
        .scalars()
        .first()
    )
    if run is not None and result is not None:
        run.counts = {**(run.counts or {}), "rows": result["drift"][:KEPT_ROWS], "fix": fix}
    record_audit(
        actor(),
        "reconcile.fix" if fix else "reconcile.check",
        f"store:{store.name}",
        store_id=store.id,
        after={
            "run": run.id if run else None,
            "drift": len(result["drift"]) if result else None,
            "fixed": result["fixed"] if result else None,
            "error": error[:300] or None,
        },
    )
    db.session.commit()
    return result, run, error


class ReconcileView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        runs = runs_of(store) if store is not None else []
        shown = None
        if runs:
            wanted = request.args.get("run", "")
            shown = next((r for r in runs if wanted.isdigit() and r.id == int(wanted)), runs[0])
        return self.render(
            "loyalty/reconcile.html",
            stores=stores,
            store=store,
            runs=runs,
            shown=shown,
            last=last_run_per_store(stores),
            kinds=reconcile_service.KINDS,
        )

    def _act(self, fix: bool):
        store_id = parse_db_int(request.form.get("store"), minimum=1)
        store = db.get_or_404(Store, store_id) if store_id is not None else None
        if store is None:
            flash("Pick a store.", "error")
            return redirect(url_for(".index"))
        result, run, error = run_reconcile(store, fix=fix)
        if error:
            flash(f"{store.name}: reconciliation failed. {error}", "error")
        elif fix:
            flash(
                f"{store.name}: {count_of(len(result['drift']), 'difference')} found, {result['fixed']} fixed.",
                "success",
            )
        else:
            flash(
                f"{store.name}: {count_of(len(result['drift']), 'difference')} found."
                if result["drift"]
                else f"{store.name}: the store and the books agree.",
                "warning" if result["drift"] else "success",
            )
        return redirect(url_for(".index", store=store.id, run=run.id if run else None))

    @expose("/check", methods=["POST"])
    def check(self):
        return self._act(fix=False)

    @expose("/fix", methods=["POST"])
    def fix(self):
        return self._act(fix=True)
