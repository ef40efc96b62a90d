"""Who may ask the widget endpoints what: the store of the URL, the origin
the browser says it runs on, and the member the shop signed.

Every refusal is a `WidgetRefused` with a code the script turns into words
(storefront/static/widget.js, `REFUSALS`): `unknown_store`,
`origin_not_allowed`, `malformed`, `tampered`, `expired`, `future`,
`not_a_member`... A member of another store, or a signature made with
another store's secret, is refused like any forged identity: the answer
never says whether a customer exists elsewhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store
from loyalty_sync.signed_identity import IdentityRefused, read_identity, verify_identity

IDENTITY_MESSAGES = {
    "malformed": "The signed customer identity is incomplete or not well formed.",
    "tampered": "The customer identity was not signed with this store's widget secret.",
    "expired": "The signed customer identity is too old: reload the page for a fresh one.",
    "future": "The signed customer identity is dated in the future: the shop's clock is off.",
}


class WidgetRefused(Exception):
    """A refusal in the API's one error shape, {"error": {"code", "message", "field"}}."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def origin_of(url: str | None) -> str | None:
    """ "https://shop.example:8443/any/path" -> "https://shop.example:8443" (lower-case)."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def store_or_refuse(store_id: int) -> Store:
    store = db.session.get(Store, store_id)
    if store is None or not store.active:
        raise WidgetRefused(404, "unknown_store", "There is no loyalty program for this store id.", "store")
    return store


def allowed_origin(store: Store) -> str | None:
    """The one origin whose pages may call the store's widget endpoints: the shop's."""
    return origin_of(store.url)


def refuse_foreign_origin(store: Store) -> None:
    """A browser on another site is refused outright (CORS would only hide the
    answer from it; the request itself would still be served)."""
    origin = request.headers.get("Origin")
    if origin and origin.lower() != allowed_origin(store):
        raise WidgetRefused(403, "origin_not_allowed", "This widget only answers pages of the shop it belongs to.")


def signed_member(store: Store, values: dict) -> Member:
    """The member the shop signed in `values` (customer, email, ts, signature),
    or WidgetRefused. The store is the URL's, so a signature made for (or
    with the secret of) another store never verifies here."""
    try:
        identity = read_identity(
            store.id, values.get("customer"), values.get("email"), values.get("ts"), values.get("signature")
        )
        verify_identity(store.widget_secret, identity)
    except IdentityRefused as refused:
        status = 400 if refused.reason == "malformed" else 401
        raise WidgetRefused(status, refused.reason, IDENTITY_MESSAGES[refused.reason], "signature") from None
    member = db.session.execute(
        db.select(Member)
        .where(
            Member.store_id == store.id,
            Member.customer_id == identity.customer_id,
            Member.merged_into_id.is_(None),
            Member.anonymised_at.is_(None),
        )
        .order_by(Member.id)
        .limit(1)
    ).scalar_one_or_none()
    if member is None:
        raise WidgetRefused(
            404, "not_a_member", "This customer is not a member of the store's program yet.", "customer"
        )
    return member
