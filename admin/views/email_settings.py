"""Settings > Member emails: a store's emails as its owner sets them: on or
off, the sender, the language, the look (logo, brand colour, footer), each
kind on or off, and the shop's own subject and intro per kind and language;
with a live preview of a sample member's email and a test send.

Admins edit; viewers read (the fields are disabled, every POST is refused by
`SecureMixin`). The preview is an email's HTML, the one page here not
written with the panel's own look: it is served on its own URL under a
sandbox policy (no script, no request but the logo over https, inline
styles) that only this panel may frame, and shown in a sandboxed iframe;
`email_settings.js` points the frame at the form's values as they are typed.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, flash, make_response, redirect, request, url_for
from flask_admin import expose

from admin.security import SecureBaseView, actor
from admin.store_picker import all_stores, selected_store
from admin.views.email_settings_form import KIND_NAMES, copy_of, defaults, pick, read_settings, read_words
from loyalty_sync.books.outbox import email_settings
from loyalty_sync.extensions import db
from loyalty_sync.models import EmailSettings, EmailTemplateOverride, Store, record_audit
from loyalty_sync.notifications.delivery import DeliveryFailure
from loyalty_sync.notifications.i18n import available_locales
from loyalty_sync.notifications.overrides import MEANINGS, Words, placeholders, saved
from loyalty_sync.notifications.sample import sample_email, send_sample
from loyalty_sync.notifications.smtp_config import SmtpNotConfigured, smtp_config

PREVIEW_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
AUDITED = (
    "enabled",
    "shop_name",
    "sender_name",
    "sender_address",
    "language",
    "logo_url",
    "brand_colour",
    "footer_text",
    *KIND_NAMES,
    "expiry_reminder_days",
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class EmailSettingsView(SecureBaseView):
    def _page(self, store, settings, kind, locale, words, problems=None, status=200):
        try:
            smtp = smtp_config(current_app.config).describe()
        except SmtpNotConfigured as exc:
            smtp = None
            smtp_missing = str(exc)
        else:
            smtp_missing = ""
        return (
            self.render(
                "loyalty/email_settings.html",
                stores=all_stores(),
                store=store,
                settings=settings,
                kind=kind,
                locale=locale,
                words=words,
                problems=problems or {},
                kinds=KIND_NAMES,
                languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in available_locales()],
                placeholders=[(name, MEANINGS.get(name, "")) for name in placeholders(kind)],
                smtp=smtp,
                smtp_missing=smtp_missing,
            ),
            status,
        )

    @expose("/")
    def index(self):
        store = selected_store()
        if store is None:
            return self._page(None, None, *pick(None, None), Words())
        kind, locale = pick(request.args.get("kind"), request.args.get("lang"))
        row = email_settings(store.id)
        settings = copy_of(row) if row is not None else defaults(store.id)
        return self._page(store, settings, kind, locale, saved(store.id, kind, locale) or Words())

    @expose("/<int:store_id>/preview")
    def preview(self, store_id: int):
        """The sample email with the values in the query (the form as typed), else the saved ones."""
        store = db.get_or_404(Store, store_id)
        kind, locale = pick(request.args.get("kind"), request.args.get("lang"))
        row = email_settings(store.id)
        settings = copy_of(row) if row is not None else defaults(store.id)
        words = saved(store.id, kind, locale) or Words()
        if request.args.get("draft") == "1":
            settings, _problems = read_settings(settings, request.args)
            words, _problems = read_words(kind, request.args)
        rendered = sample_email(store, settings, kind, locale, words, _now())
        response = make_response(rendered.html)
        response.headers["Content-Type"] = "text/html; charset=utf-8"
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/<int:store_id>/save", methods=["POST"])
    def save(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        kind, locale = pick(request.form.get("kind"), request.form.get("lang"))
        row = email_settings(store.id)
        before = copy_of(row) if row is not None else defaults(store.id)
        draft, problems = read_settings(copy_of(before), request.form)
        words, word_problems = read_words(kind, request.form)
        problems.update(word_problems)
        if problems:
            flash("Nothing was saved: " + " ".join(problems.values()), "error")
            return self._page(store, draft, kind, locale, words, problems, status=400)
        if row is None:
            row = EmailSettings(store_id=store.id)
            db.session.add(row)
        for name in AUDITED:
            setattr(row, name, getattr(draft, name))
        old_words = saved(store.id, kind, locale) or Words()
        _keep_words(store.id, kind, locale, words)
        changed = {name: getattr(draft, name) for name in AUDITED if getattr(before, name) != getattr(draft, name)}
        record_audit(
            actor(),
            "email_settings.update",
            f"store:{store.name}",
            store_id=store.id,
            before={name: getattr(before, name) for name in changed}
            | ({f"{kind}.{locale}": vars(old_words)} if old_words != words else {}),
            after=changed | ({f"{kind}.{locale}": vars(words)} if old_words != words else {}),
        )
        db.session.commit()
        flash("Saved. The next emails use these settings.", "success")
        return redirect(url_for(".index", store=store.id, kind=kind, lang=locale))

    @expose("/<int:store_id>/test", methods=["POST"])
    def test_send(self, store_id: int):
        store = db.get_or_404(Store, store_id)
        kind, locale = pick(request.form.get("kind"), request.form.get("lang"))
        to = request.form.get("to", "").strip()
        back = redirect(url_for(".index", store=store.id, kind=kind, lang=locale))
        if not to or any(ch.isspace() for ch in to) or to.count("@") != 1:
            flash("Type the address the test email should go to.", "error")
            return back
        row = email_settings(store.id)
        settings = copy_of(row) if row is not None else defaults(store.id)
        rendered = sample_email(store, settings, kind, locale, saved(store.id, kind, locale) or Words(), _now())
        try:
            server = send_sample(store, settings, rendered, to, _now())
        except SmtpNotConfigured as exc:
            flash(f"No test email sent: {exc}.", "error")
            return back
        except DeliveryFailure as exc:
            flash(f"The SMTP server did not take the test email: {exc}", "error")
            return back
        record_audit(
            actor(),
            "email_settings.test_send",
            f"store:{store.name}",
            store_id=store.id,
            after={"kind": kind, "locale": locale, "to": to},
        )
        db.session.commit()
        flash(f"A test email ({KIND_NAMES[kind]}, {locale}) went to {to} through {server}.", "success")
        return back


def _keep_words(store_id: int, kind: str, locale: str, words: Words) -> None:
    row = db.session.execute(
        db.select(EmailTemplateOverride).filter_by(store_id=store_id, kind=kind, locale=locale)
    ).scalar_one_or_none()
    if not words.subject and not words.intro:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = EmailTemplateOverride(store_id=store_id, kind=kind, locale=locale)
        db.session.add(row)
    row.subject, row.intro = words.subject, words.intro
