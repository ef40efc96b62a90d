"""Stores: the list of connected stores (edit, test the connection, start a
sync, see their webhooks and history mode). New stores are connected by the
guided flow (admin/views/store_connect.py: keys, test, webhooks, then the
first-sync plan); "Create" here is the bare form for what the flow cannot
reach (a store that cannot be reached yet).

The consumer secret and the webhook secret are write-only: the form never
renders them back (a password field without value), the list says only "set"
or "not set", and an empty field on edit keeps the stored secret — but only
while the URL and the consumer key stay as they were: the secret is sent to
the address it was entered for and to no other (`_secret_needed_again`).
"Test connection" answers in fixed words per kind of failure, never with what
the remote host said (`store_connection.connection_test_message`).
"""

from __future__ import annotations

import importlib
import logging
import secrets

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import BooleanField, PasswordField, StringField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp

from admin.security import SecureModelView, actor
from loyalty_sync.books.history import in_review
from loyalty_sync.books.program_versions import ensure_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Store, record_audit
from loyalty_sync.store_sync.connection import (
    checked_store_info,
    client_for,
    connection_test_message,
    refresh_site_identity,
)
from loyalty_sync.woocommerce import StoreError

log = logging.getLogger(__name__)


def webhook_url(store: Store) -> str:
    return f"{request.url_root}webhooks/woocommerce/{store.name}"


def _secret_state(view, context, model, name):
    is_set = bool(getattr(model, name))
    return Markup(
        f'<span class="badge badge-{"success" if is_set else "secondary"}">{"set" if is_set else "not set"}</span>'
    )


def _buttons(view, context, model, name):

    tokens_link = (
        f'<a class="btn btn-sm btn-outline-secondary" href="{url_for("api_tokens.index", store=model.id)}">'
        "API tokens</a>"
    )  # the store's storefront API tokens (admin/views/api_tokens.py)
    if not view.can_write:
        return Markup(tokens_link)
    token = escape(generate_csrf())
    forms = [tokens_link]
    for endpoint, label, style in (
        ("test_connection", "Test connection", "outline-primary"),
        ("sync_now", "Sync now", "outline-success"),
    ):
        forms.append(
            f'<form method="post" action="{url_for("." + endpoint, store_id=model.id)}" class="d-inline">'
            f'<input type="hidden" name="csrf_token" value="{token}">'
            f'<button class="btn btn-sm btn-{style}" type="submit">{label}</button></form>'
        )
    return Markup(" ".join(forms))


def _history(view, context, model, name):
    """Review: a link to the first-sync plan, where the owner chooses; else the mode."""
    link = url_for("first_sync.index", store=model.id)
    if in_review(model):
        return Markup(
            f'<a class="badge badge-warning" href="{link}" data-testid="review-link">in review: '
            "see the first-sync plan and choose</a>"
        )
    return Markup(f'<a class="small" href="{link}">{escape(model.history_mode)}</a>')


def _webhooks(view, context, model, name):
    state = "secret set" if model.webhook_secret else "no secret"
    return Markup(
        f'<div class="small"><span class="badge badge-{"success" if model.webhook_secret else "warning"}">'
        f"{state}</span><br><code>{escape(webhook_url(model))}</code></div>"
    )


def _secret_needed_again(form, stored: Store) -> bool:
    """Keeping the stored consumer secret (empty field) is allowed only when it
    would go to the same place: same URL, same consumer key."""
    if (form.new_consumer_secret.data or "").strip() or not stored.consumer_secret:
        return False
    same_url = (form.url.data or "").strip().rstrip("/") == (stored.url or "").rstrip("/")
    same_key = (form.consumer_key.data or "").strip() == (stored.consumer_key or "").strip()
    return not (same_url and same_key)


class StoreView(SecureModelView):
    _allow_create = True
    _allow_edit = True
    list_template = "loyalty/stores_list.html"
    column_list = (
        "name",
        "url",
        "currency",
        "wc_version",
        "active",
        "history_mode",
        "consumer_key",
        "consumer_secret",
        "webhooks",
        "actions",
    )
    column_labels = {
        "url": "URL",
        "wc_version": "WooCommerce",
        "consumer_key": "Consumer key",
        "consumer_secret": "Consumer secret",
        "webhooks": "Webhooks",
        "actions": "",
        "history_mode": "History",
    }
    column_formatters = {
        "consumer_secret": _secret_state,
        "webhooks": _webhooks,
        "actions": _buttons,
        "history_mode": _history,
        "consumer_key": lambda v, c, m, n: (m.consumer_key[:7] + "…") if m.consumer_key else "not set",
    }
    column_sortable_list = ("name", "url")
    # Never searchable or filterable by secrets; details/export off so nothing can render them.
    can_export = False
    can_view_details = False
    form_columns = ("name", "url", "currency", "active", "consumer_key", "new_consumer_secret", "new_webhook_secret")
    form_excluded_columns = ("consumer_secret", "webhook_secret")

    form_extra_fields = {
        "new_consumer_secret": PasswordField(
            "Consumer secret",
            validators=[Optional(), Regexp(r"^cs_\S+$", message="A consumer secret starts with cs_")],
            description="From WooCommerce > Settings > Advanced > REST API (read/write key). "
            "Never shown again; leave empty to keep the stored one.",
        ),
        "new_webhook_secret": PasswordField(
            "Webhook secret",
            validators=[Optional(), Length(min=16)],
            description="The secret you type into WooCommerce's webhook settings. Leave empty to keep the stored one "
            "(a new store gets a random one; set your own to copy it into WooCommerce).",
        ),
    }
    form_args = {
        "name": {
            "validators": [
                DataRequired(),
                Regexp(
                    r"^[a-z0-9][a-z0-9-]*$",
                    message="Lowercase letters, digits and dashes (it is part of the webhook URL)",
                ),
            ],
            "description": "Short name used in URLs and commands, e.g. my-shop.",
        },
        "url": {
            "validators": [
                DataRequired(),
                URL(require_tld=False, message="The shop's address, e.g. https://shop.example.com"),
            ],
            "description": "The shop's address (https://...).",
        },
        "consumer_key": {
            "validators": [Optional(), Regexp(r"^ck_\S+$", message="A consumer key starts with ck_")],
            "description": "Starts with ck_.",
        },
        "currency": {
            "validators": [DataRequired(), Regexp(r"^[A-Z]{3}$", message="A 3-letter currency code, e.g. EUR")],
            "description": "Read from the store on 'Test connection'.",
        },
    }
    form_overrides = {"url": URLField, "name": StringField, "active": BooleanField}

    def __init__(self, **kwargs):
        super().__init__(Store, db, **kwargs)

    # --- saving: secrets are write-only -----------------------------------------------

    def validate_form(self, form):
        valid = super().validate_form(form)
        stored = getattr(form, "_obj", None)
        if valid and isinstance(stored, Store) and _secret_needed_again(form, stored):
            form.new_consumer_secret.errors = list(form.new_consumer_secret.errors) + [
                "The URL or consumer key changed: enter the consumer secret again. A stored secret is only "
                "ever sent to the address it was entered for."
            ]
            return False
        return valid

    def on_model_change(self, form, model, is_created):
        new_secret = (form.new_consumer_secret.data or "").strip()
        if new_secret:
            model.consumer_secret = new_secret
        new_hook = (form.new_webhook_secret.data or "").strip()
        if new_hook:
            model.webhook_secret = new_hook
        elif is_created and not model.webhook_secret:
            model.webhook_secret = secrets.token_urlsafe(32)
        if is_created:  # nothing reaches the store before the owner chose how its history counts
            model.history_mode = "review"
        model.url = (model.url or "").rstrip("/")
        model.consumer_key = (model.consumer_key or "").strip()

    def after_model_change(self, form, model, is_created):
        ensure_program(model)
        record_audit(
            actor(),
            "store.add" if is_created else "store.update",
            f"store:{model.name}",
            store_id=model.id,
            after={
                "name": model.name,
                "url": model.url,
                "currency": model.currency,
                "keys": "set" if model.has_keys else "not set",
                "consumer_secret_changed": bool((form.new_consumer_secret.data or "").strip()),
                "webhook_secret_changed": bool((form.new_webhook_secret.data or "").strip()),
            },
        )
        db.session.commit()

    # --- connection and sync ---------------------------------------------------------------

    @expose("/<int:store_id>/test", methods=["POST"])
    def test_connection(self, store_id: int):

        store = db.get_or_404(Store, store_id)
        if not store.has_keys:
            flash(f"{store.name}: enter the consumer key and secret first.", "error")
            return redirect(url_for(".index_view"))
        try:
            with client_for(store, max_attempts=2, timeout=15) as client:
                info = checked_store_info(client.store_info(require_modified_after=True))
                refresh_site_identity(store, client)
        except StoreError as error:
            log.warning("connection test of store %s failed: %s", store.id, error)
            flash(f"{store.name}: connection failed: {connection_test_message(error)}", "error")
        else:
            before = {
                "wc_version": store.wc_version,
                "currency": store.currency,
                "timezone": store.timezone,
                "display_name": store.display_name,
            }
            store.wc_version = info.version
            if info.currency:
                store.currency = info.currency
            record_audit(
                actor(),
                "store.test_connection",
                f"store:{store.name}",
                store_id=store.id,
                before=before,
                after={
                    "wc_version": store.wc_version,
                    "currency": store.currency,
                    "timezone": store.timezone,
                    "display_name": store.display_name,
                },
            )
            db.session.commit()
            flash(
                f"{store.name}: connected to WooCommerce {info.version} ({store.shop_name}), currency "
                f"{info.currency or '?'}, time zone {store.timezone}.",
                "success",
            )
        return redirect(url_for(".index_view"))

    @expose("/<int:store_id>/sync", methods=["POST"])
    def sync_now(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        try:
            request_pass = importlib.import_module("sync_jobs.api").request_pass
        except ModuleNotFoundError as missing:
            if missing.name not in ("sync_jobs", "sync_jobs.api"):
                raise  # a broken sync_jobs install is a bug to see, not "not installed"
            request_pass = None
        except AttributeError:
            request_pass = None
        if request_pass is None:
            flash("Sync worker not installed: this installation cannot start a sync from the panel.", "error")
            return redirect(url_for(".index_view"))
        full = request.form.get("full") == "1"
        try:
            message = request_pass(store.id, full=full)
        except Exception:  # the worker's own failure, shown without details that could hold secrets
            log.exception("could not request a sync pass for store %s", store.id)
            flash(f"{store.name}: the sync could not be started; see the server log.", "error")
            return redirect(url_for(".index_view"))
        record_audit(actor(), "store.sync_now", f"store:{store.name}", store_id=store.id, after={"full": full})
        db.session.commit()
        flash(f"{store.name}: {message}", "success")
        return redirect(url_for(".index_view"))
