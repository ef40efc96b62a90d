"""A store in review writes nothing anywhere (issue 19): a campaign, a manual
balance adjustment, a VIP invitation and the storefront's redeem are refused
with a sentence that says why and what to do, in the panel (flash or form
error), the CLI (an error) and the API (409, code `store_in_review`).

The members are booked while the store is live and the store is then put
back in review, so each refusal is the guard's and not an empty balance's."""

from __future__ import annotations

from loyalty_sync.actions.api_tokens import create_token
from loyalty_sync.extensions import db
from loyalty_sync.models import Campaign, Coupon, LedgerEntry, VipPeriod
from tests.admin.conftest import token_for
from tests.storefront.conftest import bearer
from tests.support.members import make_member, make_registered_member
from tests.support.stores import OFFLINE, make_store

SAID = "is in review: nothing is booked or sent to the store"


def _store_in_review():
    store = make_store("shop", **OFFLINE, auto_redeem=False)
    anna = make_registered_member(store, 7, "anna@example.com", ["400.00", "300.00", "250.00"], first_order_id=1001)
    ben = make_member(store, "ben@example.com", ["40.00"])
    store.history_mode = "review"
    db.session.commit()
    return store, anna, ben


def _writes() -> tuple[int, int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()
        for model in (LedgerEntry, Coupon, Campaign, VipPeriod)
    )


def test_the_panel_refuses_adjustments_vip_and_campaigns_with_a_message(admin_client):
    store, anna, _ = _store_in_review()
    before = _writes()
    token = token_for(admin_client, f"/admin/members/{anna.id}/")
    for action, form in (("adjust", {"amount": "50", "reason": "goodwill"}), ("vip/invite", {"reason": "friend"})):
        page = admin_client.post(
            f"/admin/members/{anna.id}/{action}", data={"csrf_token": token, **form}, follow_redirects=True
        ).get_data(as_text=True)
        assert f"shop {SAID}" in page and "you cannot" in page, action
    campaign = {
        "csrf_token": token,
        "store": store.id,
        "segment": "",
        "min_points": "0",
        "discount_type": "fixed_cart",
        "amount": "5",
        "expires_days": "30",
        "minimum_amount": "0",
        "name": "hello",
    }
    for step in ("confirm", "send"):
        response = admin_client.post(f"/admin/campaigns/new/{step}", data={**campaign, "confirmation": "abc"})
        assert response.status_code == 422 and SAID in response.get_data(as_text=True), step
    assert _writes() == before


def test_the_cli_refuses_a_campaign(app, runner):
    _store_in_review()
    before = _writes()
    result = runner.invoke(
        args=[
            "campaigns",
            "send",
            "--store",
            "shop",
            "--segment",
            "hibernating",
            "--type",
            "fixed_cart",
            "--amount",
            "5",
            "--no-push",
        ]
    )
    assert result.exit_code != 0 and SAID in result.output and "stores history shop --mode MODE" in result.output
    assert _writes() == before


def test_the_api_answers_409_store_in_review_to_a_redeem(client):
    store, anna, _ = _store_in_review()
    assert anna.points >= 1000
    _token, text = create_token(store, "redeem", name="test redeem")
    db.session.commit()
    before = _writes()
    response = client.post(
        "/api/v1/members/7/redeem",
        json={"reward": "1000-points-12-off"},
        headers={**bearer(text), "Idempotency-Key": "k-1"},
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "store_in_review" and SAID in error["message"]
    assert _writes() == before


def test_a_survey_answer_in_review_is_kept_but_books_no_bonus(app):
    from loyalty_sync.actions import nps
    from loyalty_sync.models import NpsAnswer

    store, anna, _ = _store_in_review()
    before = _writes()
    answer = nps.record_answer(store, anna, 9, "great coffee")
    assert answer.id and answer.bonus_points == 0
    assert db.session.execute(db.select(db.func.count()).select_from(NpsAnswer)).scalar_one() == 1
    assert _writes() == before  # no bonus line
