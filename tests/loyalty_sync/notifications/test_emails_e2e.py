"""End to end: an order completes in the simulated store (woosim, over real
HTTP), one sync pass, one run of the worker's emails job, and the member's
emails are in a real SMTP server: the points earned, and the reward coupon
with the code the store has; the member page link works and so does the
one-click unsubscribe."""

from urllib.parse import urlsplit

import pytest

from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, EmailOptOut, OutboxMessage
from loyalty_sync.store_sync.sync_pass import run_pass
from sync_jobs.tasks import send_emails


@pytest.fixture
def store(sim_store):
    return sim_store


def test_an_order_in_the_store_becomes_the_members_emails_within_one_pass(
    app, client, store, shop, emails, smtp_server
):
    beans = shop.product("Beans", "260.00")
    anna = shop.customer("anna@example.com", "Anna")
    shop.order([(beans["id"], 2)], customer_id=anna["id"], email="anna@example.com")  # completed: 520 points

    run = run_pass(store.id)
    assert run.status == "ok", run.error
    outcome = send_emails()
    assert outcome.sent == 4 and outcome.waiting == 0, outcome  # the pass pushed the coupons first

    [earned] = smtp_server.received(to="anna@example.com", subject_has="You earned 520 points")
    rewards = smtp_server.received(to="anna@example.com", subject_has="Your reward is ready")
    assert len(rewards) == 2  # the 5-off reward for 500 points, and the Silver tier's coupon
    codes_in_store = {c["code"] for c in shop.coupons()}
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in rewards]
    codes = [
        next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Your code: ")) for text in texts
    ]
    assert {code.lower() for code in codes} <= codes_in_store and len(set(codes)) == 2
    reward = db.session.execute(db.select(Coupon).where(Coupon.source == "reward")).scalar_one()
    [five_off] = [text for text, code in zip(texts, codes, strict=True) if code == reward.code]
    assert "€5.00 off" in five_off
    code = reward.code

    page_link = next(w for w in five_off.split() if w.startswith("http://loyalty.test/m/"))
    page = client.get(urlsplit(page_link).path)
    assert page.status_code == 200 and code.lower() in page.get_data(as_text=True).lower()

    unsubscribe = urlsplit(earned["List-Unsubscribe"].strip("<>")).path
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    member = find_member(store, "anna@example.com")
    assert db.session.get(EmailOptOut, member.id) is not None

    shop.order([(beans["id"], 1)], customer_id=anna["id"], email="anna@example.com")
    assert run_pass(store.id).status == "ok"
    assert send_emails().sent == 0
    assert len(smtp_server.received()) == 4
    assert db.session.execute(db.select(db.func.count()).select_from(OutboxMessage)).scalar_one() == 4
