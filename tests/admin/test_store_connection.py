"""The stored consumer secret only ever goes to the address it was entered
for, and "Test connection" never shows what a remote host answered (issue 17:
editing the URL with the secret left empty sent the old keys to the new host,
and the store's error text came back in the page)."""

from __future__ import annotations

import json

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Store
from loyalty_sync.store_sync import connection as store_connection
from loyalty_sync.woocommerce import errors
from tests.admin.conftest import token_for
from tests.support.recording_server import RecordingServer
from tests.support.stores import CONSUMER_SECRET, make_store, quick_retries

MARKER = "REMOTE-BODY-7f3a internal admin token"


@pytest.fixture
def hosts(app):
    quick_retries(app)
    with (
        RecordingServer(
            status=401,
            body=json.dumps({"code": "woocommerce_rest_authentication_error", "message": "old host"}).encode(),
        ) as old,
        RecordingServer(
            status=401, body=json.dumps({"code": "woocommerce_rest_authentication_error", "message": MARKER}).encode()
        ) as new,
    ):
        yield old, new


def _edit(client, store, **changes):
    form = {
        "csrf_token": token_for(client, f"/admin/stores/edit/?id={store.id}"),
        "name": store.name,
        "url": store.url,
        "currency": "EUR",
        "active": "y",
        "consumer_key": store.consumer_key,
        "new_consumer_secret": "",
        "new_webhook_secret": "",
    }
    form.update(changes)
    return client.post(f"/admin/stores/edit/?id={store.id}", data=form)


def _test_connection(client, store) -> str:
    token = token_for(client, "/admin/stores/")
    return client.post(f"/admin/stores/{store.id}/test", data={"csrf_token": token}, follow_redirects=True).get_data(
        as_text=True
    )


def _carried_credentials(request, key: str) -> bool:
    raw = request.raw
    return (
        CONSUMER_SECRET in raw
        or key in raw
        or "authorization" in {k.lower() for k in request.headers}
        or "oauth_signature" in raw
    )


def test_a_new_url_or_key_needs_the_secret_again_and_the_old_one_never_leaves(admin_client, hosts):
    old, new = hosts
    store = make_store("moved")
    store.url = old.url
    db.session.commit()
    key = store.consumer_key

    refused = _edit(admin_client, store, url=new.url)
    assert refused.status_code == 200 and "enter the consumer secret again" in refused.get_data(as_text=True)
    refused = _edit(admin_client, store, consumer_key="ck_someoneelse0123")
    assert refused.status_code == 200 and "enter the consumer secret again" in refused.get_data(as_text=True)
    db.session.expire_all()
    store = db.session.get(Store, store.id)
    assert store.url == old.url and store.consumer_key == key and store.consumer_secret == CONSUMER_SECRET

    _test_connection(admin_client, store)
    assert old.received, "the test went to the store's own address"
    assert not any(_carried_credentials(r, key) for r in new.received), "the stored keys reached the new host"

    # Unchanged URL and key (a trailing slash aside): the stored secret is kept as before.
    assert _edit(admin_client, store, url=old.url + "/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Store, store.id).consumer_secret == CONSUMER_SECRET


def test_with_a_new_secret_the_new_host_gets_only_the_new_keys_and_its_answer_is_not_shown(admin_client, hosts):
    _, new = hosts
    store = make_store("moved")
    saved = _edit(
        admin_client,
        store,
        url=new.url,
        consumer_key="ck_newkey0123456789",
        new_consumer_secret="cs_newsecret0123456789",
    )
    assert saved.status_code == 302
    db.session.expire_all()
    store = db.session.get(Store, store.id)
    page = _test_connection(admin_client, store)
    assert new.received and all(CONSUMER_SECRET not in r.raw and "ck_publickey" not in r.raw for r in new.received)
    assert "connection failed" in page and "rejected the API keys" in page
    assert MARKER not in page and "REMOTE-BODY" not in page

    new.status, new.content_type = 200, "text/html"
    new.body = f"<html><body>{MARKER}</body></html>".encode()
    page = _test_connection(admin_client, store)
    assert "does not answer as a WooCommerce REST API" in page and "REMOTE-BODY" not in page

    new.content_type = "application/json"
    new.body = json.dumps({"environment": {"version": MARKER}, "settings": {"currency": "EUR"}}).encode()
    page = _test_connection(admin_client, store)
    assert "REMOTE-BODY" not in page and "connection failed" in page
    db.session.expire_all()
    assert "REMOTE" not in (db.session.get(Store, store.id).wc_version or "")


@pytest.mark.parametrize(
    "error, words",
    [
        (errors.StoreRejectedKeys("x " + MARKER, status=401), "rejected the API keys"),
        (errors.StorePermissionDenied("x " + MARKER, status=403), "not allowed"),
        (errors.NotWooCommerce("x " + MARKER, status=404), "does not answer as a WooCommerce REST API"),
        (errors.StoreUnreachable("x " + MARKER), "could not be reached"),
        (errors.StoreTooOld("x " + MARKER, version="3.0", required="5.8"), "WooCommerce 5.8 or newer"),
        (errors.StoreServerError("x " + MARKER, status=502), "internal error"),
        (errors.StoreRateLimited("x " + MARKER, status=429), "slow down"),
        (errors.BadResponse("x " + MARKER), "not with the JSON"),
        (errors.RecordNotFound("x " + MARKER, status=404), "unexpected answer (HTTP 404)"),
    ],
)
def test_each_kind_of_failure_has_fixed_words(app, error, words):
    message = store_connection.connection_test_message(error)
    assert words in message and "REMOTE" not in message
