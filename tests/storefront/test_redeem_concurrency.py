"""Redeem under 20 concurrent requests, on SQLite and PostgreSQL, each thread
with its own app context (its own session and connection), as in production:
with one Idempotency-Key exactly one coupon, with different keys exactly as
many coupons as the balance covers, never a balance below zero. And the
coupon reaches the store before the answer, or waits in the outbox when the
store is down."""

from __future__ import annotations

import threading

import pytest

from loyalty_sync.actions.api_tokens import create_token
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, IdempotencyKey, LedgerEntry, Member
from tests.storefront.conftest import bearer
from tests.support.members import make_registered_member
from tests.support.stores import make_store, store_on
from woosim.testing import WooSimServer

THREADS = 20


def _fire(app, token: str, keys: list[str | None], reward: str = "500-points-5-off") -> list[tuple[int, dict, dict]]:
    answers: list = [None] * len(keys)
    start = threading.Barrier(len(keys))

    def worker(i: int, key: str | None) -> None:
        with app.app_context():
            client = app.test_client()
            headers = bearer(token)
            if key:
                headers["Idempotency-Key"] = key
            start.wait()
            response = client.post("/api/v1/members/7/redeem", json={"reward": reward}, headers=headers)
            answers[i] = (response.status_code, response.get_json(), dict(response.headers))
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, key)) for i, key in enumerate(keys)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(a is not None for a in answers), "a request never answered"
    return answers


@pytest.fixture
def rich(app, store):
    app.config["STOREFRONT_API_RATE_LIMIT"] = "1000 per minute"
    # 2600 + 400 = 3000 EUR -> 2600 x1 + 400 x1.5 (Gold) = 3200 points: six 500-point rewards, 200 left
    member = make_registered_member(store, 7, "anna@example.com", ["2600.00", "400.00"], first_order_id=1001)
    assert member.points == 3200
    _, text = create_token(store, "redeem")
    db.session.commit()
    return member, text


def _coupons(member_id: int) -> list[Coupon]:
    db.session.expire_all()
    return list(
        db.session.execute(db.select(Coupon).where(Coupon.member_id == member_id, Coupon.source == "reward")).scalars()
    )


def test_twenty_concurrent_requests_with_one_key_redeem_once(app, store, rich):
    member, token = rich
    answers = _fire(app, token, ["checkout-123"] * THREADS)
    assert [a[0] for a in answers] == [201] * THREADS
    codes = {a[1]["coupon"]["code"] for a in answers}
    assert len(codes) == 1
    assert sum(1 for a in answers if a[2].get("Idempotent-Replayed") == "true") == THREADS - 1
    assert len(_coupons(member.id)) == 1
    assert db.session.get(Member, member.id).points == 2700
    assert db.session.execute(db.select(db.func.count()).select_from(IdempotencyKey)).scalar() == 1


def test_twenty_concurrent_requests_with_different_keys_never_overspend(app, store, rich):
    member, token = rich
    answers = _fire(app, token, [f"key-{i}" for i in range(THREADS)])
    statuses = sorted(a[0] for a in answers)
    assert statuses == [201] * 6 + [409] * (THREADS - 6)
    assert len(_coupons(member.id)) == 6
    lines = (
        db.session.execute(
            db.select(LedgerEntry).where(LedgerEntry.member_id == member.id, LedgerEntry.kind == "redeem")
        )
        .scalars()
        .all()
    )
    assert sorted(line.key for line in lines) == [f"redeem:m{member.id}:{n}" for n in range(1, 7)]
    refreshed = db.session.get(Member, member.id)
    assert (
        refreshed.points
        == 200
        == sum(
            e.points
            for e in db.session.execute(db.select(LedgerEntry).where(LedgerEntry.member_id == member.id)).scalars()
        )
    )
    for status, body, _headers in answers:
        if status == 409:
            assert (
                body["error"]["code"] == "not_enough_points"
                and "200 can be spent now" in body["error"]["message"]
                or "can be spent now" in body["error"]["message"]
            )


def test_twenty_concurrent_requests_without_keys_also_never_overspend(app, store, rich):
    member, token = rich
    answers = _fire(app, token, [None] * THREADS, reward="1000-points-12-off")
    assert sorted(a[0] for a in answers) == [201] * 3 + [409] * (THREADS - 3)
    assert len(_coupons(member.id)) == 3 and db.session.get(Member, member.id).points == 200


@pytest.fixture
def sim():
    with WooSimServer() as server:
        yield server


def test_the_coupon_is_in_the_store_before_the_answer(app, sim, client):
    app.config.update(STORE_BACKOFF_BASE=0.01, STORE_BACKOFF_MAX=0.05)
    shop = store_on(sim, "sim", auto_redeem=False)
    make_registered_member(shop, 7, "anna@example.com", ["600.00"], first_order_id=1001)
    _, token = create_token(shop, "redeem")
    db.session.commit()
    response = client.post(
        "/api/v1/members/7/redeem",
        json={"reward": "500-points-5-off"},
        headers={**bearer(token), "Idempotency-Key": "k1"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["pushed"] is True and body["coupon"]["status"] == "pushed"
    from tests.support.store_api import StoreScript

    remote = StoreScript(sim.url, sim.key, sim.secret).coupons(code=body["coupon"]["code"])
    assert [c["code"] for c in remote] == [body["coupon"]["code"]]
    assert remote[0]["email_restrictions"] == ["anna@example.com"] and remote[0]["amount"].startswith("5")
    replay = client.post(
        "/api/v1/members/7/redeem",
        json={"reward": "500-points-5-off"},
        headers={**bearer(token), "Idempotency-Key": "k1"},
    )
    assert replay.get_json() == body


def test_store_down_leaves_the_coupon_in_the_outbox(app, client):
    app.config.update(STORE_BACKOFF_BASE=0.01, STORE_BACKOFF_MAX=0.05, STOREFRONT_PUSH_TIMEOUT_SECONDS=1)
    shop = make_store("down", "http://127.0.0.1:9", auto_redeem=False)  # nothing listens on port 9
    make_registered_member(shop, 7, "anna@example.com", ["600.00"], first_order_id=1001)
    _, token = create_token(shop, "redeem")
    db.session.commit()
    response = client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=bearer(token))
    assert response.status_code == 201
    body = response.get_json()
    assert body["pushed"] is False and body["coupon"]["status"] == "pending"
    coupon = db.session.execute(db.select(Coupon).where(Coupon.code == body["coupon"]["code"])).scalar_one()
    assert coupon.status == "pending"  # the next sync pass pushes it
