"""The storefront REST API: every endpoint and every error (auth, scope,
cross-store isolation, validation, rate limit), and the OpenAPI document."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from openapi_spec_validator import validate

from loyalty_sync.actions.api_tokens import create_token, revoke_token
from loyalty_sync.extensions import db
from loyalty_sync.models import ApiToken, Coupon, LedgerEntry, Member, Order
from tests.storefront.conftest import bearer
from tests.support.members import make_registered_member, order_day
from tests.support.stores import OFFLINE, make_store


def _error(response, status, code, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["field"] == field
    return body["error"]


# --- auth -----------------------------------------------------------------------------------


def test_no_token_bad_token_and_revoked_token_are_401(client, store, anna, read_token):
    error = _error(client.get("/api/v1/members/7"), 401, "unauthorized")
    assert "Bearer" in error["message"]
    assert client.get("/api/v1/members/7").headers["WWW-Authenticate"].startswith("Bearer")
    _error(client.get("/api/v1/members/7", headers=bearer("lsk_wrong")), 401, "unauthorized")
    _error(client.get("/api/v1/members/7", headers={"Authorization": f"Basic {read_token}"}), 401, "unauthorized")
    assert client.get("/api/v1/members/7", headers=bearer(read_token)).status_code == 200
    token = db.session.execute(db.select(ApiToken)).scalars().first()
    revoke_token(token)
    db.session.commit()
    _error(client.get("/api/v1/members/7", headers=bearer(read_token)), 401, "unauthorized")


def test_token_is_stored_hashed_and_last_use_is_noted(client, store, read_token):
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert read_token not in (token.token_hash, token.prefix) and token.token_hash != read_token
    assert read_token.startswith(token.prefix)
    assert token.last_used_at is None
    client.get("/api/v1/rewards", headers=bearer(read_token))
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_read_scope_cannot_redeem_or_answer(client, store, anna, read_token):
    _error(
        client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=bearer(read_token)),
        403,
        "insufficient_scope",
    )
    _error(
        client.post("/api/v1/members/7/nps", json={"score": 9}, headers=bearer(read_token)), 403, "insufficient_scope"
    )
    assert db.session.execute(db.select(LedgerEntry).where(LedgerEntry.kind == "redeem")).first() is None


def test_a_token_only_sees_its_own_store(client, store, other_store, anna, read_token):
    make_registered_member(other_store, 8, "bob@example.com", ["100.00"], first_order_id=2001)
    own = client.get("/api/v1/members/anna@example.com", headers=bearer(read_token))
    assert own.status_code == 200
    foreign = client.get("/api/v1/members/bob@example.com", headers=bearer(read_token))
    unknown = client.get("/api/v1/members/nobody@example.com", headers=bearer(read_token))
    foreign_id = client.get("/api/v1/members/8", headers=bearer(read_token))
    unknown_id = client.get("/api/v1/members/999", headers=bearer(read_token))
    for response in (foreign, unknown, foreign_id, unknown_id):
        _error(response, 404, "unknown_member", "ref")
    # exactly the same answer: nothing tells a foreign member from an unknown one
    assert foreign.get_data() == unknown.get_data() == foreign_id.get_data() == unknown_id.get_data()
    _, other_text = create_token(other_store, "redeem")
    db.session.commit()
    _error(client.get("/api/v1/members/7/ledger", headers=bearer(other_text)), 404, "unknown_member", "ref")
    _error(
        client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=bearer(other_text)),
        404,
        "unknown_member",
        "ref",
    )
    _error(
        client.post("/api/v1/members/anna@example.com/nps", json={"score": 3}, headers=bearer(other_text)),
        404,
        "unknown_member",
        "ref",
    )


# --- reading ---------------------------------------------------------------------------------


def test_member_status(client, store, anna, read_token):
    body = client.get("/api/v1/members/7", headers=bearer(read_token)).get_json()
    # 400 x1 (Bronze) + 300 x1.25 + 250 x1.25 (Silver since the first order) = 400 + 375 + 312
    assert body["points"] == {"balance": 1087, "spendable": 1087, "pending": 0}
    assert body["customer_id"] == 7 and body["email"] == "anna@example.com" and body["currency"] == "EUR"
    assert body["tier"]["name"] == "Silver" and body["tier"]["multiplier"] == "1.25"
    assert body["tier"]["metric"] == "spend" and body["tier"]["current"] == "950.00"
    nxt = body["tier"]["next"]
    assert nxt["name"] == "Gold" and nxt["to_go"] == {"spend": "50.00"}
    # the first order leaves the 12-month window then
    assert nxt["before"] == (order_day(0) + relativedelta(months=12)).date().isoformat()
    assert nxt["progress_percent"] == 92  # (950 - 300) / (1000 - 300)
    assert body["vip"] == {"active": False, "until": None, "multiplier": "1.1"}
    tierup = [c for c in body["coupons"] if c["source"] == "tierup"]
    assert [c["amount"] for c in tierup] == ["5.00"] and tierup[0]["usable_now"] is False
    assert tierup[0]["expires"] is not None
    assert "First order" in body["badges"] and "Silver tier" in body["badges"]
    assert body["expiring"]["points"] == 0
    same = client.get("/api/v1/members/Anna@Example.com", headers=bearer(read_token)).get_json()
    assert same == body


def test_points_expiring_in_the_next_30_days(client, store, read_token):
    # orders a year ago: their points expire 12 months after they were earned
    member = make_registered_member(store, 9, "old@example.com", ["100.00"], first_order_id=3001)
    from datetime import timedelta

    from loyalty_sync.books.apply import reevaluate

    entry = db.session.execute(db.select(LedgerEntry).where(LedgerEntry.member_id == member.id)).scalars().first()
    soon = entry.at.replace(year=entry.at.year + 1) - timedelta(days=10)
    from storefront.members import member_status

    status = member_status(store, member, now=soon)
    assert status["expiring"]["points"] == 100
    assert status["expiring"]["first_date"].startswith(entry.at.replace(year=entry.at.year + 1).date().isoformat())
    reevaluate(store, [member], now=soon)  # nothing is due yet
    assert member_status(store, member, now=soon)["points"]["balance"] == 100


def test_ledger_is_paginated_newest_first_with_reasons(client, store, anna, read_token):
    first = client.get("/api/v1/members/7/ledger?per_page=2", headers=bearer(read_token)).get_json()
    assert first["total"] == 3 and first["pages"] == 2 and first["page"] == 1
    assert [i["points"] for i in first["items"]] == [312, 375]
    assert first["items"][0]["order_id"] == 1003 and "order #1003" in first["items"][0]["reason"]
    assert first["items"][0]["multiplier"] == "1.25"
    second = client.get("/api/v1/members/7/ledger?page=2&per_page=2", headers=bearer(read_token)).get_json()
    assert [i["points"] for i in second["items"]] == [400]
    empty = client.get("/api/v1/members/7/ledger?page=9", headers=bearer(read_token)).get_json()
    assert empty["items"] == []
    _error(client.get("/api/v1/members/7/ledger?page=0", headers=bearer(read_token)), 422, "invalid_request", "page")
    _error(client.get("/api/v1/members/7/ledger?page=x", headers=bearer(read_token)), 422, "invalid_request", "page")


def test_rewards_catalogue(client, store, read_token):
    body = client.get("/api/v1/rewards", headers=bearer(read_token)).get_json()
    assert body["currency"] == "EUR" and body["program_version"] == 2
    assert [(r["id"], r["points"], r["coupon"]["amount"]) for r in body["rewards"]] == [
        ("500-points-5-off", 500, "5.00"),
        ("1000-points-12-off", 1000, "12.00"),
    ]
    assert body["rewards"][0]["coupon"]["expires_after_days"] == 90


# --- redeem ----------------------------------------------------------------------------------


def test_redeem_books_the_points_and_issues_the_coupon(client, store, anna, redeem_token):
    response = client.post(
        "/api/v1/members/7/redeem", json={"reward": "1000-points-12-off"}, headers=bearer(redeem_token)
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["reward"] == {"id": "1000-points-12-off", "name": "12 off the cart", "points": 1000}
    assert body["points"]["balance"] == 87 and body["points"]["spendable"] == 87
    assert body["coupon"]["amount"] == "12.00" and body["coupon"]["code"].startswith("pts-")
    # no store keys here: the coupon waits in the outbox
    assert body["pushed"] is False and body["coupon"]["status"] == "pending"
    line = db.session.execute(db.select(LedgerEntry).where(LedgerEntry.kind == "redeem")).scalar_one()
    assert line.points == -1000 and line.key == body["ledger_key"] == "redeem:m1:1"
    assert "storefront API" in line.reason
    db.session.expire_all()
    assert db.session.get(Member, anna.id).points == 87
    assert db.session.get(Member, anna.id).status_changed is True  # the new balance is pushed as meta
    _error(
        client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=bearer(redeem_token)),
        409,
        "not_enough_points",
        "reward",
    )


def test_redeem_validation(client, store, anna, redeem_token):
    headers = bearer(redeem_token)
    _error(client.post("/api/v1/members/7/redeem", json={}, headers=headers), 422, "invalid_request", "reward")
    _error(
        client.post("/api/v1/members/7/redeem", json={"reward": 5}, headers=headers), 422, "invalid_request", "reward"
    )
    _error(
        client.post("/api/v1/members/7/redeem", json={"reward": "x", "extra": 1}, headers=headers),
        422,
        "invalid_request",
        "extra",
    )
    _error(
        client.post("/api/v1/members/7/redeem", json={"reward": "no-such"}, headers=headers),
        422,
        "unknown_reward",
        "reward",
    )
    bad_json = client.post(
        "/api/v1/members/7/redeem", data="{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400 and bad_json.get_json()["error"]["code"] == "bad_request"
    _error(
        client.post(
            "/api/v1/members/7/redeem",
            json={"reward": "500-points-5-off"},
            headers={**headers, "Idempotency-Key": "x" * 201},
        ),
        422,
        "invalid_request",
        "Idempotency-Key",
    )
    assert db.session.execute(db.select(Coupon).where(Coupon.source == "reward")).first() is None


def test_idempotency_key_replays_the_first_answer(client, store, anna, redeem_token):
    headers = {**bearer(redeem_token), "Idempotency-Key": "order-42-redeem"}
    first = client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=headers)
    again = client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert (
        db.session.execute(db.select(db.func.count()).select_from(Coupon).where(Coupon.source == "reward")).scalar()
        == 1
    )
    # the same key for another request is refused, never served the wrong answer
    _error(
        client.post("/api/v1/members/7/redeem", json={"reward": "1000-points-12-off"}, headers=headers),
        422,
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    # a new key redeems again (587 left: 500 more can go)
    other = client.post(
        "/api/v1/members/7/redeem",
        json={"reward": "500-points-5-off"},
        headers={**bearer(redeem_token), "Idempotency-Key": "order-43-redeem"},
    )
    assert other.status_code == 201 and other.get_json()["points"]["balance"] == 87
    # a refused redemption is an answer too: the retry gets the same 409
    refused = {**bearer(redeem_token), "Idempotency-Key": "order-44-redeem"}
    r1 = client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=refused)
    r2 = client.post("/api/v1/members/7/redeem", json={"reward": "500-points-5-off"}, headers=refused)
    assert r1.status_code == r2.status_code == 409 and r1.get_json() == r2.get_json()


# --- points preview --------------------------------------------------------------------------


def test_points_preview_for_a_member_guest_and_unknown(client, store, anna, read_token):
    cart = {
        "lines": [{"product_id": 5, "quantity": 2, "total": "80.00"}, {"product_id": 6, "quantity": 1, "total": 19.99}]
    }
    before = [
        db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
        for t in (LedgerEntry, Order, Member, Coupon)
    ]
    member = client.post("/api/v1/points-preview", json={**cart, "customer": 7}, headers=bearer(read_token)).get_json()
    assert member["points"] == 124  # floor(99.99 x 1.25 Silver)
    assert member["tier"] == "Silver" and member["tier_multiplier"] == "1.25" and member["member_known"] is True
    assert member["vip"] is False and member["vip_multiplier"] == "1"
    assert [(ln["product_id"], ln["eligible"], ln["multiplier"]) for ln in member["lines"]] == [
        (5, "80.00", "1"),
        (6, "19.99", "1"),
    ]
    guest = client.post(
        "/api/v1/points-preview", json={**cart, "customer": None}, headers=bearer(read_token)
    ).get_json()
    assert guest["points"] == 99 and guest["tier"] == "Bronze" and guest["member_known"] is False
    unknown = client.post(
        "/api/v1/points-preview", json={**cart, "customer": "new@example.com"}, headers=bearer(read_token)
    ).get_json()
    assert unknown["points"] == 99 and unknown["member_known"] is False
    after = [
        db.session.execute(db.select(db.func.count()).select_from(t)).scalar()
        for t in (LedgerEntry, Order, Member, Coupon)
    ]
    assert before == after  # never writes


def test_points_preview_shows_which_multiplier_applied(client, app, read_token):
    from datetime import datetime, timezone
    from decimal import Decimal

    from loyalty_sync.engine.program import MultiplierRule

    shop = make_store(
        "promo",
        **OFFLINE,
        auto_redeem=False,
        multipliers=(
            MultiplierRule(Decimal(2), product_id=5, label="double on coffee"),
            MultiplierRule(
                Decimal(3), product_id=5, starts=datetime(2026, 6, 1, tzinfo=timezone.utc), label="triple in June"
            ),
        ),
    )
    _, text = create_token(shop, "read")
    db.session.commit()
    cart = {
        "lines": [
            {"product_id": 5, "quantity": 1, "total": "10.00"},
            {"product_id": 6, "quantity": 1, "total": "10.00"},
        ]
    }
    may = client.post("/api/v1/points-preview", json={**cart, "date": "2026-05-10"}, headers=bearer(text)).get_json()
    assert may["points"] == 30
    assert [(ln["multiplier"], ln["rules"]) for ln in may["lines"]] == [("2", ["double on coffee"]), ("1", [])]
    june = client.post(
        "/api/v1/points-preview", json={**cart, "date": "2026-06-10T10:00:00Z"}, headers=bearer(text)
    ).get_json()
    assert june["points"] == 40 and june["lines"][0]["rules"] == ["triple in June"]


def test_points_preview_validation(client, store, read_token):
    headers = bearer(read_token)
    _error(client.post("/api/v1/points-preview", json={"lines": []}, headers=headers), 422, "invalid_request", "lines")
    _error(
        client.post("/api/v1/points-preview", json={"customer": None}, headers=headers), 422, "invalid_request", "lines"
    )
    _error(
        client.post(
            "/api/v1/points-preview", json={"lines": [{"product_id": 1, "quantity": 1, "total": "-1"}]}, headers=headers
        ),
        422,
        "invalid_request",
        "lines.0.total",
    )
    _error(
        client.post(
            "/api/v1/points-preview", json={"lines": [{"product_id": 1, "quantity": 0, "total": "1"}]}, headers=headers
        ),
        422,
        "invalid_request",
        "lines.0.quantity",
    )
    _error(
        client.post(
            "/api/v1/points-preview",
            json={"lines": [{"product_id": "x", "quantity": 1, "total": "1"}]},
            headers=headers,
        ),
        422,
        "invalid_request",
        "lines.0.product_id",
    )
    _error(
        client.post(
            "/api/v1/points-preview",
            json={"lines": [{"product_id": 1, "quantity": 1, "total": "1"}], "date": "yesterday"},
            headers=headers,
        ),
        422,
        "invalid_request",
        "date",
    )


# --- NPS -------------------------------------------------------------------------------------


def test_nps_by_api_once_per_period_with_bonus(client, store, anna, redeem_token):
    headers = bearer(redeem_token)
    first = client.post("/api/v1/members/7/nps", json={"score": 9, "comment": "great coffee"}, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    body = first.get_json()
    assert body["category"] == "promoter" and body["bonus_points"] == 20
    bonus = db.session.execute(db.select(LedgerEntry).where(LedgerEntry.kind == "bonus")).scalar_one()
    assert bonus.key == f"nps:m{anna.id}:{body['period_start']}" and bonus.points == 20
    assert "survey" in bonus.reason
    _error(client.post("/api/v1/members/7/nps", json={"score": 3}, headers=headers), 409, "already_answered")
    _error(client.post("/api/v1/members/7/nps", json={"score": 11}, headers=headers), 422, "invalid_request", "score")
    _error(client.post("/api/v1/members/7/nps", json={"score": "9"}, headers=headers), 422, "invalid_request", "score")


# --- rate limit, unknown routes, the document -------------------------------------------------


def test_rate_limit_per_token_with_retry_after(client, app, store, read_token, redeem_token):
    app.config["STOREFRONT_API_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.get("/api/v1/rewards", headers=bearer(read_token)).status_code == 200
    limited = client.get("/api/v1/rewards", headers=bearer(read_token))
    _error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # another token has its own budget
    assert client.get("/api/v1/rewards", headers=bearer(redeem_token)).status_code == 200


def test_unknown_endpoint_is_a_json_404(client, store, read_token):
    _error(client.get("/api/v1/nothing/here", headers=bearer(read_token)), 404, "not_found")
    wrong = client.delete("/api/v1/rewards", headers=bearer(read_token))
    _error(wrong, 405, "method_not_allowed")
    assert wrong.headers["Allow"] == "GET"


def test_openapi_document_is_valid_and_covers_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/members/{ref}",
        "/api/v1/members/{ref}/ledger",
        "/api/v1/rewards",
        "/api/v1/members/{ref}/redeem",
        "/api/v1/points-preview",
        "/api/v1/members/{ref}/nps",
    }
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    redeem = spec["paths"]["/api/v1/members/{ref}/redeem"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in redeem["parameters"]]
    assert {"201", "404", "409", "422"} <= set(redeem["responses"])
    # generated from the schemas that validate: the request schema says what the 422s above enforce
    cart = spec["components"]["schemas"]["CartLine"]
    assert cart["required"] == ["product_id", "quantity", "total"] and cart["properties"]["quantity"]["minimum"] == 1
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"/api/v1/points-preview" in docs.data


def test_cli_create_list_revoke(app, runner, store):
    result = runner.invoke(args=["api-tokens", "create", "--store", "shop", "--scope", "read", "--name", "cart widget"])
    assert result.exit_code == 0, result.output
    text = result.output.strip().splitlines()[-1]
    assert text.startswith("lsk_")
    listed = runner.invoke(args=["api-tokens", "list", "--store", "shop"])
    assert "cart widget" in listed.output and "active" in listed.output and "never" in listed.output
    assert text not in listed.output
    app.test_client().get("/api/v1/rewards", headers=bearer(text))
    assert "never" not in runner.invoke(args=["api-tokens", "list", "--store", "shop"]).output
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    revoked = runner.invoke(args=["api-tokens", "revoke", str(token.id), "--store", "shop"])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    assert "revoked" in runner.invoke(args=["api-tokens", "list", "--store", "shop"]).output
    assert app.test_client().get("/api/v1/rewards", headers=bearer(text)).status_code == 401
    bad = runner.invoke(args=["api-tokens", "create", "--store", "shop", "--scope", "admin"])
    assert bad.exit_code != 0
    assert runner.invoke(args=["api-tokens", "revoke", "999", "--store", "shop"]).exit_code != 0


def test_answered_keys_are_forgotten_after_a_week_unfinished_ones_are_kept(client, store, anna, redeem_token):
    from datetime import datetime, timedelta, timezone

    from loyalty_sync.actions.redemption import KEY_DAYS, purge_answered_keys
    from loyalty_sync.models import IdempotencyKey

    first = client.post(
        "/api/v1/members/7/redeem",
        json={"reward": "500-points-5-off"},
        headers={**bearer(redeem_token), "Idempotency-Key": "week-old"},
    )
    assert first.status_code == 201
    now = datetime.now(timezone.utc)
    db.session.add(
        IdempotencyKey(store_id=store.id, key="never-finished", state="booked", created_at=now - timedelta(days=30))
    )
    db.session.commit()
    assert purge_answered_keys(store.id, now) == 0  # the answered key is fresh
    assert purge_answered_keys(store.id, now + timedelta(days=KEY_DAYS, minutes=1)) == 1
    db.session.commit()
    left = db.session.execute(db.select(IdempotencyKey.key)).scalars().all()
    assert left == ["never-finished"]
