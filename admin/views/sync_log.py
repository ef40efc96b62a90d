"""The sync log: every pass with its counts, and the records it rejected."""

from __future__ import annotations

from markupsafe import Markup, escape

from admin.security import SecureModelView
from loyalty_sync.extensions import db
from loyalty_sync.models import RejectedRecord, Store, SyncRun
from loyalty_sync.store_sync.run_summary import run_summary


def _store_name(view, context, model, name):
    store = db.session.get(Store, model.store_id)
    return store.name if store else model.store_id


def _status(view, context, model, name):
    colour = {"ok": "success", "running": "info", "partial": "warning", "failed": "danger"}.get(
        model.status, "secondary"
    )
    return Markup(
        f'<span class="badge badge-{colour}" data-status="{escape(model.status)}">{escape(model.status)}</span>'
    )


def _counts(view, context, model, name):
    return Markup(" ").join(
        Markup('<span class="d-block">{}</span>').format(line) for line in run_summary(model.counts)
    )


def _duration(view, context, model, name):
    seconds = model.duration_seconds
    return "running" if seconds is None else f"{seconds:.1f} s"


def _error(view, context, model, name):
    return Markup(f'<span class="text-danger">{escape(model.error)}</span>') if model.error else ""


class SyncRunView(SecureModelView):
    column_list = ("id", "store", "kind", "status", "started_at", "duration", "counts", "requests", "error")
    column_labels = {"started_at": "Started", "requests": "HTTP requests", "id": "#", "counts": "What it did"}
    column_formatters = {
        "store": _store_name,
        "status": _status,
        "counts": _counts,
        "duration": _duration,
        "error": _error,
    }
    column_filters = ("status", "kind", "store_id")
    column_sortable_list = ("id", "kind", "status", "started_at", "requests")
    column_default_sort = ("id", True)

    def __init__(self, **kwargs):
        super().__init__(SyncRun, db, **kwargs)


class RejectedRecordView(SecureModelView):
    column_list = ("at", "store", "resource", "ref", "reason", "sync_run_id")
    column_labels = {"at": "When", "ref": "Record", "sync_run_id": "Sync pass"}
    column_formatters = {"store": _store_name}
    column_searchable_list = ("ref", "reason")
    column_filters = ("resource", "store_id", "sync_run_id")
    column_sortable_list = ("at", "resource", "ref")
    column_default_sort = ("at", True)

    def __init__(self, **kwargs):
        super().__init__(RejectedRecord, db, **kwargs)
