"""The on-site widget's endpoints (/widget/v1) with the Flask test client:
the shop's signature is the only key; every refusal has a code; CORS for the
shop's origin only; redeem is idempotent and closed while the store is in
review; no secret in any answer."""

from __future__ import annotations

import time

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon
from loyalty_sync.signed_identity import sign_identity
from tests.support.members import make_registered_member

SHOP = "http://127.0.0.1:9"  # the OFFLINE store's url: its origin is the shop's


def identity(store, customer_id=7, email="anna@example.com", ts=None, secret=None) -> dict:
    ts = int(time.time()) if ts is None else ts
    signature = sign_identity(secret or store.widget_secret, store.id, customer_id, email, ts)
    return {"customer": customer_id, "email": email, "ts": ts, "signature": signature}


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == code
    return response


def _member(client, store, lang="en", **values):
    return client.post(f"/widget/v1/stores/{store.id}/member", json={"lang": lang, **values})


def _redeem(client, store, key="click-1", reward="500-points-5-off", **values):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/widget/v1/stores/{store.id}/redeem", json={"reward": reward, **values}, headers=headers)


# --- the signed member ------------------------------------------------------------------------------


def test_a_good_signature_gives_the_members_panel(client, store, anna):
    answer = _member(client, store, lang="de", cart_total="49.90", **identity(store)).get_json()
    member = answer["member"]
    assert member["points"] == {"spendable": 1087, "pending": 0}
    assert member["tier"]["name"] == "Silver" and member["tier"]["next"]["to_go_text"] == "50,00\xa0€"
    assert member["next_reward"] is None  # 1,087 points cover both rewards
    assert [r["affordable"] for r in answer["rewards"]] == [True, True]
    assert answer["rewards"][0]["value_text"] == "5,00\xa0€"
    code = member["referral"]["code"]
    assert member["referral"] == {
        "code": code,
        "link": f"{SHOP}/?loyalty_ref={code}",
        "friend_gets": "10%",
        "bonus": 200,
    }
    assert [c["source"] for c in member["coupons"]] == ["tierup"]  # the code for friends is not the member's
    assert answer["cart"] == {"points": 62, "cart_total": "49.90"}  # 49.90 x1.25 Silver, floored
    assert {w["kind"] for w in answer["ways_to_earn"]} >= {"orders", "referral", "review"}
    assert answer["vip"]["multiplier"] == "1.1" and answer["open"] is True


def test_the_answer_holds_no_secret_and_no_email(client, store, anna):
    text = _member(client, store, **identity(store)).get_data(as_text=True)
    for secret in (store.widget_secret, store.webhook_secret):
        assert secret and secret not in text
    assert "anna@example.com" not in text
    assert store.widget_secret not in client.get(f"/widget/v1/stores/{store.id}/program").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"signature": "0" * 64}, 401, "tampered"),
        ({"email": "mallory@example.com"}, 401, "tampered"),  # a changed field breaks the signature
        ({"customer": 8}, 401, "tampered"),
        ({"signature": "short"}, 400, "malformed"),
        ({"ts": "yesterday"}, 400, "malformed"),
        ({"email": None}, 400, "malformed"),
    ],
)
def test_a_changed_or_malformed_identity_is_refused_with_its_code(client, store, anna, change, status, code):
    _error(_member(client, store, **{**identity(store), **change}), status, code)


def test_an_old_or_future_signature_is_refused(client, store, anna):
    now = int(time.time())
    _error(_member(client, store, **identity(store, ts=now - 25 * 3600)), 401, "expired")
    _error(_member(client, store, **identity(store, ts=now + 3600)), 401, "future")
    assert _member(client, store, **identity(store, ts=now - 23 * 3600)).status_code == 200


def test_another_stores_secret_or_store_is_refused(client, store, other_store, anna):
    _error(_member(client, store, **identity(store, secret=other_store.widget_secret)), 401, "tampered")
    # signed by the shop for its own store id, sent to another store's URL
    _error(_member(client, other_store, **identity(store)), 401, "tampered")
    _error(client.post("/widget/v1/stores/999/member", json=identity(store)), 404, "unknown_store")


def test_a_member_of_another_store_is_not_a_member_here(client, store, other_store, anna):
    make_registered_member(other_store, 8, "bert@example.com", ["100.00"], first_order_id=5001, first_name="Bert")
    refused = _error(
        _member(client, store, **identity(store, customer_id=8, email="bert@example.com")), 404, "not_a_member"
    )
    assert "Bert" not in refused.get_data(as_text=True)


def test_rotating_the_secret_invalidates_old_signatures(client, store, anna):
    old = identity(store)
    store.widget_secret = "rotated-" + "y" * 30
    db.session.commit()
    _error(_member(client, store, **old), 401, "tampered")
    assert _member(client, store, **identity(store)).status_code == 200


# --- redeem -----------------------------------------------------------------------------------------


def test_redeem_twice_with_the_same_key_gives_one_coupon(client, store, anna):
    first = _redeem(client, store, **identity(store))
    assert first.status_code == 201, first.get_data(as_text=True)
    again = _redeem(client, store, **identity(store))
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["coupon"]["code"] == first.get_json()["coupon"]["code"]
    rewards = (
        db.session.execute(db.select(Coupon).where(Coupon.member_id == anna.id, Coupon.source == "reward"))
        .scalars()
        .all()
    )
    assert len(rewards) == 1 and first.get_json()["points"]["spendable"] == 587
    another = _redeem(client, store, key="click-2", **identity(store))
    assert another.status_code == 201 and another.get_json()["coupon"]["code"] != first.get_json()["coupon"]["code"]
    _error(_redeem(client, store, key="click-3", **identity(store)), 409, "not_enough_points")  # 87 left
    _error(
        _redeem(client, store, key="click-1", reward="1000-points-12-off", **identity(store)),
        422,
        "idempotency_key_reused",
    )


def test_redeem_needs_a_key_a_known_reward_and_a_good_signature(client, store, anna):
    _error(_redeem(client, store, key=None, **identity(store)), 400, "idempotency_key_required")
    _error(_redeem(client, store, reward="nothing", **identity(store)), 422, "unknown_reward")
    _error(_redeem(client, store, **identity(store, ts=int(time.time()) - 25 * 3600)), 401, "expired")
    _error(_redeem(client, store, key="k2", **{**identity(store), "customer": 8}), 401, "tampered")
    assert db.session.execute(db.select(Coupon).where(Coupon.source == "reward")).first() is None


def test_a_store_in_review_refuses_to_redeem(client, store, anna):
    store.history_mode = "review"
    db.session.commit()
    _error(_redeem(client, store, **identity(store)), 409, "store_in_review")
    answer = _member(client, store, **identity(store)).get_json()
    assert answer["open"] is False and not any(r["affordable"] for r in answer["rewards"])
    assert db.session.execute(db.select(Coupon).where(Coupon.source == "reward")).first() is None


# --- guests, CORS, rate limit, the script -------------------------------------------------------------


def test_a_guest_gets_the_program_and_the_points_of_the_cart(client, store):
    answer = client.get(f"/widget/v1/stores/{store.id}/program?cart_total=49.90&lang=de").get_json()
    assert answer["cart"] == {"points": 49, "cart_total": "49.90"}  # the entry tier, x1
    assert answer["language"] == "de" and "member" not in answer
    assert [t["name"] for t in answer["tiers"]] == ["Bronze", "Silver", "Gold"]
    assert client.get(f"/widget/v1/stores/{store.id}/program").get_json()["cart"] is None
    _error(client.get(f"/widget/v1/stores/{store.id}/program?cart_total=lots"), 422, "invalid_request")
    _error(client.get(f"/widget/v1/stores/{store.id}/program?cart_total=NaN"), 422, "invalid_request")


def test_cors_answers_the_shops_origin_only(client, store, other_store, anna):
    other_store.url = "https://other.example"
    db.session.commit()
    preflight = client.options(
        f"/widget/v1/stores/{store.id}/redeem",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    ok = client.post(f"/widget/v1/stores/{store.id}/member", json=identity(store), headers={"Origin": SHOP})
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == SHOP
    elsewhere = client.options(
        f"/widget/v1/stores/{other_store.id}/member", headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in elsewhere.headers  # another store's shop lives elsewhere
    foreign = client.post(
        f"/widget/v1/stores/{store.id}/member", json=identity(store), headers={"Origin": "https://evil.example"}
    )
    _error(foreign, 403, "origin_not_allowed")
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_the_widget_is_rate_limited_per_visitor(client, app, store):
    app.config["WIDGET_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.get(f"/widget/v1/stores/{store.id}/program").status_code == 200
    limited = _error(client.get(f"/widget/v1/stores/{store.id}/program"), 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    other_visitor = client.get(f"/widget/v1/stores/{store.id}/program", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other_visitor.status_code == 200


def test_the_script_and_styles_are_served_for_any_shop(client):
    script = client.get("/widget/v1/widget.js")
    assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")
    assert script.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "max-age=3600" in script.headers["Cache-Control"]
    assert client.get("/widget/v1/widget.css").mimetype == "text/css"
    _error(client.get("/widget/v1/member.js"), 404, "not_found")
    code = script.get_data(as_text=True).split("*/", 1)[1]  # past the header comment
    assert "innerHTML" not in code and "eval(" not in code and "new Function" not in code
    assert "http" not in code  # no address of anything elsewhere: the app's own is taken from the tag
