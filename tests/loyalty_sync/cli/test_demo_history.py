"""The demo connects its seeded shop in a history mode chosen before anything
reaches the store (not in review, where nothing would happen)."""

from loyalty_sync.cli.demo import _demo_store
from loyalty_sync.extensions import db


def test_the_demo_store_is_connected_in_award_mode(app):
    store = _demo_store({"url": "http://127.0.0.1:8090", "key": "ck_x", "secret": "cs_x"})
    db.session.commit()
    assert store.history_mode == "award" and store.connected_at is not None
    again = _demo_store({"url": "http://127.0.0.1:8090", "key": "ck_x", "secret": "cs_x"})
    assert (again.id, again.connected_at) == (store.id, store.connected_at)  # a restart changes nothing


def test_the_demo_turns_member_emails_on_for_its_store(app):
    from loyalty_sync.books.outbox import email_settings
    from loyalty_sync.cli.demo import _demo_emails

    store = _demo_store({"url": "http://127.0.0.1:8090", "key": "ck_x", "secret": "cs_x"})
    _demo_emails(store)
    db.session.commit()
    assert email_settings(store.id).enabled
