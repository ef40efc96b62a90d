"""Points expiring soon (PRODUCT.md "Points expiry"): the members whose points
expire in the next N days (default 30), from `loyalty_sync.analysis.expiring`, with a
streamed CSV of the same rows."""

from __future__ import annotations

from dataclasses import astuple
from datetime import datetime, timezone

from flask import request
from flask_admin import expose

from admin.security import SecureBaseView
from admin.views.exports import _csv_stream, _download
from admin.store_picker import all_stores, selected_store
from loyalty_sync.analysis.expiring import FIELDS, expiring_points
from loyalty_sync.books.program_versions import program_in_force

DEFAULT_DAYS = 30
MAX_DAYS = 365
SHOWN = 1000  # rows on the page; the CSV has them all


def days_arg() -> tuple[int, str]:
    raw = (request.args.get("days") or "").strip()
    if not raw:
        return DEFAULT_DAYS, ""
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        return DEFAULT_DAYS, f"Days must be a whole number from 1 to {MAX_DAYS}; showing {DEFAULT_DAYS}."
    return int(raw), ""


class ExpiringView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        days, problem = days_arg()
        rows, mode = [], None
        now = datetime.now(timezone.utc)
        if store is not None:
            _, program = program_in_force(store)
            mode = (program.expiry_mode, program.expiry_months)
            rows = expiring_points(store, now, days)
        return self.render(
            "loyalty/expiring.html",
            stores=stores,
            store=store,
            days=days,
            problem=problem,
            rows=rows[:SHOWN],
            count=len(rows),
            total=sum(r.expiring_points for r in rows),
            mode=mode,
            now=now,
        )

    @expose("/expiring.csv")
    def csv(self):
        store = selected_store()
        days, _ = days_arg()

        def rows():
            if store is None:
                return
            for row in expiring_points(store, datetime.now(timezone.utc), days):
                yield astuple(row)

        name = f"expiring-{store.name if store else 'none'}-{days}d"
        return _download(name, _csv_stream(FIELDS, rows()))
