"""Adjust, VIP invite/remove, re-send a coupon, anonymise: books, audit, pages."""

from __future__ import annotations

import pytest

from loyalty_sync.actions import member_actions
from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Coupon, LedgerEntry, Member, Order, VipPeriod
from tests.admin.conftest import token_for
from tests.admin.factories import make_failed_coupon, populate
from tests.support.members import NOW, make_member
from tests.support.stores import make_store


def _audit(action: str) -> AuditEntry:
    return (
        db.session.execute(db.select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id.desc()))
        .scalars()
        .first()
    )


def _ledger_sum(member: Member) -> int:
    return db.session.execute(
        db.select(db.func.coalesce(db.func.sum(LedgerEntry.points), 0)).where(LedgerEntry.member_id == member.id)
    ).scalar_one()


def test_adjust_books_a_keyed_ledger_line_updates_the_balance_and_audits(app):
    store = make_store()
    member = make_member(store, "anna@example.com", ["120.00"])
    before = member.points
    entry = member_actions.adjust_points(store, member, 50, "goodwill after a late delivery", actor="boss@shop.example")
    db.session.commit()
    assert entry.kind == "adjust" and entry.key.startswith("adjust:") and entry.actor == "boss@shop.example"
    assert member.points == before + 50 == _ledger_sum(member)
    audit = _audit("member.adjust_points")
    assert audit.before == {"points": before}
    assert audit.after["points"] == before + 50 and audit.reason == "goodwill after a late delivery"
    assert audit.actor == "boss@shop.example" and audit.target == f"member:{member.id}"


def test_adjust_that_reaches_a_reward_triggers_auto_redeem(app):
    store = make_store()
    member = make_member(store, "anna@example.com", ["120.00"])  # 120 points under the defaults
    member_actions.adjust_points(store, member, 400, "welcome gift", actor="a@b.c")
    db.session.commit()
    coupons = db.session.execute(db.select(Coupon).where(Coupon.member_id == member.id)).scalars().all()
    assert [c.points_cost for c in coupons if c.source == "reward"] == [500]
    assert member.points == 20 == _ledger_sum(member)


@pytest.mark.parametrize(
    "amount, reason, message",
    [(0, "x", "changes nothing"), (5, "  ", "reason is required"), ("ten", "x", "whole number")],
)
def test_adjust_refuses_bad_input(app, amount, reason, message):
    store = make_store()
    member = make_member(store, "anna@example.com", ["10.00"])
    with pytest.raises(member_actions.ActionRefused, match=message):
        member_actions.adjust_points(store, member, amount, reason, actor="a@b.c")


def test_vip_invitation_and_removal_are_periods_and_audited(app):
    store = make_store()
    member = make_member(store, "anna@example.com", ["50.00"])
    assert not member.vip
    period = member_actions.invite_to_vip(store, member, "influencer", actor="a@b.c", now=NOW)
    db.session.commit()
    assert member.vip and period.source == "invited" and (period.end - period.start).days == 365
    invite = _audit("member.vip_invite")
    assert invite.before["vip"] is False and invite.after["vip"] is True and invite.reason == "influencer"

    still = member_actions.remove_from_vip(store, member, "campaign over", actor="a@b.c", now=NOW)
    db.session.commit()
    assert still is False and not member.vip
    periods = db.session.execute(db.select(VipPeriod).where(VipPeriod.member_id == member.id)).scalars().all()
    assert periods and all(p.end is not None and p.end <= NOW for p in periods)
    removal = _audit("member.vip_remove")
    assert removal.before["vip"] is True and removal.after["vip"] is False


def test_resend_puts_a_failed_coupon_back_in_the_outbox_keeping_the_error_in_the_audit(app):
    store = make_store()
    member = make_member(store, "anna@example.com", ["10.00"])
    coupon = make_failed_coupon(store, member, "coupon_invalid_amount: Invalid amount")
    member_actions.resend_coupon(store, coupon, actor="a@b.c")
    db.session.commit()
    assert coupon.status == "pending" and coupon.push_attempts == 0
    audit = _audit("coupon.resend")
    assert audit.before["last_error"] == "coupon_invalid_amount: Invalid amount"
    with pytest.raises(member_actions.ActionRefused, match="Only a coupon that failed"):
        member_actions.resend_coupon(store, coupon, actor="a@b.c")


def test_anonymise_removes_personal_data_and_keeps_the_books(app):
    store = make_store()
    member = make_member(store, "anna@example.com", ["120.00", "80.00"])
    member.meta, member.billing_address = {"birthday": "1990-01-01"}, "hauptstrasse 5, 10115, berlin"
    db.session.commit()
    points, ledger_rows = member.points, _ledger_sum(member)
    keys = set(db.session.execute(db.select(LedgerEntry.key).where(LedgerEntry.member_id == member.id)).scalars())
    member_actions.anonymise(store, member, "GDPR request #12", actor="a@b.c")
    db.session.commit()
    assert member.email == f"anonymised-{member.id}@invalid"
    assert (member.first_name, member.last_name, member.billing_address, member.meta, member.birthday) == (
        "",
        "",
        "",
        {},
        None,
    )
    assert member.anonymised_at is not None
    assert member.points == points and _ledger_sum(member) == ledger_rows
    assert (
        set(db.session.execute(db.select(LedgerEntry.key).where(LedgerEntry.member_id == member.id)).scalars()) == keys
    )
    orders = db.session.execute(db.select(Order).where(Order.member_id == member.id)).scalars().all()
    assert orders and all(o.email == member.email and o.billing_address == "" for o in orders)
    audit = _audit("member.anonymise")
    assert "anna@example.com" not in str(audit.before) + str(audit.after)
    assert audit.reason == "GDPR request #12"
    with pytest.raises(member_actions.ActionRefused, match="already"):
        member_actions.anonymise(store, member, "again", actor="a@b.c")


# --- through the panel -----------------------------------------------------------------------


def test_adjust_from_the_member_page_shows_the_new_ledger_line(admin_client):
    data = populate()
    anna = data["anna"]
    url = f"/admin/members/{anna.id}/"
    response = admin_client.post(
        url + "adjust",
        data={"csrf_token": token_for(admin_client, url), "amount": "-7", "reason": "double-booked return"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "-7 points booked" in page and "double-booked return" in page
    assert _audit("member.adjust_points").actor == "admin@example.com"


def test_adjust_without_reason_is_refused_with_a_message(admin_client):
    data = populate()
    url = f"/admin/members/{data['anna'].id}/"
    page = admin_client.post(
        url + "adjust",
        data={"csrf_token": token_for(admin_client, url), "amount": "5", "reason": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "A reason is required" in page
    assert _audit("member.adjust_points") is None


def test_vip_invite_and_anonymise_from_the_panel(admin_client):
    data = populate()
    ben = data["ben"]
    url = f"/admin/members/{ben.id}/"
    page = admin_client.post(
        url + "vip/invite", data={"csrf_token": token_for(admin_client, url), "reason": "press"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "is VIP until" in page and _audit("member.vip_invite").actor == "admin@example.com"
    refused = admin_client.post(
        url + "anonymise", data={"csrf_token": token_for(admin_client, url), "reason": "gdpr"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Tick the confirmation box" in refused
    page = admin_client.post(
        url + "anonymise",
        data={"csrf_token": token_for(admin_client, url), "reason": "gdpr", "confirm": "yes"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Personal data removed" in page and "ben@example.com" not in page


def test_resend_from_the_coupon_list_as_a_bulk_action(admin_client):
    data = populate()
    token = token_for(admin_client, "/admin/coupons/")
    response = admin_client.post(
        "/admin/coupons/action/",
        data={"csrf_token": token, "action": "resend", "rowid": str(data["coupon"].id)},
        follow_redirects=True,
    )
    assert "will be sent to the store again" in response.get_data(as_text=True)
    db.session.refresh(data["coupon"])
    assert data["coupon"].status == "pending"


def test_member_page_explains_the_balance_with_a_running_total(admin_client):
    data = populate()
    anna = data["anna"]
    page = admin_client.get(f"/admin/members/{anna.id}/").get_data(as_text=True)
    assert "Why this balance" in page and "Balance" in page
    assert "coupon_invalid_amount" in page  # the store's error on the failed coupon
    assert "Re-send" in page
