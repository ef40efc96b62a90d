"""The on-site widget of a store (Settings > On-site widget): the script
tag for the shop's theme or the WordPress plugin, the one origin the widget
answers, and the store's widget secret.

The secret is shown only to an admin who asks for it (a POST, audited, the
page sent with Cache-Control: no-store) and never kept in the page a later
load renders; viewers see the page without it and without the buttons.
Rotating makes a new secret at once: every identity signed with the old one
is refused (the shop's server needs the new one). Same as
`flask --app wsgi stores widget-secret NAME [--rotate]`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from admin.store_picker import all_stores, selected_store
from loyalty_sync.extensions import db
from loyalty_sync.models import Store, record_audit
from loyalty_sync.models.store import new_widget_secret


def shop_origin(store: Store) -> str | None:
    """The origin the widget answers (storefront/widget_access.py's rule, which
    the admin may not import: the two wings are independent)."""
    parts = urlsplit((store.url or "").strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme in ("http", "https") and parts.netloc else None


class WidgetView(SecureBaseView):
    def _page(self, store: Store | None, *, secret: str | None = None, status: int = 200):
        base = (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")
        response = self.render(
            "loyalty/widget.html",
            stores=all_stores(),
            store=store,
            secret=secret,
            script_url=f"{base}/widget/v1/widget.js",
            origin=shop_origin(store) if store is not None else None,
        )
        return response, status, {"Cache-Control": "no-store"}

    @expose("/")
    def index(self):
        return self._page(selected_store())

    @expose("/<int:store_id>/reveal", methods=["POST"])
    def reveal(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        record_audit(actor(), "store.widget_secret.read", f"store:{store.name}", store_id=store.id)
        db.session.commit()
        return self._page(store, secret=store.widget_secret)

    @expose("/<int:store_id>/rotate", methods=["POST"])
    def rotate(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        store.widget_secret = new_widget_secret()
        record_audit(actor(), "store.widget_secret.rotate", f"store:{store.name}", store_id=store.id)
        db.session.commit()
        flash(
            "A new widget secret: identities signed with the old one are refused from now on. "
            "Put the new one into the shop's plugin settings.",
            "success",
        )
        return redirect(url_for(".index", store=store.id))
