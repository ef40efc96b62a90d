"""The pure replay (engine/replay.py): when it plans, and what two replays of one history say."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal as D

from engine_factories import UTC, books, day, line, order

from loyalty_sync.engine.ledger import OrderRecord
from loyalty_sync.engine.program import DEFAULT_PROGRAM
from loyalty_sync.engine.replay import Comparison, Figures, Outcome, checkpoints, replay_both, replay_history


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
