"""plan_member over whole member histories; every case settles (plan, apply,
plan again = empty) and its numbers are worked out by hand in the comments."""

from dataclasses import replace
from decimal import Decimal as D

from engine_factories import T0, amount_refund, books, day, earned, line, line_refund, order, settle, with_orders

from loyalty_sync.engine.program import DEFAULT_PROGRAM, Tier

# One flat tier and no auto-redeem: the earning mechanics alone.
FLAT = replace(DEFAULT_PROGRAM, tiers=(Tier("Member", D(0), D(1)),), auto_redeem=False)


def kinds(plan):
    return [(ln.key, ln.kind, ln.points) for ln in plan.ledger]


def test_first_earn_books_the_award_with_a_reason():
    b, plan = settle(books(order(1234, line(1, "120.00"))), day(1), FLAT)
    assert kinds(plan) == [("order:1234:1", "earn", 120)]
    assert plan.ledger[0].reason == "order #1234: 120.00 EUR eligible x1 Member = 120 points"
    assert plan.ledger[0].at == T0  # when the order was completed
    assert plan.order_marks == {1234: (D(1), D(1), 1)}
    assert b.balance == 120


def test_nothing_for_a_pending_order_then_earn_on_completion():
    b, plan = settle(books(order(1, line(1, "80.00"), status="processing")), day(0), FLAT)
    assert plan.ledger == [] and plan.order_marks == {}
    b, plan = settle(with_orders(b, order(1, line(1, "80.00"), completed=day(2), modified=day(2))), day(2), FLAT)
    assert kinds(plan) == [("order:1:1", "earn", 80)]
    assert plan.ledger[0].at == day(2)


def test_partial_refund_by_lines_then_cancel_after_completion():
    o = order(1, line(1, "150.00", quantity=3), line(2, "50.00"))
    b, _ = settle(books(o), day(1), FLAT)  # 150 + 50 = 200
    # one unit of line 1 (50.00) refunded: 200 - 50 = 150 -> -50
    refunded = order(
        1, line(1, "150.00", quantity=3), line(2, "50.00"), refunds=[line_refund(7, day(3), (1, 1, "50.00"))]
    )
    b, plan = settle(with_orders(b, refunded), day(3), FLAT)
    assert kinds(plan) == [("order:1:2", "reverse", -50)]
    assert plan.ledger[0].reason == "order #1 refunded 50.00: -50 points"
    # then cancelled: loses exactly what it still has, 150
    cancelled = replace(refunded, status="cancelled", modified=day(4))
    b, plan = settle(with_orders(b, cancelled), day(4), FLAT)
    assert kinds(plan) == [("order:1:3", "reverse", -150)]
    assert plan.ledger[0].reason == "order #1 cancelled: -150 points"
    assert b.balance == 0 and earned(b, 1) == 0


def test_partial_refund_by_amount_only():
    # 80 + 40 = 120 points; 30.00 of the 120.00 total refunded = 25% of each line -> 90, so -30
    b, _ = settle(books(order(1, line(1, "80.00"), line(2, "40.00"))), day(1), FLAT)
    o = order(1, line(1, "80.00"), line(2, "40.00"), refunds=[amount_refund(7, day(2), "30.00")])
    b, plan = settle(with_orders(b, o), day(2), FLAT)
    assert kinds(plan) == [("order:1:2", "reverse", -30)]
    assert b.balance == 90


def test_edit_after_earning_books_only_the_difference():
    b, _ = settle(books(order(1, line(1, "100.00"))), day(1), FLAT)
    b, plan = settle(with_orders(b, order(1, line(1, "100.00"), line(2, "25.00"), modified=day(2))), day(2), FLAT)
    assert kinds(plan) == [("order:1:2", "earn", 25)]
    assert (
        plan.ledger[0].reason
        == "order #1 re-evaluated, order #1: 125.00 EUR eligible x1 Member = 125 points: +25 points"
    )
    assert earned(b, 1) == 125


def test_same_order_twice_changes_nothing():
    b, _ = settle(books(order(1, line(1, "100.00"))), day(1), FLAT)
    b2, plan = settle(with_orders(b, order(1, line(1, "100.00"))), day(1), FLAT)
    assert plan.is_empty and b2 == b


def test_negative_balance_is_paid_back_by_the_next_order():
    program = replace(FLAT, auto_redeem=True)
    # 600 points -> auto-redeem 500 (5 off), 100 left
    b, plan = settle(books(order(1, line(1, "600.00"))), day(1), program)
    assert kinds(plan) == [("order:1:1", "earn", 600), ("redeem:m1:1", "redeem", -500)]
    assert b.balance == 100
    # order cancelled after the coupon was issued: -600 -> balance -500
    b, plan = settle(with_orders(b, replace(b.orders[0].facts, status="cancelled", modified=day(2))), day(2), program)
    assert kinds(plan) == [("order:1:2", "reverse", -600)]
    assert b.balance == -500
    # next order 700: pays the 500 back first, 200 left, no redeem (200 < 500)
    b, plan = settle(with_orders(b, order(2, line(1, "700.00"), created=day(3))), day(3), program)
    assert kinds(plan) == [("order:2:1", "earn", 700)]
    assert b.balance == 200


def test_pending_period():
    program = replace(FLAT, auto_redeem=True, pending_days=14)
    # 600 earned on day 0; on day 1 all 600 are pending, nothing redeemed
    b, plan = settle(books(order(1, line(1, "600.00"))), day(1), program)
    assert kinds(plan) == [("order:1:1", "earn", 600)]
    assert (b.balance, b.pending(day(1), program), b.spendable(day(1), program)) == (600, 600, 0)
    # day 13.99: still pending; day 14: spendable -> auto-redeem 500, 100 left
    assert b.spendable(day(13.99), program) == 0
    b, plan = settle(b, day(14), program)
    assert kinds(plan) == [("redeem:m1:1", "redeem", -500)]
    assert (b.balance, b.pending(day(14), program), b.spendable(day(14), program)) == (100, 0, 100)


def test_reversal_inside_the_window_takes_pending_points_first():
    program = replace(FLAT, pending_days=14)
    # order 1: 300 on day 0 (spendable from day 14); order 2: 200 on day 20 (pending until day 34)
    b, _ = settle(books(order(1, line(1, "300.00")), order(2, line(1, "200.00"), created=day(20))), day(21), program)
    assert (b.balance, b.pending(day(21), program), b.spendable(day(21), program)) == (500, 200, 300)
    # order 2 half refunded on day 22: -100 comes out of its pending 200 -> pending 100, spendable still 300
    o2 = order(2, line(1, "200.00", quantity=2), created=day(20), refunds=[line_refund(5, day(22), (1, 1, "100.00"))])
    b, _ = settle(with_orders(b, o2), day(22), program)
    assert (b.balance, b.pending(day(22), program), b.spendable(day(22), program)) == (400, 100, 300)


def test_orders_are_applied_in_creation_order():
    # listed newest first; the walk still books order 1 (older) first
    b, plan = settle(books(order(2, line(1, "20.00"), created=day(5)), order(1, line(1, "10.00"))), day(6), FLAT)
    assert [ln.order_id for ln in plan.ledger] == [1, 2]


def test_plan_needs_an_aware_now():
    import pytest

    from loyalty_sync.engine.plan import plan_member

    with pytest.raises(ValueError):
        plan_member(books(), FLAT, 1, T0.replace(tzinfo=None))


def test_an_order_worth_0_points_keeps_the_tier_it_was_placed_in():
    """Found by the property test: an order earning 0 points (0.70 at Silver x1.25 = 0.875, floored) whose
    spend lifts the member to Gold stayed unmarked, so the next plan re-read it at Gold x1.5 = 1 point:
    planning again was not a no-op. Its multipliers are now fixed the first time it counts."""
    b, _ = settle(books(order(1, line(1, "999.30"), created=day(1)), tier=""), day(2))
    assert b.tier == "Silver"
    b, plan = settle(
        with_orders(b, order(2, line(1, "0.70"), created=day(3))), day(4)
    )  # settle re-plans: must be empty
    assert b.tier == "Gold" and earned(b, 2) == 0
    assert plan.order_marks[2][0] == D("1.25")  # Silver's multiplier, as when the order was placed
