"""Connect a store from the panel, as a shop owner goes about it (issue 19):

1. the shop's address and its REST API keys; "Connect" tests them at once
   and says in fixed words what is wrong (wrong keys, not WooCommerce, too
   old, unreachable: `connection.connection_test_message`); nothing is
   saved until the test passes, and the secret is never shown again (a
   failed attempt asks for it again rather than writing it into the page);
2. the webhooks, installed from here (`webhook_install.install_webhooks`)
   to this app's public address (`PUBLIC_BASE_URL`, env
   `LOYALTY_PUBLIC_BASE_URL`, the address `webhooks install --url` takes);
3. the store is in `review`: the first-sync plan page
   (admin/views/first_sync.py) shows what each history mode would do, and
   the owner chooses there.

The view has no menu entry: the stores list's "Connect a store" leads here.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from loyalty_sync.books.history import REVIEW
from loyalty_sync.books.member_links import public_base_url
from loyalty_sync.books.program_versions import ensure_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Store, record_audit
from loyalty_sync.store_sync.connection import (
    checked_store_info,
    client_for,
    connection_test_message,
    refresh_site_identity,
)
from loyalty_sync.store_sync.webhook_install import TOPICS, delivery_url, install_webhooks
from loyalty_sync.wording import and_list, count_of
from loyalty_sync.woocommerce import StoreError, StoreInfo

log = logging.getLogger(__name__)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass
class ConnectForm:
    """What the owner typed (the secret is kept apart: it never goes back into a page)."""

    name: str = ""
    url: str = ""
    consumer_key: str = ""

    @classmethod
    def from_request(cls, form) -> ConnectForm:
        url = (form.get("url") or "").strip().rstrip("/")
        name = (form.get("name") or "").strip().lower() or name_from_url(url)
        return cls(name=name, url=url, consumer_key=(form.get("consumer_key") or "").strip())

    def problems(self, secret: str) -> dict[str, str]:
        errors = {}
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["url"] = "The shop's address, starting with https://, e.g. https://shop.example.com"
        if not _NAME.match(self.name):
            errors["name"] = "Lowercase letters, digits and dashes, e.g. my-shop (it is part of the webhook address)."
        elif db.session.execute(db.select(Store.id).filter_by(name=self.name)).first():
            errors["name"] = f"A store named {self.name} exists already: pick another name, or edit that store."
        if not re.match(r"^ck_\S+$", self.consumer_key):
            errors["consumer_key"] = "The consumer key starts with ck_."
        if not re.match(r"^cs_\S+$", secret):
            errors["consumer_secret"] = "The consumer secret starts with cs_."  # noqa: S105 - a message, not a secret
        return errors


def name_from_url(url: str) -> str:
    """A short name from the shop's host ("https://www.coffee-shop.example" -> "coffee-shop-example")."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:64]


def read_shop(store: Store) -> StoreInfo:
    """The connection test: WooCommerce's version and currency (checked),
    and the shop's name and time zone into `store`. Raises StoreError."""
    with client_for(store, max_attempts=2, timeout=15) as client:
        info = checked_store_info(client.store_info(require_modified_after=True))
        refresh_site_identity(store, client)
    return info


def webhook_problem_text(problems: list[str], target: str) -> str:
    return (
        f"{and_list(problems)}. WooCommerce turns a webhook on only when this app answers its test call at "
        f"{target}: check that this address is reachable from the shop, then press Install again."
    )


class StoreConnectView(SecureBaseView):
    def is_visible(self) -> bool:
        return False

    @expose("/", methods=["GET", "POST"])
    def index(self):
        if request.method == "GET":
            return self.render("loyalty/store_connect.html", form=ConnectForm(), errors={}, failure="")
        form = ConnectForm.from_request(request.form)
        secret = (request.form.get("consumer_secret") or "").strip()
        errors = form.problems(secret)
        if errors:
            return self.render("loyalty/store_connect.html", form=form, errors=errors, failure=""), 422
        probe = Store(name=form.name, url=form.url, consumer_key=form.consumer_key, consumer_secret=secret)
        try:
            info = read_shop(probe)
        except StoreError as error:
            log.warning("connecting %s failed: %s", form.url, error)
            return self.render(
                "loyalty/store_connect.html", form=form, errors={}, failure=connection_test_message(error)
            ), 422
        store = self._create(form, secret, probe, info)
        flash(
            f"Connected to {store.shop_name}: WooCommerce {store.wc_version}, currency {store.currency}, "
            f"time zone {store.timezone}. Nothing has been sent to the shop.",
            "success",
        )
        return redirect(url_for(".webhooks", store_id=store.id))

    def _create(self, form: ConnectForm, secret: str, probe: Store, info: StoreInfo) -> Store:
        store = Store(
            name=form.name,
            url=form.url,
            consumer_key=form.consumer_key,
            consumer_secret=secret,
            webhook_secret=secrets.token_urlsafe(32),
            currency=info.currency or "EUR",
            wc_version=info.version,
            timezone=probe.timezone or "UTC",
            display_name=probe.display_name or "",
            history_mode=REVIEW,
        )
        db.session.add(store)
        db.session.flush()
        ensure_program(store)
        record_audit(
            actor(),
            "store.connect",
            f"store:{store.name}",
            store_id=store.id,
            after={
                "name": store.name,
                "url": store.url,
                "currency": store.currency,
                "wc_version": store.wc_version,
                "timezone": store.timezone,
                "keys": "set",
                "history_mode": store.history_mode,
            },
        )
        db.session.commit()
        return store

    @expose("/<int:store_id>/webhooks", methods=["GET", "POST"])
    def webhooks(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        base = public_base_url()
        target = delivery_url(base, store.name) if base else ""
        if request.method == "POST":
            done = self._install(store, base, target)
            if done:
                return redirect(url_for("first_sync.index", store=store.id))
        return self.render("loyalty/store_webhooks.html", store=store, base=base, target=target, topics=TOPICS)

    def _install(self, store: Store, base: str, target: str) -> bool:
        if not base:
            flash("This installation does not know its public address: set LOYALTY_PUBLIC_BASE_URL first.", "error")
            return False
        try:
            created, kept, problems = install_webhooks(store, base)
        except StoreError as error:
            log.warning("installing the webhooks of store %s failed: %s", store.id, error)
            flash(f"{store.name}: the webhooks could not be installed: {connection_test_message(error)}", "error")
            return False
        record_audit(
            actor(),
            "webhooks.install",
            f"store:{store.name}",
            store_id=store.id,
            after={"delivery_url": target, "created": created, "kept": kept, "problems": problems},
        )
        db.session.commit()
        installed = f"{count_of(len(created), 'webhook')} installed, {len(kept)} already there"
        if problems:
            flash(f"{store.name}: {installed}, but {webhook_problem_text(problems, target)}", "warning")
            return False
        flash(
            f"{store.name}: {installed}. The shop now tells this app about every order and customer change at once.",
            "success",
        )
        return True
