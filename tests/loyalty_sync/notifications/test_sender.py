"""The outbox sender against a real SMTP server (aiosmtpd, tests/support/smtp_server.py):
what arrives, in which language, with which links; retries, bounces, crashes."""

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from loyalty_sync.books.apply import apply_orders, apply_with_retry
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, EmailOptOut, OutboxMessage
from loyalty_sync.notifications.sender import claim, send_due
from tests.support.wc import line, order

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def buy(store, order_id, total, *, email="anna@example.com", hours_ago=1):
    apply_with_retry(
        lambda: apply_orders(
            store,
            [
                order(
                    order_id, lines=[line(order_id * 10, total)], email=email, created=NOW - timedelta(hours=hours_ago)
                )
            ],
            now=NOW,
        )
    )


def push_coupons():
    """What the pass's push does: the coupons are in the store now."""
    for coupon in db.session.execute(db.select(Coupon)).scalars():
        coupon.status = "pushed"
    db.session.commit()


def rows(kind=None):
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    db.session.expire_all()
    return db.session.execute(query).scalars().all()


def parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def path_of(url):
    return urlsplit(url).path


def test_points_and_a_reward_coupon_arrive_with_the_code_the_page_link_and_one_click_unsubscribe(
    app, client, store, emails, smtp_server
):
    buy(store, 1, "520.00")  # 520 points: a 5-off reward coupon (500 points), and Silver with its tier coupon
    outcome = send_due(now=NOW)
    # the coupons are not in the store yet: their emails wait, the others go
    assert outcome.waiting == 2 and outcome.sent == 2
    push_coupons()
    assert send_due(now=NOW + timedelta(minutes=1)).sent == 2

    assert len(smtp_server.received()) == 4
    [earned] = smtp_server.received(subject_has="You earned")
    assert str(earned["Subject"]) == "You earned 520 points at Kaffee Klatsch"
    assert earned["From"].addresses[0].addr_spec == "hello@kaffee.test"
    assert earned["From"].addresses[0].display_name == "Kaffee Klatsch"
    text, html = parts(earned)
    assert "Your balance is now 20 points." in text  # 520 - 500 redeemed
    assert "already become a reward coupon; it comes in its own email" in text  # so 520 and 20 add up
    assert "<style" not in html and 'style="' in html  # CSS inlined for mail clients

    member = find_member(store, "anna@example.com")
    reward = db.session.execute(db.select(Coupon).where(Coupon.source == "reward")).scalar_one()
    [coupon_mail] = [
        m
        for m in smtp_server.received(subject_has="Your reward is ready")
        if reward.code in m.get_body(preferencelist=("plain",)).get_content()
    ]
    text, html = parts(coupon_mail)
    assert "€5.00 off" in text and reward.code in html
    assert "Valid until" in text

    page_link = next(w for w in text.split() if w.startswith("http://loyalty.test/m/"))
    page = client.get(path_of(page_link))
    assert page.status_code == 200 and "20" in page.get_data(as_text=True)

    unsubscribe = coupon_mail["List-Unsubscribe"].strip("<>")
    assert coupon_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith("http://loyalty.test/u/")
    assert coupon_mail["Message-ID"] != earned["Message-ID"]
    confirm = client.get(path_of(unsubscribe))  # a GET (a link scanner) changes nothing
    assert confirm.status_code == 200 and db.session.get(EmailOptOut, member.id) is None
    # the mail client's one-click POST (RFC 8058)
    done = client.post(path_of(unsubscribe), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert db.session.get(EmailOptOut, member.id) is not None

    buy(store, 2, "40.00")  # unsubscribed: nothing is written, nothing sent
    assert send_due(now=NOW + timedelta(minutes=2)).sent == 0
    assert len(smtp_server.received()) == 4


def test_unsubscribing_after_the_row_was_written_still_suppresses_it(app, store, emails, smtp_server):
    buy(store, 1, "40.00")
    member = find_member(store, "anna@example.com")
    db.session.add(EmailOptOut(member_id=member.id, store_id=store.id))
    db.session.commit()
    assert send_due(now=NOW).suppressed == 1
    [row] = rows()
    assert (row.status, row.last_error) == ("suppressed", "the member unsubscribed")
    assert smtp_server.received() == []


def test_german_emails_use_german_words_money_and_dates(app, store, emails, smtp_server):
    emails.language = "de"
    db.session.commit()
    buy(store, 1, "520.00")
    push_coupons()
    send_due(now=NOW)
    [earned] = smtp_server.received(subject_has="gesammelt")
    assert str(earned["Subject"]) == "Sie haben 520 Punkte bei Kaffee Klatsch gesammelt"
    coupon_texts = [parts(m)[0] for m in smtp_server.received(subject_has="Prämie")]
    assert any("5,00\xa0€ Rabatt" in text for text in coupon_texts)
    assert all("Gültig bis" in text for text in coupon_texts)


def test_smtp_down_is_retried_later_and_nothing_is_lost(app, store, emails, smtp_server):
    buy(store, 1, "40.00")
    smtp_server.stop()
    outcome = send_due(now=NOW)
    assert outcome.retry == 1
    [row] = rows()
    assert row.status == "queued" and row.attempts == 1 and "unreachable" in row.last_error
    assert row.next_attempt_at > NOW
    assert send_due(now=NOW).retry == 0  # not before its back-off
    smtp_server.start()
    assert send_due(now=row.next_attempt_at).sent == 1
    [row] = rows()
    assert row.status == "sent" and row.last_error == ""
    assert len(smtp_server.received()) == 1


def test_a_5xx_is_recorded_as_bounced_and_never_retried(app, store, emails, smtp_server):
    buy(store, 1, "40.00", email="gone@example.com")
    smtp_server.refuse["gone@example.com"] = "550 5.1.1 <gone@example.com>: no such user"
    assert send_due(now=NOW).bounced == 1
    [row] = rows()
    assert row.status == "bounced" and row.last_error.startswith("550 5.1.1")
    assert send_due(now=NOW + timedelta(days=1)).bounced == 0
    assert smtp_server.received() == []


def test_a_row_claimed_by_a_worker_that_died_is_sent_exactly_once(app, store, emails, smtp_server):
    app.config["EMAIL_CLAIM_SECONDS"] = 300
    buy(store, 1, "40.00")
    [row] = rows()
    assert claim(row.id, NOW)  # the worker claimed it, then was killed before SMTP accepted it
    assert send_due(now=NOW + timedelta(seconds=60)).sent == 0  # another worker leaves a live claim alone
    assert smtp_server.received() == []
    outcome = send_due(now=NOW + timedelta(seconds=301))
    assert (outcome.released, outcome.sent) == (1, 1)
    assert send_due(now=NOW + timedelta(seconds=900)).sent == 0
    assert len(smtp_server.received()) == 1
    [row] = rows()
    assert row.status == "sent" and row.attempts == 2


def test_the_rate_limit_holds_a_stores_messages_for_the_next_minute(app, store, emails, smtp_server):
    emails.per_minute = 2
    db.session.commit()
    for i in range(1, 5):
        buy(store, i, "40.00", email=f"m{i}@example.com")
    assert send_due(now=NOW).sent == 2
    assert send_due(now=NOW).sent == 0
    assert send_due(now=NOW + timedelta(seconds=61)).sent == 2


def test_the_smtp_password_is_never_in_an_error(app, store, emails, smtp_server):
    smtp_server.stop()
    app.config["SMTP_URL"] = f"smtp://mailer:Very-Secret-9@127.0.0.1:{smtp_server.port}"
    buy(store, 1, "40.00")
    send_due(now=NOW)
    [row] = rows()
    assert row.status == "queued" and "Very-Secret-9" not in row.last_error


def test_a_message_that_kills_its_worker_every_time_is_given_up_after_its_attempts(app, store, emails, smtp_server):
    app.config.update(EMAIL_CLAIM_SECONDS=10, EMAIL_MAX_ATTEMPTS=3)
    buy(store, 1, "40.00")
    [row] = rows()
    at = NOW
    for attempt in range(3):  # claimed, and the worker dies, three times
        assert claim(row.id, at)
        at += timedelta(seconds=11)
        if attempt < 2:
            send_due(now=at, limit=0)  # only the release of stale claims
    send_due(now=at)
    [row] = rows()
    assert row.status == "failed" and "every attempt" in row.last_error
    assert smtp_server.received() == []


def test_an_unexpected_error_while_sending_is_retried_not_lost(app, store, emails, smtp_server):
    def broken(config, message):
        raise UnicodeEncodeError("ascii", "ü", 0, 1, "no SMTPUTF8")

    buy(store, 1, "40.00")
    assert send_due(now=NOW, send=broken).retry == 1
    [row] = rows()
    assert row.status == "queued" and "internal error" in row.last_error
    assert send_due(now=row.next_attempt_at).sent == 1
