"""`flask --app wsgi stores widget-secret NAME [--rotate]`: the store id and
secret the shop's server signs with; rotation refuses old signatures; both audited."""

import time

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Store
from loyalty_sync.signed_identity import IdentityRefused, read_identity, sign_identity, verify_identity
from tests.support.stores import make_store


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["stores", "widget-secret", *args])
    return result


def test_read_and_rotate_the_widget_secret(app):
    store = make_store("shop")
    old = store.widget_secret
    shown = _run(app, "shop")
    assert shown.exit_code == 0, shown.output
    assert f"Store id: {store.id}\nWidget secret: {old}\n" in shown.output
    ts = int(time.time())
    signed = read_identity(store.id, 7, "anna@example.com", ts, sign_identity(old, store.id, 7, "anna@example.com", ts))

    rotated = _run(app, "shop", "--rotate")
    assert rotated.exit_code == 0, rotated.output
    db.session.expire_all()
    new = db.session.get(Store, store.id).widget_secret
    assert new != old and len(new) >= 40 and f"Widget secret: {new}" in rotated.output
    with pytest.raises(IdentityRefused) as refused:
        verify_identity(new, signed)
    assert refused.value.reason == "tampered"
    actions = (
        db.session.execute(db.select(AuditEntry.action).where(AuditEntry.store_id == store.id).order_by(AuditEntry.id))
        .scalars()
        .all()
    )
    assert actions[-2:] == ["store.widget_secret.read", "store.widget_secret.rotate"]
    assert not any(old in str(e.after) + str(e.before) for e in db.session.execute(db.select(AuditEntry)).scalars())


def test_an_unknown_store_is_a_clear_error(app):
    result = _run(app, "nowhere")
    assert result.exit_code != 0 and "unknown store 'nowhere'" in result.output
