"""Who changed what and when, before and after: read-only."""

from __future__ import annotations

import json

from markupsafe import Markup, escape

from admin.store_picker import when_text
from admin.rule_changes import ARROW, change_lines
from admin.security import SecureModelView
from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Store


def _change(view, context, model, name):
    """Every change in words, one line each ("Silver threshold: 300 → 200"),
    none left out and none cut."""
    changes = change_lines(model.before, model.after)
    if not changes:
        return ""
    items = "".join(
        f"<li><span class='diff-what'>{escape(c.what)}</span>: <span class='diff-before'>{escape(c.before)}</span>"
        f" {ARROW} <span class='diff-after'>{escape(c.after)}</span></li>"
        for c in changes
    )
    return Markup(f"<ul class='list-unstyled mb-0 small' data-testid='audit-change'>{items}</ul>")


class AuditLogView(SecureModelView):
    column_list = ("at", "actor", "action", "target", "store_id", "reason", "change")
    column_labels = {"at": "When", "actor": "Who", "store_id": "Store", "change": "Before → after"}
    column_formatters = {
        "change": _change,
        "at": lambda v, c, m, n: when_text(m.at),
        "store_id": lambda v, c, m, n: getattr(m, "store_name", "") or (m.store_id or ""),
    }
    column_searchable_list = ("actor", "action", "target", "reason")
    column_filters = ("actor", "action", "store_id")
    column_sortable_list = ("at", "actor", "action", "target")
    column_default_sort = ("at", True)
    can_view_details = True
    column_details_list = ("at", "actor", "action", "target", "store_id", "reason", "change", "before", "after")
    column_formatters_detail = {
        "change": _change,
        "before": lambda v, c, m, n: Markup(
            f"<pre class='small'>{escape(json.dumps(m.before, indent=2, sort_keys=True))}</pre>"
        ),
        "after": lambda v, c, m, n: Markup(
            f"<pre class='small'>{escape(json.dumps(m.after, indent=2, sort_keys=True))}</pre>"
        ),
    }

    def __init__(self, **kwargs):
        super().__init__(AuditEntry, db, **kwargs)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        names = dict(db.session.execute(db.select(Store.id, Store.name)).all())
        for row in rows:
            row.store_name = names.get(row.store_id, "")
        return count, rows
