"""`/u/<token>`: the one-click unsubscribe of member emails. A GET only
shows where the member stands; a POST (the mail client's button, the page's
form) switches emails off, or on again; a bad token is a clear 404."""

from loyalty_sync.extensions import db
from loyalty_sync.models import EmailOptOut, EmailSettings, Member
from loyalty_sync.notifications.unsubscribe import unsubscribe_token
from tests.storefront.conftest import make_store


def member_of(store, email="anna@example.com"):
    member = Member(store_id=store.id, email=email)
    db.session.add(member)
    db.session.commit()
    return member


def test_a_get_changes_nothing_a_post_unsubscribes_and_the_page_subscribes_again(app, client):
    store = make_store()
    member = member_of(store)
    path = f"/u/{unsubscribe_token(store.id, member.id)}"
    page = client.get(path)
    assert page.status_code == 200 and "You get emails about your points" in page.get_data(as_text=True)
    assert db.session.get(EmailOptOut, member.id) is None

    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: still one row
    db.session.expire_all()
    assert db.session.get(EmailOptOut, member.id) is not None

    again = client.post(path, data={"action": "subscribe"})
    assert again.status_code == 200 and "Unsubscribe" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EmailOptOut, member.id) is None


def test_a_tampered_token_or_one_for_another_store_is_refused(app, client):
    store, other = make_store(), make_store("other")
    member = member_of(store)
    assert client.post(f"/u/{unsubscribe_token(store.id, member.id)}x").status_code == 404
    assert client.post(f"/u/{unsubscribe_token(other.id, member.id)}").status_code == 404
    assert db.session.get(EmailOptOut, member.id) is None


def test_the_page_speaks_the_emails_language(app, client):
    store = make_store()
    db.session.add(EmailSettings(store_id=store.id, enabled=True, language="de", shop_name="Kaffee Klatsch"))
    member = member_of(store)
    page = client.get(f"/u/{unsubscribe_token(store.id, member.id)}").get_data(as_text=True)
    assert "E-Mails von Kaffee Klatsch" in page and "Abmelden" in page
