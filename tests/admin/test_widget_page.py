"""Settings > On-site widget (admin/views/widget.py): the script tag and the
shop's origin for everyone signed in; the widget secret only for an admin
who asks (audited, no-store), never in a later page, never for a viewer;
rotation refuses the old signatures at once."""

from __future__ import annotations

import time

from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Store
from loyalty_sync.signed_identity import sign_identity
from tests.admin.conftest import token_for
from tests.admin.factories import populate
from tests.support.members import make_registered_member


def _page(client, store) -> str:
    return f"/admin/widget/?store={store.id}"


def test_an_admin_sees_the_secret_only_when_asking_and_can_rotate_it(app, admin_client):
    store = populate()["store"]
    secret = store.widget_secret
    page = admin_client.get(_page(admin_client, store))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and secret not in text
    assert f'data-loyalty-store="{store.id}"' in text and "/widget/v1/widget.js" in text
    assert "https://shop.example" in text  # the one origin the widget answers

    shown = admin_client.post(
        f"/admin/widget/{store.id}/reveal", data={"csrf_token": token_for(admin_client, _page(admin_client, store))}
    )
    assert shown.status_code == 200 and secret in shown.get_data(as_text=True)
    assert "no-store" in shown.headers["Cache-Control"]
    assert secret not in admin_client.get(_page(admin_client, store)).get_data(as_text=True)

    make_registered_member(store, 7, "anna7@example.com", ["100.00"], first_order_id=9001)
    ts = int(time.time())
    old = {
        "customer": 7,
        "email": "anna7@example.com",
        "ts": ts,
        "signature": sign_identity(secret, store.id, 7, "anna7@example.com", ts),
    }
    widget = app.test_client()
    assert widget.post(f"/widget/v1/stores/{store.id}/member", json=old).status_code == 200
    rotated = admin_client.post(
        f"/admin/widget/{store.id}/rotate",
        data={"csrf_token": token_for(admin_client, _page(admin_client, store))},
        follow_redirects=True,
    )
    assert rotated.status_code == 200 and "A new widget secret" in rotated.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Store, store.id).widget_secret != secret
    assert widget.post(f"/widget/v1/stores/{store.id}/member", json=old).get_json()["error"]["code"] == "tampered"
    actions = (
        db.session.execute(
            db.select(AuditEntry.action).where(AuditEntry.action.like("store.widget_secret%")).order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    assert actions == ["store.widget_secret.read", "store.widget_secret.rotate"]


def test_a_viewer_reads_the_page_without_the_secret_and_cannot_reveal_or_rotate(app, viewer_client):
    store = populate()["store"]
    secret = store.widget_secret
    text = viewer_client.get(_page(viewer_client, store)).get_data(as_text=True)
    assert secret not in text and "Only an admin can see or rotate" in text and "Show the widget secret" not in text
    token = token_for(viewer_client, _page(viewer_client, store))
    for action in ("reveal", "rotate"):
        response = viewer_client.post(f"/admin/widget/{store.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 403 and secret not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Store, store.id).widget_secret == secret
