"""The event emails beyond points and rewards, each end to end into the real
SMTP server: tier at risk (daily upkeep), VIP welcome, birthday (with its
coupon), campaign coupon, referral reward, NPS invite. Each is queued once
per event, in the event's transaction, and only when the store sends it."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit

from loyalty_sync.actions.campaigns import create_campaign, issue_coupons
from loyalty_sync.actions.nps import record_answer
from loyalty_sync.actions.nps_invites import queue_nps_invites
from loyalty_sync.books.apply import apply_orders, apply_with_retry
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.referrals import referral_coupon_for
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, OutboxMessage
from loyalty_sync.notifications.sender import send_due
from loyalty_sync.notifications.tier_risk_reminders import queue_tier_risk_reminders
from tests.loyalty_sync.program.helpers import customers, replan, set_program
from tests.support.wc import customer, line, order

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def buy(store, order_id, total, *, email="anna@example.com", created=None, **kw):
    created = created or NOW - timedelta(hours=1)
    record = order(order_id, lines=[line(order_id * 10, total)], email=email, created=created, **kw)
    apply_with_retry(lambda: apply_orders(store, [record], now=NOW))


def push_coupons():
    for coupon in db.session.execute(db.select(Coupon)).scalars():
        coupon.status = "pushed"
    db.session.commit()


def rows(kind=None):
    db.session.expire_all()
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.execute(query).scalars().all()


def text_of(mail):
    return mail.get_body(preferencelist=("plain",)).get_content()


def test_tier_at_risk_says_the_spend_still_needed_and_the_date(app, store, emails, smtp_server):
    set_program(store, tier_grace_days=0)
    buy(store, 1, "400.00", created=NOW - timedelta(days=358))  # Silver (300) until it leaves the 12 months
    assert rows("tier_at_risk") == []
    assert queue_tier_risk_reminders(store, NOW) == 1
    db.session.commit()
    assert queue_tier_risk_reminders(store, NOW + timedelta(days=1)) == 0  # the same forecast: once
    [row] = rows("tier_at_risk")
    assert row.payload["short"] == "300.00" and row.payload["tier"] == "Silver"

    assert send_due(now=NOW).sent == 1
    [mail] = smtp_server.received(to="anna@example.com")
    assert str(mail["Subject"]) == "Keep your Silver status at Kaffee Klatsch"
    drops_on = datetime.fromisoformat(row.payload["drops_on"]).date()
    assert f"Spend €300.00 more by {drops_on:%B} {drops_on.day}, {drops_on.year} and you stay Silver." in text_of(mail)


def test_tier_at_risk_in_german(app, store, emails, smtp_server):
    emails.language = "de"
    db.session.commit()
    set_program(store, tier_grace_days=0)
    buy(store, 1, "400.00", created=NOW - timedelta(days=358))
    queue_tier_risk_reminders(store, NOW)
    db.session.commit()
    assert send_due(now=NOW).sent == 1
    [mail] = smtp_server.received()
    assert str(mail["Subject"]) == "Behalten Sie Ihren Silver-Status bei Kaffee Klatsch"
    assert "für 300,00\xa0€ mehr ein" in text_of(mail)


def test_vip_welcome_when_a_vip_period_starts(app, store, emails, smtp_server):
    set_program(store, vip_min_spend=Decimal(100), vip_min_orders=1)
    buy(store, 1, "150.00")
    [row] = rows("vip_welcome")
    assert row.key.startswith("vip_welcome:") and row.payload["source"] == "qualified"
    replan(store, NOW + timedelta(hours=1))
    assert len(rows("vip_welcome")) == 1  # re-planned: the same period, no second welcome

    push_coupons()
    send_due(now=NOW)
    [mail] = smtp_server.received(subject_has="Welcome to VIP")
    assert str(mail["Subject"]) == "Welcome to VIP at Kaffee Klatsch"


def test_no_vip_welcome_for_an_old_vip_period_of_a_first_sync(app, store, emails):
    set_program(store, vip_min_spend=Decimal(100), vip_min_orders=1)
    buy(store, 1, "150.00", created=NOW - timedelta(days=40))
    assert rows("vip_welcome") == []


def test_birthday_email_carries_the_birthday_coupon_instead_of_a_coupon_email(app, store, emails, smtp_server):
    today = NOW.date()
    birthday = f"1990-{today.month:02d}-{today.day:02d}"
    customers(store, [customer(2, "anna@example.com", birthday=birthday, created=NOW - timedelta(days=100))], NOW)
    replan(store, NOW)
    [row] = rows("birthday")
    assert rows("coupon_ready") == []
    assert row.payload["coupon_key"] == f"birthday:m{row.member_id}:{today.year}"
    assert send_due(now=NOW).waiting == 1  # the coupon is not in the store yet
    push_coupons()
    assert send_due(now=NOW + timedelta(minutes=1)).sent == 1
    [mail] = smtp_server.received()
    code = db.session.execute(db.select(Coupon.code).where(Coupon.source == "birthday")).scalar_one()
    assert str(mail["Subject"]) == "Happy birthday from Kaffee Klatsch"
    assert f"Your code: {code}" in text_of(mail) and "€5.00 off" in text_of(mail)


def test_birthday_off_sends_the_coupon_as_a_reward_email(app, store, emails):
    emails.birthday = False
    db.session.commit()
    today = NOW.date()
    birthday = f"1990-{today.month:02d}-{today.day:02d}"
    customers(store, [customer(2, "anna@example.com", birthday=birthday, created=NOW - timedelta(days=100))], NOW)
    replan(store, NOW)
    assert rows("birthday") == [] and len(rows("coupon_ready")) == 1


def test_campaign_coupon_email_once_per_member_with_the_code(app, store, emails, smtp_server):
    buy(store, 1, "20.00", created=NOW - timedelta(days=30))
    buy(store, 2, "20.00", email="bob@example.com", created=NOW - timedelta(days=30))
    campaign = create_campaign(
        store, discount_type="fixed_cart", amount=Decimal("7"), name="Spring", member_filter={"min_points": 0}, now=NOW
    )
    db.session.commit()
    assert issue_coupons(store, campaign, now=NOW) == 2
    issue_coupons(store, campaign, now=NOW)  # re-run: nothing new
    assert len(rows("campaign_coupon")) == 2
    push_coupons()
    assert send_due(now=NOW).sent == 2
    [mail] = smtp_server.received(to="bob@example.com")
    code = db.session.execute(
        db.select(Coupon.code).where(Coupon.source == "campaign", Coupon.email == "bob@example.com")
    ).scalar_one()
    assert str(mail["Subject"]) == "A coupon for you: €7.00 off at Kaffee Klatsch"
    assert f"Your code: {code}" in text_of(mail)


def test_campaign_coupon_email_off(app, store, emails):
    emails.campaign_coupon = False
    db.session.commit()
    buy(store, 1, "20.00", created=NOW - timedelta(days=30))
    campaign = create_campaign(
        store, discount_type="fixed_cart", amount=Decimal("7"), member_filter={"min_points": 0}, now=NOW
    )
    db.session.commit()
    issue_coupons(store, campaign, now=NOW)
    assert rows("campaign_coupon") == []


def test_referral_reward_email_when_the_friends_first_order_earns_the_bonus(app, store, emails, smtp_server):
    customers(store, [customer(2, "anna@example.com", created=NOW - timedelta(days=100))], NOW - timedelta(days=1))
    anna = find_member(store, "anna@example.com")
    referral_coupon_for(store, anna, program_in_force(store)[1], NOW)
    db.session.commit()
    buy(
        store,
        50,
        "100.00",
        email="bob@example.com",
        customer_id=3,
        first_name="Bob",
        address="Gartenweg 9",
        coupons=[anna.referral_code],
    )
    [row] = rows("referral_reward")
    assert row.member_id == anna.id and row.payload == {"points": 200, "order_id": 50}
    assert [r.to_address for r in rows("points_earned")] == ["bob@example.com"]  # anna: no digest of the same bonus

    send_due(now=NOW)
    [mail] = smtp_server.received(to="anna@example.com")
    assert str(mail["Subject"]) == "Your friend shopped with us: 200 points for you"
    assert "Your balance now: 200 points." in text_of(mail)


def test_nps_invite_once_per_period_with_a_working_survey_link(app, client, store, emails, smtp_server):
    buy(store, 1, "20.00", created=NOW - timedelta(days=3))
    buy(store, 2, "20.00", email="old@example.com", created=NOW - timedelta(days=900))  # nothing recent to judge
    assert queue_nps_invites(store, NOW) == 1
    db.session.commit()
    assert queue_nps_invites(store, NOW + timedelta(days=1)) == 0
    [row] = rows("nps_invite")
    assert row.to_address == "anna@example.com"

    assert send_due(now=NOW).sent >= 1
    [mail] = smtp_server.received(subject_has="A quick question")
    assert str(mail["Subject"]) == "A quick question from Kaffee Klatsch"
    survey = next(w for w in text_of(mail).split() if w.startswith("http://loyalty.test/s/"))
    assert client.get(urlsplit(survey).path).status_code == 200


def test_an_answer_before_the_invite_leaves_suppresses_it(app, store, emails, smtp_server):
    buy(store, 1, "20.00", created=NOW - timedelta(days=3))
    queue_nps_invites(store, NOW)
    db.session.commit()
    record_answer(store, find_member(store, "anna@example.com"), 9, now=NOW)
    send_due(now=NOW)
    [row] = rows("nps_invite")
    assert row.status == "suppressed" and "answered" in row.last_error
    assert smtp_server.received(subject_has="A quick question") == []
