"""Returned points and auto-redeem: an unused coupon's points come back at its
expiry and wait for the member's next earning (DECISIONS.md, "Returned points
and auto-redeem")."""

from dataclasses import replace
from decimal import Decimal as D

from engine_factories import books, day, line, order, settle, with_orders

from loyalty_sync.engine.ledger import LedgerLine
from loyalty_sync.engine.program import DEFAULT_PROGRAM, Tier
from loyalty_sync.engine.rewards import redeem

# the defaults: auto-redeem and points back on expiry both on, coupons valid 90 days
FLAT = replace(DEFAULT_PROGRAM, tiers=(Tier("Member", D(0), D(1)),), vip_exclusive_coupon=None)
PENDING = replace(FLAT, pending_days=14)


def reward_coupons(b):
    return [c.key for c in b.coupons if c.source == "reward"]


def first_coupon_expired(program=FLAT):
    """500 points earned on day 0, auto-redeemed once spendable (day 0, or after
    the return window); the coupon is never used and expires 90 days later."""
    b, _ = settle(books(order(1, line(1, "500.00"))), day(0), program)
    b, _ = settle(b, day(program.pending_days), program)
    assert reward_coupons(b) == ["redeem:m1:1"] and b.balance == 0
    b, plan = settle(b, day(program.pending_days + 90), program)
    assert plan.coupon_status == {"redeem:m1:1": "expired"}
    assert [(ln.kind, ln.points) for ln in plan.ledger] == [("restore", 500)]
    return b


def test_returned_points_are_not_turned_straight_into_a_new_coupon():
    b = first_coupon_expired()
    assert reward_coupons(b) == ["redeem:m1:1"] and b.balance == 500
    for n in (180, 270, 300):  # the member does not come back: no coupon, quarter after quarter
        b, plan = settle(b, day(n), FLAT)
        assert plan.coupons == []
    assert reward_coupons(b) == ["redeem:m1:1"] and b.balance == 500


def test_the_member_may_still_spend_returned_points():
    b = first_coupon_expired()
    ledger_line, coupon = redeem(FLAT.rewards[0], b, FLAT, day(100))
    assert (ledger_line.points, coupon.points_cost) == (-500, 500)


def test_a_new_earning_lets_auto_redeem_take_the_whole_balance():
    b = first_coupon_expired()
    b, plan = settle(with_orders(b, order(2, line(1, "10.00"), created=day(100))), day(100), FLAT)
    assert [(c.key, c.points_cost) for c in plan.coupons] == [("redeem:m1:2", 500)]
    assert b.balance == 10
    # that coupon expires unused too: its points wait again
    b, plan = settle(b, day(190), FLAT)
    assert [(ln.kind, ln.points) for ln in plan.ledger] == [("restore", 500)] and plan.coupons == []
    assert b.balance == 510


def test_a_bonus_counts_as_new_points():
    b = first_coupon_expired()
    bonus = LedgerLine("bonus:birthday:m1:2026", "bonus", 50, day(95), reason="birthday bonus")
    b, plan = settle(replace(b, ledger=b.ledger + (bonus,)), day(95), FLAT)
    assert [c.points_cost for c in plan.coupons] == [500] and b.balance == 50


def test_inside_the_return_window_new_points_do_not_count_yet():
    b = first_coupon_expired(PENDING)  # points back on day 104
    b, plan = settle(with_orders(b, order(2, line(1, "10.00"), created=day(110))), day(110), PENDING)
    assert plan.coupons == []
    b, plan = settle(b, day(124), PENDING)  # the 10 points are spendable: the member is back
    assert [c.points_cost for c in plan.coupons] == [500]


def test_an_order_cancelled_inside_the_return_window_wins_nothing_back():
    b = first_coupon_expired(PENDING)
    b, _ = settle(with_orders(b, order(2, line(1, "10.00"), created=day(110))), day(110), PENDING)
    cancelled = order(2, line(1, "10.00"), created=day(110), status="cancelled", modified=day(115))
    b, _ = settle(with_orders(b, cancelled), day(115), PENDING)
    b, plan = settle(b, day(130), PENDING)
    assert plan.coupons == [] and b.balance == 500
