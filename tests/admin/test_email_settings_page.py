"""Settings > Member emails (admin/views/email_settings.py): an admin saves
the sender, the look and the shop's own words (checked: an http logo, a
colour that is not hex, an unknown placeholder are refused with the reason);
a viewer reads but cannot save; the preview is the sample email under a
sandbox policy, escaping what the owner typed; the test send reaches a real
SMTP server, or the page says none is configured."""

from __future__ import annotations

from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, EmailSettings, EmailTemplateOverride
from tests.admin.conftest import token_for
from tests.support.smtp_server import configure_emails, smtp_server  # noqa: F401 (a fixture)
from tests.support.stores import make_store

FORM = {
    "enabled": "on",
    "shop_name": "Kaffee Klatsch",
    "sender_name": "Kaffee Klatsch",
    "sender_address": "treue@kaffee.example",
    "language": "de",
    "logo_url": "https://kaffee.example/logo.png",
    "brand_colour": "#ffd500",
    "footer_text": "Kaffee Klatsch GmbH\nHauptstr. 1, 10115 Berlin",
    "points_earned": "on",
    "coupon_ready": "on",
    "expiry_reminder_days": "10",
    "kind": "points_earned",
    "lang": "de",
    "subject": "{first_name}, {points} bei {shop}!",
    "intro": "Danke, {first_name}! Dein Stand: {balance}.",
}


def _page(store) -> str:
    return f"/admin/email-settings/?store={store.id}&kind=points_earned&lang=de"


def _save(client, store, **changes):
    data = dict(FORM, csrf_token=token_for(client, _page(store)), **changes)
    return client.post(f"/admin/email-settings/{store.id}/save", data=data)


def _settings(store) -> EmailSettings | None:
    db.session.expire_all()
    return db.session.execute(db.select(EmailSettings).filter_by(store_id=store.id)).scalar_one_or_none()


def test_an_admin_saves_the_settings_and_words_and_the_change_is_audited(app, admin_client):
    store = make_store()
    saved = _save(admin_client, store)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    settings = _settings(store)
    assert settings.enabled and settings.language == "de" and settings.brand_colour == "#ffd500"
    assert settings.logo_url == "https://kaffee.example/logo.png" and settings.expiry_reminder_days == 10
    assert settings.footer_text == "Kaffee Klatsch GmbH\nHauptstr. 1, 10115 Berlin"
    assert settings.points_earned and settings.coupon_ready and not settings.tier_up and not settings.points_expiring
    words = db.session.execute(db.select(EmailTemplateOverride).filter_by(store_id=store.id)).scalar_one()
    assert (words.kind, words.locale, words.subject) == ("points_earned", "de", "{first_name}, {points} bei {shop}!")
    entry = db.session.execute(db.select(AuditEntry).filter_by(action="email_settings.update")).scalar_one()
    assert entry.after["brand_colour"] == "#ffd500" and entry.after["points_earned.de"]["intro"].startswith("Danke")
    page = admin_client.get(_page(store)).get_data(as_text=True)
    assert 'value="#ffd500"' in page and "Danke, {first_name}!" in page

    # emptied words fall back to the default ones: the row goes
    assert _save(admin_client, store, subject="", intro="").status_code == 302
    assert db.session.execute(db.select(EmailTemplateOverride).filter_by(store_id=store.id)).first() is None


def test_bad_values_are_refused_with_the_reason_and_nothing_is_saved(app, admin_client):
    store = make_store()
    for field, value, reason in (
        ("logo_url", "http://kaffee.example/logo.png", "https://"),
        ("logo_url", "javascript:alert(1)", "https://"),
        ("brand_colour", "yellow", "hex colour"),
        ("brand_colour", "#ffd50", "hex colour"),
        ("subject", "Hi {name}", "Unknown placeholder {name}"),
        ("intro", "{shop.__class__}", "Unknown placeholder {shop.__class__}"),
        ("intro", "50% {off", "A brace is not closed"),
    ):
        refused = _save(admin_client, store, **{field: value})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 400, (field, value)
        assert reason in text and f'data-testid="problem-{field}"' in text, (field, value)
        assert _settings(store) is None
    assert "{first_name}, {shop}, {balance}, {points}" in _save(admin_client, store, subject="{nope}").get_data(
        as_text=True
    )


def test_a_viewer_reads_the_page_but_cannot_save_or_send(app, viewer_client):
    store = make_store()
    page = viewer_client.get(_page(store))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<fieldset disabled" in text and "Only an admin" in text
    token = token_for(viewer_client, _page(store))
    assert (
        viewer_client.post(f"/admin/email-settings/{store.id}/save", data=dict(FORM, csrf_token=token)).status_code
        == 403
    )
    assert (
        viewer_client.post(
            f"/admin/email-settings/{store.id}/test", data={"to": "me@example.com", "csrf_token": token}
        ).status_code
        == 403
    )
    assert _settings(store) is None
    assert viewer_client.get(f"/admin/email-settings/{store.id}/preview?kind=tier_up").status_code == 200


def test_the_preview_is_sandboxed_and_escapes_what_the_owner_typed(app, admin_client):
    store = make_store()
    query = {
        "draft": "1",
        "kind": "points_earned",
        "lang": "de",
        "shop_name": "Kaffee",
        "brand_colour": "#ffd500",
        "logo_url": "https://kaffee.example/logo.png",
        "footer_text": "Hauptstr. 1 <script>alert('footer')</script>",
        "intro": "Danke {first_name} <img src=x onerror=alert(1)>",
    }
    preview = admin_client.get(f"/admin/email-settings/{store.id}/preview", query_string=query)
    html = preview.get_data(as_text=True)
    policy = preview.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox; default-src 'none'") and "frame-ancestors 'self'" in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "<script>" not in html and "&lt;script&gt;alert(" in html and "<img src=x" not in html
    assert "Danke Anna &lt;img" in html  # the owner's intro, with the sample member's name
    assert '<img src="https://kaffee.example/logo.png" alt="Kaffee"' in html
    assert "background: #ffd500;color: #000000" in html  # black reads better on yellow
    assert 'lang="de"' in html and "Hallo Anna" in html

    # an http logo and a bad colour typed in the form never reach the preview's HTML
    bad = admin_client.get(
        f"/admin/email-settings/{store.id}/preview",
        query_string=dict(query, logo_url="http://evil.example/x.png", brand_colour="red;x:url(//evil)"),
    ).get_data(as_text=True)
    assert "evil" not in bad and "#4f46e5" in bad


def test_a_test_email_reaches_the_smtp_server(app, admin_client, smtp_server):  # noqa: F811
    configure_emails(app, smtp_server, MAIL_DEFAULT_SENDER="loyalty@loyalty.test")
    store = make_store()
    assert _save(admin_client, store).status_code == 302
    page = admin_client.get(_page(store)).get_data(as_text=True)
    assert f"Sent through smtp://127.0.0.1:{smtp_server.port}" in page
    sent = admin_client.post(
        f"/admin/email-settings/{store.id}/test",
        data={
            "kind": "points_earned",
            "lang": "de",
            "to": "owner@kaffee.example",
            "csrf_token": token_for(admin_client, _page(store)),
        },
        follow_redirects=True,
    )
    assert "A test email (Points earned, de) went to owner@kaffee.example" in sent.get_data(as_text=True)
    (mail,) = smtp_server.received(to="owner@kaffee.example")
    assert str(mail["Subject"]) == "Anna, 40 Punkte bei Kaffee Klatsch!"
    assert "treue@kaffee.example" in str(mail["From"]) and mail["List-Unsubscribe"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Danke, Anna! Dein Stand: 120 Punkte." in text and "Hauptstr. 1, 10115 Berlin" in text
    assert "https://kaffee.example/logo.png" in html and "Hauptstr. 1, 10115 Berlin" in html
    assert db.session.execute(db.select(AuditEntry).filter_by(action="email_settings.test_send")).scalar_one()


def test_without_smtp_the_page_says_so_and_the_test_send_is_refused(app, admin_client):
    for name in ("SMTP_URL", "SMTP_HOST"):
        app.config.pop(name, None)
    store = make_store()
    page = admin_client.get(_page(store)).get_data(as_text=True)
    assert "No test send: no SMTP server configured" in page
    refused = admin_client.post(
        f"/admin/email-settings/{store.id}/test",
        data={"to": "owner@kaffee.example", "csrf_token": token_for(admin_client, _page(store))},
        follow_redirects=True,
    )
    assert "No test email sent: no SMTP server configured" in refused.get_data(as_text=True)
