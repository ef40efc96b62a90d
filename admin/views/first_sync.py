"""The first-sync plan (issue 19): for a store in review, what the first
sync would do in each history mode, from `analysis/first_sync_plan.py`
(the numbers `stores plan --json` prints), in words, a table and two
charts; then the owner picks a mode (award / since a date / tiers-only)
with a confirmation. The choice is `history.choose_mode`, audited, and
the next pass (queued at once, as the rules page queues one) books
exactly that. A refused change (`ModeRefused`) is said in its own words.

For a store that has pulled nothing yet the page offers the first pass in
review (it reads the shop and books nothing). For a live store it says
which mode it is in, since when. The last import of past orders from the
command line (`sync backfill`) shows its progress here too.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import flash, jsonify, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from admin.store_picker import all_stores, selected_store
from admin.views.first_sync_columns import chart_data, mode_columns
from admin.views.import_progress import progress_of
from loyalty_sync.analysis.first_sync_plan import default_modes, first_sync_plan
from loyalty_sync.books.history import REVIEW, ModeRefused, choose_mode, in_review, mode_of, parse_history_mode
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import Member, Store, SyncRun, record_audit
from sync_jobs.api import request_pass


def _since_mode(raw: str):
    """The since:DATE mode the owner asked to compare, or (None, words why not)."""
    raw = (raw or "").strip()
    if not raw:
        return None, ""
    try:
        return parse_history_mode(f"since:{raw}"), ""
    except ValueError:
        return None, f"{raw!r} is not a date: use the date field (YYYY-MM-DD)."


def _last_pass(store: Store) -> SyncRun | None:
    return (
        db.session.execute(
            db.select(SyncRun)
            .where(SyncRun.store_id == store.id, SyncRun.kind != "backfill")
            .order_by(SyncRun.id.desc())
        )
        .scalars()
        .first()
    )


class FirstSyncView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        context = {
            "stores": stores,
            "store": store,
            "table": None,
            "chart": None,
            "since": "",
            "since_problem": "",
            "members": 0,
            "last_pass": None,
            "now": datetime.now(timezone.utc),
            "progress": progress_of(store) if store else None,
        }
        if store is None:
            return self.render("loyalty/first_sync.html", **context)
        context["last_pass"] = _last_pass(store)
        context["mode"] = mode_of(store)
        context["members"] = db.session.execute(
            db.select(db.func.count())
            .select_from(Member)
            .where(Member.store_id == store.id, Member.merged_into_id.is_(None))
        ).scalar_one()
        if in_review(store) and context["members"]:
            since, context["since_problem"] = _since_mode(request.args.get("since", ""))
            context["since"] = since.since.isoformat() if since else ""
            modes = default_modes(store) + ([since] if since else [])
            plans = first_sync_plan(store, modes, now=context["now"])
            db.session.rollback()  # the planner only reads; nothing to keep
            columns = mode_columns(plans, program_in_force(store)[1], store.currency)
            context.update(table=columns, chart=chart_data(columns, store.currency))
        return self.render("loyalty/first_sync.html", **context)

    def _store(self) -> Store:
        store_id = parse_db_int(request.form.get("store", ""), minimum=1)
        store = db.session.get(Store, store_id) if store_id is not None else None
        if store is None:
            flash("Pick a store.", "error")
        return store

    @expose("/pull", methods=["POST"])
    def pull(self):
        """The first pass in review: it reads the shop and books nothing."""
        store = self._store()
        if store is None:
            return redirect(url_for(".index"))
        message = request_pass(store.id)
        record_audit(actor(), "store.sync_now", f"store:{store.name}", store_id=store.id, after={"full": False})
        db.session.commit()
        flash(f"{message} In review it only reads the shop: nothing is booked or sent.", "success")
        return redirect(url_for(".index", store=store.id))

    @expose("/choose", methods=["POST"])
    def choose(self):
        store = self._store()
        if store is None:
            return redirect(url_for(".index"))
        back = redirect(url_for(".index", store=store.id))
        try:
            mode = parse_history_mode(request.form.get("mode", ""))
        except ValueError as problem:
            flash(f"{store.name}: {problem}.", "error")
            return back
        before = store.history_mode
        try:
            changed = choose_mode(store, mode)
        except ModeRefused as refused:
            db.session.rollback()
            flash(f"Not changed: {refused}", "error")
            return back
        if not changed:
            flash(f"{store.name}: the history is already {mode.describe()}.", "info")
            return back
        record_audit(
            actor(),
            "store.history",
            f"store:{store.name}",
            store_id=store.id,
            before={"history_mode": before},
            after={"history_mode": store.history_mode, "connected_at": store.connected_at.isoformat()},
        )
        db.session.commit()
        queued = request_pass(store.id)
        flash(
            f"{store.name}: the history is now {mode.describe()}. {queued} That pass books it and sends it to "
            f"the shop{'' if before == REVIEW else ' (nothing had been booked in the mode before)'}.",
            "success",
        )
        return back

    @expose("/progress.json")
    def progress(self):
        store = selected_store()
        data = progress_of(store) if store else None
        if data is not None:
            data = {**data, "started_at": data["started_at"].isoformat()}
        return jsonify({"progress": data})
