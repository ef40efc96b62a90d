"""The pure replay (engine/replay.py): when it plans, and what two replays of one history say."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

from engine_factories import UTC, books, day, line, order

from loyalty_sync.engine.ledger import OrderRecord
from loyalty_sync.engine.program import DEFAULT_PROGRAM
from loyalty_sync.engine.replay import (
    Comparison,
    CouponFate,
    Figures,
    Outcome,
    checkpoints,
    figures_of,
    replay_both,
    replay_history,
)


def test_checkpoints_after_the_month_the_window_and_the_grace_period():
    placed = order(1, created=day(14))  # 2026-01-15
    now = day(500)  # 2027-05-16
    assert checkpoints([OrderRecord(placed)], now, grace_days=30) == [
        datetime(2026, 2, 1, tzinfo=UTC),  # the month after the order
        datetime(2027, 2, 1, tzinfo=UTC),  # the order leaves the 12-month window
        datetime(2027, 4, 1, tzinfo=UTC),  # the month after the grace period (2027-03-03)
        now,
    ]


def test_a_silver_member_is_demoted_after_her_order_leaves_the_window():
    history = books(order(1, line(1, "400.00"), created=day(14)), tier="")
    assert replay_history(history, DEFAULT_PROGRAM, 1, day(200), None).tier == "Silver"
    assert replay_history(history, DEFAULT_PROGRAM, 1, day(500), None).tier == "Bronze"


def test_both_replays_of_one_history():
    history = books(order(1, line(1, "100.00"), created=day(0)), tier="")
    double = replace(DEFAULT_PROGRAM, rate=D(2))
    comparison = Comparison(DEFAULT_PROGRAM, double, number=1, now=day(30), cut_before=None, cut_after=None)
    assert replay_both(history, comparison) == (
        Outcome("Bronze", False, 100),
        Figures(points_issued=100, outstanding=100),
        Outcome("Bronze", False, 200),
        Figures(points_issued=200, outstanding=200),
    )


def test_figures_add_up_and_scale():
    one = Figures(coupons=1, coupon_money=D("5.00"), points_issued=100, outstanding=40)
    assert one + one == one.times(2) == Figures(2, D("10.00"), 200, 80)


# --- a coupon meets the fate it met in the books ------------------------------------------------------
# 600.00 on day 0: 600 points; Silver (tier-up coupon, 5 off, no points); on 1 February auto-redeem
# takes 500 for a 5-off coupon (`redeem:m1:1`, expires 90 days later, 2 May); 100 points left.


def _replayed(statuses, now, expires=None):
    history = books(order(1, line(1, "600.00"), created=day(0)), tier="")
    fates = None if statuses is None else {key: CouponFate(status, expires) for key, status in statuses.items()}
    return replay_history(history, DEFAULT_PROGRAM, 1, now, None, fates)


def test_a_coupon_the_books_hold_as_expired_gives_its_points_back_and_is_not_redeemed_again():
    after = _replayed({"redeem:m1:1": "expired", "tierup:m1:Silver": "used"}, day(200))
    assert after.balance == 600  # the 500 came back on 2 May; returned points wait for new ones
    assert [c.status for c in after.coupons] == ["used", "expired"]
    assert figures_of(after) == Figures(
        coupons=2,
        coupon_money=D("10.00"),
        points_issued=600,
        outstanding=600,
        open_coupon_money=D(0),
        free_coupon_money=D("5.00"),
    )


def test_a_coupon_the_books_hold_as_used_or_never_issued_is_used():
    for fates in ({"redeem:m1:1": "used", "tierup:m1:Silver": "used"}, {}, None):
        after = _replayed(fates, day(200))
        assert after.balance == 100 and {c.status for c in after.coupons} == {"used"}


def test_a_coupon_the_books_hold_open_is_still_owed_before_its_expiry():
    after = _replayed({"redeem:m1:1": "pushed", "tierup:m1:Silver": "pending"}, day(60))
    assert after.balance == 100
    assert figures_of(after).open_coupon_money == D("10.00")


def test_a_coupon_expires_at_the_books_expiry_even_after_the_last_checkpoint():
    """The books issued the coupon at the connection and it expired on day 45: the replay gives the
    points back at that date, though its own coupon would still run until May."""
    after = _replayed({"redeem:m1:1": "expired", "tierup:m1:Silver": "used"}, day(60), expires=day(45))
    assert after.balance == 600
    restore = [line for line in after.ledger if line.kind == "restore"]
    assert [(line.points, line.at) for line in restore] == [(500, day(45))]
