"""One-click unsubscribe from member emails: `/u/<token>` (the address in
every email's `List-Unsubscribe` header, loyalty_sync/notifications/unsubscribe.py).

- POST: the mail client's one-click button (RFC 8058: body
  `List-Unsubscribe=One-Click`) or the form on the page: the member gets no
  more emails (`action=subscribe` from the page switches them back on);
- GET: a page that says where the member stands, with the button. A GET
  never changes anything: mail scanners open every link of an email.

The signed token in the URL is the key, like the member page's, so the
form needs no cookie and no CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale

from loyalty_sync.books.member_links import LinkInvalid, member_url
from loyalty_sync.books.outbox import email_settings, is_unsubscribed
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store
from loyalty_sync.notifications.unsubscribe import member_for_token, set_subscribed

BLUEPRINT = "email_preferences"


def _page(member: Member, token: str, *, changed: bool = False):
    store = db.session.get(Store, member.store_id)
    settings = email_settings(store.id)
    shop = (settings.shop_name if settings is not None else "") or store.name
    unsubscribed = is_unsubscribed(member.id)
    page_url = member_url(store.id, member.id, "page")
    db.session.rollback()  # read only
    return render_template(
        "storefront/unsubscribe.html",
        shop=shop,
        unsubscribed=unsubscribed,
        token=token,
        changed=changed,
        page_url=page_url,
    )


def _language(member: Member) -> None:
    """The page speaks the emails' language (the store's setting), else the storefront's rules."""
    settings = email_settings(member.store_id)
    store = db.session.get(Store, member.store_id)
    languages = current_app.config.get("STOREFRONT_LANGUAGES") or {}
    request.environ["storefront.language"] = (settings.language if settings is not None else "") or languages.get(
        store.name
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint(BLUEPRINT, __name__, template_folder="templates")

    @bp.context_processor
    def _locale():
        return {"get_locale": get_locale}

    @bp.route("/u/<token>", methods=["GET", "POST"])
    def unsubscribe(token):
        try:
            member = member_for_token(token)
        except LinkInvalid:
            return render_template("storefront/link_error.html", expired=False), 404
        _language(member)
        if request.method == "GET":
            return _page(member, token)
        subscribe = request.form.get("action") == "subscribe"
        set_subscribed(member, subscribe)
        db.session.commit()
        return _page(member, token, changed=True)

    return bp
