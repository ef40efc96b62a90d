"""No member email twice, none lost, when the worker is SIGKILLed in the
middle of sending: `flask --app wsgi sync worker` (SQLite: the in-process
worker) sends the outbox to a real SMTP server, which holds the third
message before accepting it; the worker is killed right then, and a new
one started. Every message arrives exactly once (by Message-ID), the held
one after the restart (loyalty_sync/notifications/sender.py)."""

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from loyalty_sync.books.apply import apply_orders, apply_with_retry
from loyalty_sync.extensions import db
from loyalty_sync.models import EmailSettings, OutboxMessage
from tests.support.smtp_server import smtp_server  # noqa: F401 - the fixture
from tests.support.stores import make_store
from tests.support.wc import line, order
from tests.sync_jobs.worker_support import WorkerProcess, wait_for

pytestmark = pytest.mark.slow
MEMBERS = 6


def statuses():
    db.session.expire_all()
    return Counter(db.session.execute(db.select(OutboxMessage.status)).scalars())


def test_a_worker_killed_while_the_server_receives_a_message_sends_each_message_exactly_once(
    app,
    database_url,
    tmp_path,
    smtp_server,  # noqa: F811 - the fixture
):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite worker; on PostgreSQL the same sender runs in a Procrastinate job")
    store = make_store("shop", "http://shop.test", key="", secret="")  # no passes: only the emails job runs
    db.session.add(EmailSettings(store_id=store.id, enabled=True, sender_address="hello@shop.test"))
    db.session.commit()
    now = datetime.now(timezone.utc)
    orders = [
        order(i, lines=[line(i * 10, "40.00")], email=f"m{i}@example.com", created=now - timedelta(hours=1))
        for i in range(1, MEMBERS + 1)
    ]
    apply_with_retry(lambda: apply_orders(store, orders, now=now))
    assert statuses() == {"queued": MEMBERS}
    db.session.remove()

    smtp_server.hold_at = 3
    env = {
        "LOYALTY_SMTP_URL": smtp_server.url,
        "LOYALTY_PUBLIC_BASE_URL": "http://loyalty.test",
        "LOYALTY_EMAIL_CLAIM_SECONDS": 2,
        "LOYALTY_WORKER_SQLITE_POLL_SECONDS": 0.2,
    }
    first = WorkerProcess(database_url, tmp_path, extra_env=env, name="emails-1")
    try:
        first.wait_started()
        assert smtp_server.held.wait(30), first.output()
        first.kill()  # while the server still receives message 3: it is not accepted
    finally:
        first.stop()
        smtp_server.release.set()
    assert len(smtp_server.received()) == 2
    assert statuses() == {"sent": 2, "sending": 1, "queued": MEMBERS - 3}

    second = WorkerProcess(database_url, tmp_path, extra_env=env, name="emails-2")
    try:
        second.wait_started()
        wait_for(lambda: statuses() == {"sent": MEMBERS}, 30, message="all emails sent")
    finally:
        second.stop()
    ids = Counter(str(m["Message-ID"]) for m in smtp_server.received())
    assert len(ids) == MEMBERS and set(ids.values()) == {1}
    assert sorted(str(m["To"]) for m in smtp_server.received()) == sorted(
        f"m{i}@example.com" for i in range(1, MEMBERS + 1)
    )
