"""Connecting a store from the panel (issue 19): address and keys, a
connection test with fixed words per failure (wrong keys, not WooCommerce,
too old, unreachable) and nothing saved until it passes, then the webhooks
from there, and the store is in review. The secret never comes back into
a page or the audit log."""

from __future__ import annotations

import json

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Store
from tests.admin.conftest import token_for
from tests.support.recording_server import RecordingServer
from tests.support.stores import quick_retries

SECRET_MARK = "cs_ownersecret0123456789abcdefSHOULDNEVERSHOW"


def _connect(client, url: str, key: str, secret: str, name: str = ""):
    token = token_for(client, "/admin/connect/")
    return client.post(
        "/admin/connect/",
        data={"csrf_token": token, "url": url, "consumer_key": key, "consumer_secret": secret, "name": name},
    )


def _stores() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Store)).scalar_one()


def test_connect_with_woosim_tests_saves_in_review_and_never_shows_the_secret(app, admin_client, woosim):
    quick_retries(app)
    response = _connect(admin_client, woosim.url + "/", woosim.key, woosim.secret, name="")
    assert response.status_code == 302, response.get_data(as_text=True)
    store = db.session.execute(db.select(Store)).scalar_one()
    assert store.name == "127-0-0-1"  # made from the address when left empty
    assert (store.history_mode, store.url, store.consumer_secret) == ("review", woosim.url, woosim.secret)
    assert store.wc_version and store.currency == "EUR" and store.webhook_secret
    assert response.headers["Location"].endswith(f"/admin/connect/{store.id}/webhooks")
    step = admin_client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Connected to" in step and "Nothing has been sent to the shop" in step
    assert 'data-testid="no-public-url"' in step  # PUBLIC_BASE_URL unset: the CLI way is shown
    assert f"webhooks install --store {store.name}" in step
    for page in (
        step,
        admin_client.get("/admin/stores/").get_data(as_text=True),
        admin_client.get(f"/admin/first-sync/?store={store.id}").get_data(as_text=True),
    ):
        assert woosim.secret not in page and store.webhook_secret not in page
    audit = db.session.execute(db.select(AuditEntry).filter_by(action="store.connect")).scalar_one()
    assert woosim.secret not in json.dumps(audit.after) and audit.after["history_mode"] == "review"
    assert "in review: see the first-sync plan" in admin_client.get("/admin/stores/").get_data(as_text=True)


def test_wrong_keys_say_so_save_nothing_and_ask_for_the_secret_again(app, admin_client, woosim):
    quick_retries(app)
    response = _connect(admin_client, woosim.url, woosim.key, SECRET_MARK, name="myshop")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "rejected the API keys" in page
    assert SECRET_MARK not in page and "Enter the consumer secret again" in page
    assert 'value="myshop"' in page and f'value="{woosim.key}"' in page  # the rest is kept
    assert _stores() == 0


@pytest.mark.parametrize(
    "status, content_type, body, words",
    [
        (200, "text/html", b"<html><body>a blog</body></html>", "does not answer as a WooCommerce REST API"),
        (
            200,
            "application/json",
            json.dumps({"environment": {"version": "5.1.0"}, "settings": {"currency": "EUR"}}).encode(),
            "too old; the loyalty sync needs WooCommerce 5.8 or newer",
        ),
    ],
)
def test_not_woocommerce_and_too_old_are_said_in_fixed_words(app, admin_client, status, content_type, body, words):
    quick_retries(app)
    with RecordingServer(status=status, content_type=content_type, body=body) as other:
        page = _connect(admin_client, other.url, "ck_abc123", SECRET_MARK, name="other").get_data(as_text=True)
    assert words in page and SECRET_MARK not in page
    assert _stores() == 0


def test_unreachable_and_bad_fields(app, admin_client):
    quick_retries(app)
    page = _connect(admin_client, "http://127.0.0.1:9", "ck_abc123", SECRET_MARK, name="gone").get_data(as_text=True)
    assert "could not be reached" in page and _stores() == 0
    response = _connect(admin_client, "shop.example", "abc", "xyz", name="Bad Name")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("url", "consumer_key", "consumer_secret", "name"):
        assert f'data-error-for="{field}"' in page, field


def test_webhooks_installed_from_the_panel_and_a_failed_ping_is_explained(app, admin_client, woosim):
    """The public URL nobody answers at: WooCommerce (woosim) pings it, the
    webhooks stay off, and the page says what to check."""
    quick_retries(app)
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:9"
    location = _connect(admin_client, woosim.url, woosim.key, woosim.secret, name="sim").headers["Location"]
    store = db.session.execute(db.select(Store)).scalar_one()
    step = admin_client.get(location).get_data(as_text=True)
    assert 'data-testid="delivery-url">http://127.0.0.1:9/webhooks/woocommerce/sim<' in step
    token = token_for(admin_client, location)
    page = admin_client.post(location, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "6 webhooks installed, 0 already there, but" in page
    assert "answers its test call at http://127.0.0.1:9/webhooks/woocommerce/sim" in page
    hooks = list(woosim.state.webhooks.values())
    assert len(hooks) == 6 and all(h["status"] != "active" for h in hooks)
    assert {h["delivery_url"] for h in hooks} == {"http://127.0.0.1:9/webhooks/woocommerce/sim"}
    assert (
        db.session.execute(db.select(AuditEntry).filter_by(action="webhooks.install")).scalar_one().store_id == store.id
    )


def test_viewers_see_the_steps_but_cannot_connect_or_install(app, viewer_client):
    page = viewer_client.get("/admin/connect/").get_data(as_text=True)
    assert 'data-testid="admins-only"' in page and 'data-action="connect"' not in page
    token = token_for(viewer_client, "/admin/connect/")
    response = viewer_client.post(
        "/admin/connect/",
        data={"csrf_token": token, "url": "https://x.example", "consumer_key": "ck_x", "consumer_secret": "cs_x"},
    )
    assert response.status_code == 403 and _stores() == 0
