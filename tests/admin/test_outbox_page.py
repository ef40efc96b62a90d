"""The panel's member-email log: a bounce is shown with the server's answer."""

from datetime import datetime, timezone

from loyalty_sync.extensions import db
from loyalty_sync.models import Member, OutboxMessage
from tests.support.stores import make_store


def test_the_email_log_shows_a_bounce_with_the_servers_answer(admin_client):
    store = make_store("shop", "http://shop.test")
    member = Member(store_id=store.id, email="gone@example.com")
    db.session.add(member)
    db.session.flush()
    db.session.add(
        OutboxMessage(
            store_id=store.id,
            member_id=member.id,
            kind="points_earned",
            key="points_earned:x",
            payload={},
            status="bounced",
            to_address="gone@example.com",
            last_error="550 5.1.1 no such user",
            created_at=datetime.now(timezone.utc),
        )
    )
    db.session.commit()
    page = admin_client.get("/admin/emails/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "gone@example.com" in html and "550 5.1.1 no such user" in html and ">bounced<" in html
    assert "Points earned" in html
