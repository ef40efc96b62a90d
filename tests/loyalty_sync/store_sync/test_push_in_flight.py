"""Writes that cost the store less (issue #23 item 2), against woosim over
HTTP: batches in flight together within the client's one limit, a 429 that
slows everything down, and no write that changes nothing."""

import threading
from decimal import Decimal

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member
from loyalty_sync.store_sync.connection import client_for
from loyalty_sync.store_sync.push import PushResult, push_coupons, push_member_status
from loyalty_sync.store_sync.sync_pass import run_pass
from tests.support.members import make_member

pytestmark = pytest.mark.woosim_only(
    reason="injects slow answers and 429s and reads woosim's request timings (the control API)"
)

BATCH_PATH = "/wp-json/wc/v3/coupons/batch"


def _pending_coupons(store, n: int) -> None:
    member = make_member(store, "many@example.com", ["20.00"])
    db.session.add_all(
        Coupon(
            store_id=store.id,
            member_id=member.id,
            key=f"t:{i}",
            code=f"INFLIGHT{i:04d}",
            source="reward",
            discount_type="fixed_cart",
            amount=Decimal("5"),
            email=member.email,
            reason="test",
        )
        for i in range(n)
    )
    db.session.commit()


def _intervals(woosim, path: str | None = None) -> list[tuple[float, float, dict]]:
    log = woosim.control.requests(limit=5000)["log"]
    return sorted((e["t"], e["t"] + e["duration_ms"] / 1000, e) for e in log if path is None or e["path"] == path)


def _most_at_once(intervals) -> int:
    edges = sorted([(start, 1) for start, _end, _e in intervals] + [(end, -1) for _start, end, _e in intervals])
    now = most = 0
    for _at, step in edges:
        now += step
        most = max(most, now)
    return most


def test_coupon_batches_overlap_and_never_exceed_the_limit(app, store, woosim, shop):
    app.config.update(SYNC_CONCURRENCY=3, STORE_TIMEOUT_SECONDS=30)
    _pending_coupons(store, 750)
    woosim.control.set_faults(f"path={BATCH_PATH};kinds=slow;delay=0.3")
    woosim.control.clear_requests()
    result = PushResult()
    push_coupons(store, client_for(store), result)
    assert result.coupons_pushed == 750 and not result.errors
    batches = _intervals(woosim, BATCH_PATH)
    assert len(batches) == 8
    assert _most_at_once(batches) == 3  # overlapping, and never more than LOYALTY_SYNC_CONCURRENCY
    assert db.session.query(Coupon).filter_by(status="pushed").count() == 750
    assert len(shop.coupons()) == 750


def test_reads_and_writes_share_one_limit(app, store, woosim):
    app.config.update(SYNC_CONCURRENCY=2, STORE_TIMEOUT_SECONDS=30)
    woosim.control.seed("demo", customers=5, orders=600)
    _pending_coupons(store, 400)
    woosim.control.set_faults("kinds=slow;delay=0.2")
    woosim.control.clear_requests()
    client = client_for(store)
    reader = threading.Thread(target=lambda: sum(len(p) for p in client.iter_pages("orders")))
    reader.start()
    push_coupons(store, client, PushResult())
    reader.join()
    everything = _intervals(woosim)
    assert {e["method"] for _s, _e, e in everything} == {"GET", "POST"}
    assert _most_at_once(everything) <= 2
    assert client.pace.most_in_flight == 2


def test_a_429_pauses_every_write_and_halves_the_limit(app, store, woosim):
    app.config.update(SYNC_CONCURRENCY=4, STORE_TIMEOUT_SECONDS=30)
    _pending_coupons(store, 1200)
    woosim.control.set_faults(f"path={BATCH_PATH};nth=3;kinds=429;retry_after=1|path={BATCH_PATH};kinds=slow;delay=0.2")
    woosim.control.clear_requests()
    client = client_for(store)
    result = PushResult()
    push_coupons(store, client, result)
    assert result.coupons_pushed == 1200
    assert client.pace.backed_off >= 1
    batches = _intervals(woosim, BATCH_PATH)
    refused_at = next(end for _start, end, e in batches if e["status"] == 429)
    # (50 ms: a request already on its way when the 429 left the store)
    sent_in_pause = [e["n"] for start, _end, e in batches if refused_at + 0.05 < start < refused_at + 0.8]
    assert sent_in_pause == []  # Retry-After holds back every sender, not only the refused request's


def test_a_second_pass_right_after_the_first_writes_nothing(app, store, woosim):
    woosim.control.seed("demo", customers=40, orders=300)
    first = run_pass(store.id)
    assert first.counts["pushed_members"] > 0
    woosim.control.clear_requests()
    run_pass(store.id)
    writes = {path: n for path, n in woosim.control.request_counts().items() if not path.startswith("GET")}
    assert writes == {}


def test_a_status_changed_and_changed_back_is_not_written(app, store, woosim):
    """Two webhooks before a pass (points up, then the order cancelled) leave
    the member flagged with the status the store already shows."""
    woosim.control.seed("demo", customers=20, orders=100)
    run_pass(store.id)
    member = (
        db.session.execute(db.select(Member).where(Member.customer_id.is_not(None), Member.pushed_status.is_not(None)))
        .scalars()
        .first()
    )
    member.status_changed = True
    db.session.commit()
    woosim.control.clear_requests()
    result = PushResult()
    push_member_status(store, client_for(store), result)
    assert result.members_pushed == 0
    assert "POST /wp-json/wc/v3/customers/batch" not in woosim.control.request_counts()
    assert db.session.get(Member, member.id).status_changed is False
