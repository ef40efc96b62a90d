"""Auto-redeem, explicit redemption, points expiry and coupon restores."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal as D

import pytest
from dateutil.relativedelta import relativedelta
from engine_factories import T0, books, day, line, order, settle, with_orders

from loyalty_sync.engine.ledger import CouponLine, LedgerLine
from loyalty_sync.engine.program import DEFAULT_PROGRAM, Tier
from loyalty_sync.engine.rewards import NotEnoughPoints, auto_redeem_choices, redeem

FLAT = replace(DEFAULT_PROGRAM, tiers=(Tier("Member", D(0), D(1)),), vip_exclusive_coupon=None)
NO_REDEEM = replace(FLAT, auto_redeem=False)
YEAR = relativedelta(months=12)


def adjust(key, points, at):
    return LedgerLine(key, "adjust", points, at, reason="admin: goodwill")


@pytest.mark.parametrize(
    "spendable,expected",
    [
        (499, []),  # below the lowest reward
        (500, [500]),
        (999, [500]),  # 999 covers only the 500 one; 499 left
        (1200, [1000]),  # PRODUCT.md: one 12-off coupon, 200 left
        (1500, [1000, 500]),  # 1000 then the 500 left covers 500
        (2600, [1000, 1000, 500]),  # 2600 -> 1600 -> 600 -> 100 left
        (-300, []),  # negative balance: nothing
    ],
)
def test_auto_redeem_choices(spendable, expected):
    assert [r.points for r in auto_redeem_choices(spendable, FLAT)] == expected


def test_auto_redeem_1200_gives_one_12_off_coupon_and_200_left():
    b, plan = settle(books(order(1, line(1, "1200.00"))), day(1), FLAT)
    redeem_lines = [ln for ln in plan.ledger if ln.kind == "redeem"]
    assert [(ln.key, ln.points, ln.coupon_key) for ln in redeem_lines] == [("redeem:m1:1", -1000, "redeem:m1:1")]
    coupon = plan.coupons[0]
    assert (coupon.key, coupon.source, coupon.template.amount, coupon.points_cost) == (
        "redeem:m1:1",
        "reward",
        D(12),
        1000,
    )
    assert coupon.expires == day(1) + timedelta(days=90) and coupon.status == "pending"
    assert b.balance == 200


def test_redeem_numbers_continue():
    b, _ = settle(books(order(1, line(1, "600.00"))), day(1), FLAT)  # redeem:m1:1, 100 left
    b, plan = settle(with_orders(b, order(2, line(1, "2500.00"), created=day(2))), day(2), FLAT)
    # 100 + 2500 = 2600 -> 1000, 1000, 500, 100 left
    assert [(ln.key, ln.points) for ln in plan.ledger if ln.kind == "redeem"] == [
        ("redeem:m1:2", -1000),
        ("redeem:m1:3", -1000),
        ("redeem:m1:4", -500),
    ]
    assert b.balance == 100


def test_explicit_redeem_and_not_enough_points():
    b, _ = settle(books(order(1, line(1, "700.00"))), day(1), NO_REDEEM)
    line_, coupon = redeem(FLAT.rewards[0], b, NO_REDEEM, day(2))
    assert (line_.key, line_.points, coupon.points_cost, coupon.template.amount) == ("redeem:m1:1", -500, 500, D(5))
    with pytest.raises(NotEnoughPoints, match="12 off the cart costs 1000 points; 700 can be spent now"):
        redeem(FLAT.rewards[1], b, NO_REDEEM, day(2))


def test_coupon_minimum_spend_applies_to_issued_coupons():
    program = replace(FLAT, coupon_minimum_amount=D(20))
    _, plan = settle(books(order(1, line(1, "500.00"))), day(1), program)
    assert plan.coupons[0].template.minimum_amount == D(20)


def test_fifo_expiry_of_partly_used_lots():
    # lot A: order 1 earns 300 on day 0; lot B: order 2 earns 200 on day 100;
    # an admin takes 100 on day 200 -> from the oldest lot A (200 left in A).
    b = books(order(1, line(1, "300.00")), order(2, line(1, "200.00"), created=day(100)))
    b, _ = settle(b, day(150), NO_REDEEM)
    b = replace(b, ledger=b.ledger + (adjust("adjust:1", -100, day(200)),))
    # one second before A is 12 months old: nothing expires
    b, plan = settle(b, T0 + YEAR - timedelta(seconds=1), NO_REDEEM)
    assert plan.is_empty
    # at 12 months: what is left of A (200) expires, dated at that moment
    b, plan = settle(b, T0 + YEAR, NO_REDEEM)
    assert [(ln.key, ln.kind, ln.points, ln.at) for ln in plan.ledger] == [
        ("expire:order:1:1", "expire", -200, T0 + YEAR)
    ]
    assert b.balance == 200
    # 12 months after B: B's 200 expire
    b, plan = settle(b, day(100) + YEAR, NO_REDEEM)
    assert [(ln.key, ln.points) for ln in plan.ledger] == [("expire:order:2:1", -200)]
    assert b.balance == 0


def test_fifo_expiry_catching_up_late_and_paying_debt():
    # a debt of 50 (admin took 50 before anything was earned) is paid by lot A first:
    # A (300 on day 0) -> 250; a redeem-like -100 on day 10 -> A 150. B (100 on day 20).
    b = books(
        order(1, line(1, "300.00")),
        order(2, line(1, "100.00"), created=day(20)),
        ledger=(adjust("adjust:0", -50, T0 - timedelta(days=1)),),
    )
    b = replace(b, ledger=b.ledger + (adjust("adjust:1", -100, day(10)),))
    # the planner runs only two years later: A expires 150, B expires 100, each at its own moment
    b, plan = settle(b, T0 + YEAR + YEAR, NO_REDEEM)
    assert [(ln.key, ln.kind, ln.points, ln.at) for ln in plan.ledger if ln.kind == "expire"] == [
        ("expire:order:1:1", "expire", -150, T0 + YEAR),
        ("expire:order:2:1", "expire", -100, day(20) + YEAR),
    ]
    assert b.balance == 0


def test_inactivity_expiry():
    program = replace(NO_REDEEM, expiry_mode="inactivity", expiry_months=6)
    b, _ = settle(books(order(1, line(1, "100.00")), order(2, line(1, "50.00"), created=day(10))), day(11), program)
    deadline = day(10) + relativedelta(months=6)  # six months after the LAST order
    b, plan = settle(b, deadline - timedelta(seconds=1), program)
    assert plan.is_empty
    b, plan = settle(b, deadline, program)
    assert [(ln.key, ln.points) for ln in plan.ledger] == [(f"expire:inactive:{deadline.isoformat()}", -150)]
    assert b.balance == 0


def test_no_expiry_mode():
    program = replace(NO_REDEEM, expiry_mode="none")
    b, plan = settle(books(order(1, line(1, "100.00"))), T0 + YEAR + YEAR, program)
    assert b.balance == 100


def coupon(key="redeem:m1:1", cost=500, code="lsy-abc", status="pushed", expires=None):
    return CouponLine(key, "reward", FLAT.rewards[0].coupon, cost, day(0), expires or day(90), status, code=code)


def test_expired_coupon_restores_points():
    b = books(
        ledger=(
            LedgerLine("redeem:m1:1", "redeem", -500, day(0), coupon_key="redeem:m1:1"),
            adjust("adjust:1", 500, day(0) - timedelta(seconds=1)),
        ),
        coupons=(coupon(),),
        tier="Member",
    )
    b, plan = settle(b, day(89), NO_REDEEM)
    assert plan.is_empty
    b, plan = settle(b, day(90), NO_REDEEM)
    assert plan.coupon_status == {"redeem:m1:1": "expired"}
    assert [(ln.key, ln.kind, ln.points, ln.at) for ln in plan.ledger] == [
        ("restore:redeem:m1:1", "restore", 500, day(90))
    ]
    assert b.balance == 500 and b.coupons[0].status == "expired"


def test_expired_coupon_without_restore_switch():
    b = books(coupons=(coupon(),))
    b, plan = settle(b, day(90), replace(NO_REDEEM, restore_on_expiry=False))
    assert plan.coupon_status == {"redeem:m1:1": "expired"} and plan.ledger == []


def test_used_coupon_is_marked_and_not_restored():
    b = books(order(1, line(1, "10.00"), created=day(5), coupon_codes=("lsy-abc",)), coupons=(coupon(),))
    b, plan = settle(b, day(100), NO_REDEEM)
    assert plan.coupon_status == {"redeem:m1:1": "used"}
    assert [ln.kind for ln in plan.ledger] == ["earn"]
