"""The "points expire in N days" email: queued by the daily upkeep N days
before (14 by default), once per expiry date, and sent like any other."""

from datetime import datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta

from loyalty_sync.books.apply import apply_orders, apply_with_retry
from loyalty_sync.extensions import db
from loyalty_sync.models import OutboxMessage, Store
from loyalty_sync.notifications.expiry_reminders import queue_expiry_reminders
from loyalty_sync.notifications.sender import send_due
from sync_jobs.tasks import daily_upkeep
from tests.support.wc import line, order

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def earned_a_year_ago_less(store, days):
    """40 points that expire (12 months, FIFO) `days` days after NOW."""
    created = NOW - relativedelta(months=12) + timedelta(days=days)
    apply_with_retry(lambda: apply_orders(store, [order(1, lines=[line(10, "40.00")], created=created)], now=NOW))


def reminders():
    db.session.expire_all()
    return db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "points_expiring")).scalars().all()


def test_the_upkeep_queues_a_reminder_n_days_before_and_it_arrives(app, store, emails, smtp_server):
    store = db.session.get(Store, store.id)
    store.consumer_key = store.consumer_secret = ""  # no store to push to or reconcile with: the books only
    db.session.commit()
    earned_a_year_ago_less(store, 20)
    daily_upkeep(store.id, now=NOW)
    assert reminders() == []  # 20 days ahead: not yet (14 by default)

    later = NOW + timedelta(days=7)  # 13 days before the expiry
    run = daily_upkeep(store.id, now=later)
    assert run.counts["expiry_reminders_queued"] == 1
    [row] = reminders()
    expires_on = (NOW + timedelta(days=20)).date()
    assert row.payload == {"points": 40, "expires_on": expires_on.isoformat()}
    daily_upkeep(store.id, now=later + timedelta(days=1))  # the next day finds the same points: nothing new
    assert len(reminders()) == 1

    assert send_due(now=later).sent == 1
    [mail] = smtp_server.received()
    assert str(mail["Subject"]) == f"40 points expire on {expires_on:%B} {expires_on.day}, {expires_on.year}"
    assert "Your balance now: 40 points." in mail.get_body(preferencelist=("plain",)).get_content()


def test_no_reminder_when_the_store_switched_them_off(app, store, emails, smtp_server):
    emails.points_expiring = False
    db.session.commit()
    earned_a_year_ago_less(store, 10)

    assert queue_expiry_reminders(store, NOW) == 0
    assert reminders() == []
