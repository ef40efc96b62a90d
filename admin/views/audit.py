"""Who changed what and when, before and after: read-only."""
from __future__ import annotations

import json

from markupsafe import Markup, escape

from admin.security import SecureModelView
from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry


def changed_settings(before, after) -> list[tuple[str, object, object]]:
    """(key, before, after) for each top-level key that differs."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)]


def _short(value) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 160 else text[:157] + "..."


def _change(view, context, model, name):
    rows = changed_settings(model.before, model.after)
    if not rows:
        return ""
    cells = "".join(f"<tr><td><code>{escape(key)}</code></td><td class='diff-before'>{escape(_short(b))}</td>"
                    f"<td class='diff-after'>{escape(_short(a))}</td></tr>" for key, b, a in rows[:20])
    more = f"<tr><td colspan=3>… {len(rows) - 20} more</td></tr>" if len(rows) > 20 else ""
    return Markup(f"<table class='table table-sm table-borderless mb-0 small'>{cells}{more}</table>")


class AuditLogView(SecureModelView):
    column_list = ("at", "actor", "action", "target", "store_id", "reason", "change")
    column_labels = {"at": "When", "actor": "Who", "store_id": "Store", "change": "Before → after"}
    column_formatters = {"change": _change}
    column_searchable_list = ("actor", "action", "target", "reason")
    column_filters = ("actor", "action", "store_id")
    column_sortable_list = ("at", "actor", "action", "target")
    column_default_sort = ("at", True)
    can_view_details = True
    column_details_list = ("at", "actor", "action", "target", "store_id", "reason", "before", "after")
    column_formatters_detail = {
        "before": lambda v, c, m, n: Markup(f"<pre class='small'>{escape(json.dumps(m.before, indent=2, sort_keys=True))}</pre>"),
        "after": lambda v, c, m, n: Markup(f"<pre class='small'>{escape(json.dumps(m.after, indent=2, sort_keys=True))}</pre>"),
    }

    def __init__(self, **kwargs):
        super().__init__(AuditEntry, db, **kwargs)
