"""API tokens of a store for the storefront REST API (/api/v1): create
(scope read or redeem), revoke, and when each was last used
(`loyalty_sync.actions.api_tokens`).

The token text exists only in the response to the create POST: it is
rendered once in that page (not flashed, not kept in the session, the page is
sent with Cache-Control: no-store), and only its SHA-256 and a short prefix
are stored. Viewers see the list (prefix, scope, status, last used); create
and revoke are POSTs, so the secure base makes them admin-only and CSRF-checked.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from admin.store_picker import all_stores, selected_store
from loyalty_sync.actions import api_tokens
from loyalty_sync.extensions import db
from loyalty_sync.models import API_SCOPES, ApiToken, Store

SCOPE_TEXT = {
    "read": "read: member status, ledger, rewards, points preview",
    "redeem": "redeem: everything read can, plus redeeming rewards and NPS answers (books points)",
}


class ApiTokenView(SecureBaseView):
    def _page(
        self, store: Store | None, *, new_token: str | None = None, new_row: ApiToken | None = None, status: int = 200
    ):
        stores = all_stores()
        tokens = api_tokens.list_tokens(store) if store is not None else []
        response = self.render(
            "loyalty/api_tokens.html",
            stores=stores,
            store=store,
            tokens=tokens,
            scopes=API_SCOPES,
            scope_text=SCOPE_TEXT,
            new_token=new_token,
            new_row=new_row,
        )
        return response, status, {"Cache-Control": "no-store"}

    @expose("/")
    def index(self):
        return self._page(selected_store())

    @expose("/<int:store_id>/create", methods=["POST"])
    def create(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        scope = request.form.get("scope", "")
        name = (request.form.get("name") or "").strip()
        try:
            row, text = api_tokens.create_token(store, scope, name=name, actor=actor())
        except api_tokens.TokenError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for(".index", store=store.id))
        db.session.commit()
        # Rendered here and nowhere else: a later page load cannot show it.
        return self._page(store, new_token=text, new_row=row, status=201)

    @expose("/<int:store_id>/revoke", methods=["POST"])
    def revoke(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        raw = request.form.get("token_id", "")
        token = api_tokens.find_token(store, raw) if raw.isdigit() else None
        if token is None:
            abort(404)
        if api_tokens.revoke_token(token, actor=actor()):
            db.session.commit()
            flash(f"Token {token.prefix}… revoked: the API now refuses it.", "success")
        else:
            flash(f"Token {token.prefix}… was revoked already.", "info")
        return redirect(url_for(".index", store=store.id))
