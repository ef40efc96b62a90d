"""Outgoing signed webhooks against a local HTTP receiver: the outbox's second
channel, with the emails' claim, retries, back-off and idempotency."""

import hashlib
import hmac
import json
import socket
from datetime import datetime, timedelta, timezone

import pytest

from loyalty_sync.books.apply import apply_orders, apply_with_retry
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, EmailOptOut, OutboxMessage
from loyalty_sync.notifications.sender import send_due
from tests.support.recording_server import RecordingServer
from tests.support.wc import line, order

NOW = datetime.now(timezone.utc).replace(microsecond=0)
SECRET = "a-webhook-secret-of-the-shop"


@pytest.fixture
def receiver():
    with RecordingServer() as server:
        yield server


def hook_to(settings, url, *, emails=True):
    settings.webhook_url, settings.webhook_secret, settings.enabled = url, SECRET, emails
    db.session.commit()


def buy(store, order_id, total, email="anna@example.com"):
    record = order(order_id, lines=[line(order_id * 10, total)], email=email, created=NOW - timedelta(hours=1))
    apply_with_retry(lambda: apply_orders(store, [record], now=NOW))


def hooks():
    db.session.expire_all()
    query = db.select(OutboxMessage).where(OutboxMessage.channel == "webhook").order_by(OutboxMessage.id)
    return db.session.execute(query).scalars().all()


def push_coupons():
    for coupon in db.session.execute(db.select(Coupon)).scalars():
        coupon.status = "pushed"
    db.session.commit()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_event_is_delivered_once_signed_next_to_its_email(app, store, emails, smtp_server, receiver):
    hook_to(emails, receiver.url + "/hooks/catch/123/abc")
    buy(store, 1, "520.00")  # points earned, the reward and the tier coupon, tier up
    assert sorted(r.kind for r in hooks()) == ["coupon_ready", "coupon_ready", "points_earned", "tier_up"]
    assert {r.to_address for r in hooks()} == {receiver.url}  # the host only: the hook's path is a secret
    push_coupons()

    outcome = send_due(now=NOW)
    assert outcome.sent == 8, outcome  # 4 emails, 4 webhooks
    assert len(smtp_server.received()) == 4 and len(receiver.received) == 4
    assert send_due(now=NOW + timedelta(minutes=5)).sent == 0
    assert len(receiver.received) == 4

    member = find_member(store, "anna@example.com")
    for request in receiver.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request.headers["X-Loyalty-Signature"], expected)
        assert request.headers["X-Loyalty-Timestamp"] == str(int(NOW.timestamp()))
        event = json.loads(request.body)
        assert event["member"]["email"] == "anna@example.com" and event["member"]["id"] == member.id
        assert request.headers["X-Loyalty-Delivery"] == event["id"] and event["id"].startswith("webhook:")
    coupons = [json.loads(r.body) for r in receiver.received if r.headers["X-Loyalty-Event"] == "coupon_ready"]
    reward = db.session.execute(db.select(Coupon).where(Coupon.source == "reward")).scalar_one()
    [data] = [e["data"]["coupon"] for e in coupons if e["data"]["coupon"]["code"] == reward.code]
    assert data["amount"] == "5.00" and data["discount_type"] == "fixed_cart"  # money as "2.13" strings
    [earned] = [json.loads(r.body) for r in receiver.received if r.headers["X-Loyalty-Event"] == "points_earned"]
    assert earned["data"] == {"points": 520}


def test_a_500_is_retried_with_back_off_and_delivered_once(app, store, emails, receiver):
    hook_to(emails, receiver.url + "/hook", emails=False)  # webhooks instead of our emails
    buy(store, 1, "20.00")
    [row] = hooks()
    assert row.kind == "points_earned"
    receiver.status = 500
    assert send_due(now=NOW).retry == 1
    [row] = hooks()
    assert row.status == "queued" and row.attempts == 1 and "answered 500" in row.last_error
    assert row.next_attempt_at > NOW
    receiver.status = 200
    assert send_due(now=NOW).sent == 0  # not before its back-off
    assert send_due(now=NOW + timedelta(minutes=1)).sent == 1
    assert send_due(now=NOW + timedelta(minutes=5)).sent == 0
    assert len(receiver.received) == 2  # the 500, then the one delivery
    [row] = hooks()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_given_up_after_the_attempts_and_recorded(app, store, emails, receiver):
    app.config["EMAIL_MAX_ATTEMPTS"] = 2
    hook_to(emails, receiver.url, emails=False)
    buy(store, 1, "20.00")
    receiver.status = 503
    send_due(now=NOW)
    assert send_due(now=NOW + timedelta(minutes=1)).failed == 1
    [row] = hooks()
    assert row.status == "failed" and "gave up after 2 attempts" in row.last_error


def test_a_refusal_is_not_retried(app, store, emails, receiver):
    hook_to(emails, receiver.url, emails=False)
    buy(store, 1, "20.00")
    receiver.status = 410
    assert send_due(now=NOW).bounced == 1
    [row] = hooks()
    assert row.status == "bounced" and "refused the event: 410" in row.last_error


def test_a_dead_endpoint_does_not_block_the_emails(app, store, emails, smtp_server):
    hook_to(emails, f"http://127.0.0.1:{closed_port()}/hook")
    buy(store, 1, "20.00")
    outcome = send_due(now=NOW)
    assert (outcome.sent, outcome.retry) == (1, 1)
    assert len(smtp_server.received(to="anna@example.com")) == 1
    [row] = hooks()
    assert row.status == "queued" and "no connection" in row.last_error


def test_no_webhook_for_a_member_who_unsubscribed(app, store, emails, receiver):
    hook_to(emails, receiver.url, emails=False)
    buy(store, 1, "20.00")
    member = find_member(store, "anna@example.com")
    db.session.add(EmailOptOut(member_id=member.id, store_id=store.id))
    db.session.commit()
    assert send_due(now=NOW).suppressed == 1  # checked again when sending
    buy(store, 2, "20.00")
    assert len(hooks()) == 1 and receiver.received == []


def test_cli_sets_the_webhook_and_shows_a_made_secret_once(app, store, emails):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["emails", "settings", "--store", store.name, "--webhook-url", "https://hooks.test/x"])
    assert made.exit_code == 0, made.output
    db.session.expire_all()
    secret = emails.webhook_secret
    assert len(secret) == 64 and secret in made.output
    shown = runner.invoke(args=["emails", "settings", "--store", store.name])
    assert "webhook_secret: (set)" in shown.output and secret not in shown.output
    bad = runner.invoke(args=["emails", "settings", "--store", store.name, "--webhook-url", "ftp://x"])
    assert bad.exit_code != 0
