"""Member emails are written into the outbox in the transaction of the plan
that causes them: once per event, only recent events, only when the store
sends them, never to a member who unsubscribed."""

from datetime import timedelta

import pytest

from loyalty_sync.books.apply import apply_orders, apply_with_retry
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import EmailOptOut, EmailSettings, OutboxMessage
from tests.support.wc import day, line, order

NOW = day(30)


@pytest.fixture
def emails_on(store):
    db.session.add(EmailSettings(store_id=store.id, enabled=True))
    db.session.commit()


def apply(store, orders, now=NOW):
    return apply_with_retry(lambda: apply_orders(store, orders, now=now))


def outbox():
    return db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


def test_a_reward_coupon_and_the_days_points_are_queued_once(store, emails_on):
    apply(store, [order(1, lines=[line(10, "600.00")], created=NOW - timedelta(hours=2))])
    member = find_member(store, "anna@example.com")
    rows = outbox()
    # 600 points: a 5-off reward coupon; 600 EUR: Silver, with its tier-up coupon
    assert sorted(r.kind for r in rows) == ["coupon_ready", "coupon_ready", "points_earned", "tier_up"]
    earned = next(r for r in rows if r.kind == "points_earned")
    assert earned.payload["points"] == 600 and earned.to_address == "anna@example.com"
    assert earned.key == f"points_earned:m{member.id}:{NOW.date().isoformat()}"
    coupons = sorted(r.payload["coupon_key"].split(":")[0] for r in rows if r.kind == "coupon_ready")
    assert coupons == ["redeem", "tierup"]

    apply(store, [order(1, lines=[line(10, "600.00")], created=NOW - timedelta(hours=2))])  # the same again
    apply(store, [order(2, lines=[line(20, "50.00")], created=NOW - timedelta(hours=1))])  # same day: the digest
    rows = outbox()
    assert len(rows) == 4
    assert next(r for r in rows if r.kind == "points_earned").payload["points"] == 600 + 62  # 50 EUR x1.25 Silver


def test_a_digest_already_sent_is_left_alone_and_the_next_day_gets_the_new_points(store, emails_on):
    apply(store, [order(1, lines=[line(10, "40.00")], created=NOW - timedelta(hours=2))])
    [first] = outbox()
    first.status = "sent"
    db.session.commit()
    apply(store, [order(2, lines=[line(20, "30.00")], created=NOW - timedelta(hours=1))])
    first, second = outbox()
    assert first.payload["points"] == 40
    assert second.payload["points"] == 30 and second.key.endswith((NOW.date() + timedelta(days=1)).isoformat())
    assert second.next_attempt_at > NOW


def test_history_from_a_first_sync_queues_nothing(store, emails_on):
    apply(store, [order(i, lines=[line(i * 10, "300.00")], created=day(i)) for i in range(1, 5)])
    assert outbox() == []


def test_nothing_when_the_store_does_not_send_or_the_member_unsubscribed(store):
    apply(store, [order(1, lines=[line(10, "40.00")], created=NOW - timedelta(hours=2))])
    assert outbox() == []  # emails are off until the shop turns them on
    db.session.add(EmailSettings(store_id=store.id, enabled=True))
    member = find_member(store, "anna@example.com")
    db.session.add(EmailOptOut(member_id=member.id, store_id=store.id))
    db.session.commit()
    apply(store, [order(2, lines=[line(20, "40.00")], created=NOW - timedelta(hours=1))])
    assert outbox() == []


def test_tier_up_is_queued_when_a_recent_order_lifts_the_member(store, emails_on):
    apply(store, [order(1, lines=[line(10, "100.00")], created=NOW - timedelta(days=10))])
    assert outbox() == []  # too old to tell
    apply(store, [order(2, lines=[line(20, "250.00")], created=NOW - timedelta(hours=1))])
    [tier_up] = [r for r in outbox() if r.kind == "tier_up"]
    assert tier_up.payload == {"tier": "Silver", "from": "Bronze"}
