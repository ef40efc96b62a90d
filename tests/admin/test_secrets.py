"""Secrets never reach a page or a log: the consumer secret is write-only,
and neither it nor a password shows up anywhere the panel renders."""

from __future__ import annotations

import logging
import re

from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Store
from tests.admin.conftest import login, token_for
from tests.admin.factories import ADMIN_PASSWORD, populate
from tests.admin.test_access import admin_urls
from tests.support.stores import CONSUMER_SECRET, WEBHOOK_SECRET


def _assert_clean(text: str, where: str) -> None:
    for secret in (CONSUMER_SECRET, ADMIN_PASSWORD, WEBHOOK_SECRET):
        assert secret not in text, f"a secret appears in {where}"


def test_no_page_and_no_log_line_contains_a_secret(app, caplog):
    caplog.set_level(logging.DEBUG)
    from tests.admin.factories import make_user

    make_user("admin@example.com", ADMIN_PASSWORD, "admin")
    data = populate()
    store = data["store"]
    store.url = "http://127.0.0.1:9"  # nothing listens: "test connection" fails fast with an error message
    db.session.commit()
    client = app.test_client()
    failed = login(client, "admin@example.com", "wrong " + ADMIN_PASSWORD)
    _assert_clean(failed.get_data(as_text=True), "the failed login page")
    assert login(client, "admin@example.com", ADMIN_PASSWORD).status_code == 302
    bodies = []
    for endpoint, method, url in admin_urls(app, data):
        if method != "GET":
            continue
        if endpoint.endswith((".edit_view", ".details_view")):
            url += f"?id={store.id}" if endpoint.startswith("stores") else "?id=1"
        response = client.get(url, follow_redirects=True)
        bodies.append((url, response.get_data(as_text=True)))
    token = token_for(client, "/admin/stores/")
    for url in (f"/admin/stores/{store.id}/test", f"/admin/stores/{store.id}/sync"):
        bodies.append((url, client.post(url, data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)))
    assert any("connection failed" in body for _, body in bodies)
    for url, body in bodies:
        _assert_clean(body, url)
    _assert_clean(caplog.text, "the logs")
    for entry in db.session.execute(db.select(AuditEntry)).scalars():
        _assert_clean(f"{entry.before} {entry.after} {entry.reason}", f"audit row {entry.action}")


def test_the_consumer_secret_is_write_only(admin_client):
    data = populate()
    store = data["store"]
    listing = admin_client.get("/admin/stores/").get_data(as_text=True)
    assert ">set<" in listing
    assert f"/webhooks/woocommerce/{store.name}" in listing
    edit = admin_client.get(f"/admin/stores/edit/?id={store.id}").get_data(as_text=True)
    assert CONSUMER_SECRET not in edit and WEBHOOK_SECRET not in edit
    assert re.search(
        r'<input[^>]*name="new_consumer_secret"[^>]*type="password"|type="password"[^>]*name="new_consumer_secret"',
        edit,
    )
    form = {
        "csrf_token": token_for(admin_client, f"/admin/stores/edit/?id={store.id}"),
        "name": store.name,
        "url": "https://shop.example",
        "currency": "EUR",
        "active": "y",
        "consumer_key": store.consumer_key,
        "new_consumer_secret": "",
        "new_webhook_secret": "",
    }
    response = admin_client.post(f"/admin/stores/edit/?id={store.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    store = db.session.get(Store, store.id)
    assert store.consumer_secret == CONSUMER_SECRET and store.webhook_secret == WEBHOOK_SECRET  # empty field keeps it
    form["new_consumer_secret"] = "cs_replacement0123456789"
    form["csrf_token"] = token_for(admin_client, f"/admin/stores/edit/?id={store.id}")
    assert admin_client.post(f"/admin/stores/edit/?id={store.id}", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Store, store.id).consumer_secret == "cs_replacement0123456789"
    audit = (
        db.session.execute(db.select(AuditEntry).filter_by(action="store.update").order_by(AuditEntry.id.desc()))
        .scalars()
        .first()
    )
    assert audit.after["consumer_secret_changed"] is True and "cs_replacement" not in str(audit.after)


def test_adding_a_store_validates_fields_and_creates_its_program(admin_client):
    token = token_for(admin_client, "/admin/stores/new/")
    bad = admin_client.post(
        "/admin/stores/new/",
        data={
            "csrf_token": token,
            "name": "My Shop!",
            "url": "nope",
            "currency": "EUR",
            "new_consumer_secret": "wrong",
        },
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Lowercase letters" in page and "starts with cs_" in page
    good = admin_client.post(
        "/admin/stores/new/",
        data={
            "csrf_token": token,
            "name": "my-shop",
            "url": "https://my-shop.example/",
            "currency": "EUR",
            "consumer_key": "ck_abc123",
            "new_consumer_secret": "cs_abc123456789",
        },
    )
    assert good.status_code == 302
    store = db.session.execute(db.select(Store).filter_by(name="my-shop")).scalar_one()
    assert store.url == "https://my-shop.example" and store.webhook_secret  # a random webhook secret
    assert admin_client.get(f"/admin/rules/?store={store.id}").status_code == 200


def test_sync_now_without_worker_or_with_it(admin_client, monkeypatch):
    import sys
    import types

    data = populate()
    token = token_for(admin_client, "/admin/stores/")
    fake = types.ModuleType("sync_jobs.api")
    fake.request_pass = lambda store_id, full=False: f"pass for store {store_id} queued"
    monkeypatch.setitem(sys.modules, "sync_jobs.api", fake)
    page = admin_client.post(
        f"/admin/stores/{data['store'].id}/sync", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert f"pass for store {data['store'].id} queued" in page
    monkeypatch.setitem(sys.modules, "sync_jobs.api", None)  # import fails as if not installed
    page = admin_client.post(
        f"/admin/stores/{data['store'].id}/sync", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "not installed" in page
