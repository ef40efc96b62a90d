"""Which store a page shows: every page with a store picker reads `?store=<id>`
(or the form field) the same way."""

from __future__ import annotations

from flask import g, has_request_context, request

from admin.formatting import format_when
from loyalty_sync.extensions import db
from loyalty_sync.models import Store


def all_stores() -> list[Store]:
    return db.session.execute(db.select(Store).order_by(Store.name)).scalars().all()


def selected_store(stores: list[Store] | None = None, *, allow_all: bool = False) -> Store | None:
    """The store picked with `?store=<id>` (or the form field), else the first one."""
    stores = all_stores() if stores is None else stores
    raw = request.values.get("store", "")
    if raw.isdigit():
        for store in stores:
            if store.id == int(raw):
                return store
    if allow_all:
        return None
    return stores[0] if stores else None


def panel_zone() -> str:
    """The time zone the page's times are shown in: the zone of the store it
    shows (`?store=`, else the first store), once per request."""
    if not has_request_context():
        return "UTC"
    if "shop_zone" not in g:
        store = selected_store()
        g.shop_zone = store.timezone if store is not None else "UTC"
    return g.shop_zone


def when_text(value, with_time: bool = True) -> str:
    """The panel's `when` filter: `format_when` in the page's shop zone."""
    return format_when(value, with_time, panel_zone())
