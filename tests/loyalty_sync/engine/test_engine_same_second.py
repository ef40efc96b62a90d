"""Orders created in the same second (WooCommerce dates have one-second
resolution: batch creates, imports, a busy checkout). "Just before the order"
is (created, id) order: an order never earns at a tier or VIP status that a
later order of its own second reached, and the outcome does not depend on
the order in which the books hold the orders."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal as D

from engine_factories import T0, books, line, order, settle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.ledger import MemberBooks, OrderRecord
from loyalty_sync.engine.plan import plan_member
from loyalty_sync.engine.program import DEFAULT_PROGRAM
from loyalty_sync.engine.replay import replay_history
from loyalty_sync.engine.vip import is_vip
from loyalty_sync.engine.windows import OrderWindows

P = replace(DEFAULT_PROGRAM, vip_exclusive_coupon=None, vip_free_shipping_monthly=False)
NOW = T0 + timedelta(days=1)


def points_of(plan):
    return {ln.order_id: ln.points for ln in plan.ledger if ln.order_id}


def test_the_second_order_of_a_pair_earns_at_the_tier_before_the_pair():
    # Both at T0, 200.00 each. After order 1 the spend is 200 (Bronze), so
    # order 2 earns at Bronze too; Silver (300) comes after the pair.
    b, plan = settle(books(order(1, line(1, "200.00")), order(2, line(1, "200.00"))), NOW, P)
    assert points_of(plan) == {1: 200, 2: 200}
    assert b.tier == "Silver"


def test_held_in_any_order_the_books_give_the_same_awards():
    pair = [order(2, line(1, "200.00")), order(1, line(1, "200.00"))]
    _, plan = settle(books(*pair), NOW, P)
    assert points_of(plan) == {1: 200, 2: 200}


def test_a_membership_bought_later_in_the_same_second_does_not_make_an_earlier_order_vip():
    sku = P.vip_membership_sku
    first = order(1, line(1, "100.00"))
    membership = order(2, line(1, "50.00", sku=sku))
    after = order(3, line(1, "100.00"))
    _, plan = settle(books(after, membership, first), NOW, replace(P, auto_redeem=False))
    assert points_of(plan) == {1: 100, 2: 50, 3: 110}  # only order 3 comes after the membership


def test_windows_up_to_an_order_leave_out_the_later_orders_of_its_second():
    orders = [order(i, line(1, "10.00")) for i in (1, 2, 3)] + [
        order(4, line(1, "10.00"), created=T0 - timedelta(seconds=1))
    ]
    windows = OrderWindows(orders, P)
    assert windows.spend_and_orders(T0, upto=2) == (D("30.00"), 3)
    assert windows.spend_and_orders(T0) == (D("40.00"), 4)


# --- the property: many orders per second ----------------------------------------------------------

PROGRAMS = st.builds(
    lambda metric, window, redeem: replace(
        P,
        tier_metric=metric,
        tier_window=window,
        auto_redeem=redeem,
        vip_min_orders=3,
        vip_min_spend=D(400),
        earning_statuses=("processing", "completed"),
    ),
    st.sampled_from(["spend", "orders", "points"]),
    st.sampled_from(["rolling_12_months", "lifetime"]),
    st.booleans(),
)

ORDERS = st.lists(
    st.tuples(
        st.integers(0, 3),  # the second it was created in
        st.integers(1, 40_000),  # cents
        st.sampled_from(["completed", "completed", "processing", "pending", "cancelled"]),
        st.booleans(),  # a membership line
    ),
    min_size=1,
    max_size=24,
)


def _history(specs) -> list[OrderFacts]:
    out = []
    for i, (second, cents, status, membership) in enumerate(specs):
        at = T0 + timedelta(seconds=second)
        sku = P.vip_membership_sku if membership else ""
        facts = order(10 + i, line(1, f"{cents / 100:.2f}", sku=sku), status=status, created=at)
        out.append(replace(facts, paid=at if status in ("completed", "processing") else None))
    return out


def _one_second_apart(orders: list[OrderFacts]) -> list[OrderFacts]:
    """The same orders, each in a second of its own, in (created, id) order."""
    ranked = sorted(orders, key=lambda o: (o.created, o.order_id))
    out = []
    for k, o in enumerate(ranked):
        at = T0 + timedelta(seconds=k)
        out.append(
            replace(o, created=at, modified=at, paid=at if o.paid else None, completed=at if o.completed else None)
        )
    return out


def _outcome(orders: list[OrderFacts], program, replay: bool = False) -> tuple:
    b = MemberBooks(
        member_key="m1",
        email="anna@example.com",
        orders=tuple(OrderRecord(o) for o in orders),
        ledger=(),
        coupons=(),
        tier=program.entry_tier.name,
    )
    after = replay_history(b, program, 1, NOW, None) if replay else settle(b, NOW, program)[0]
    per_order = sorted((r.facts.order_id, r.earned, r.tier_multiplier, r.vip_multiplier) for r in after.orders)
    return (
        per_order,
        after.balance,
        after.tier,
        is_vip(after.vip_periods, NOW),
        sorted(c.key for c in after.coupons),
        sorted(after.tiers_rewarded),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=PROGRAMS, specs=ORDERS, data=st.data())
def test_same_second_orders_count_in_created_then_id_order(program, specs, data):
    orders = _history(specs)
    shuffled = data.draw(st.permutations(orders))
    expected = _outcome(_one_second_apart(orders), program)
    assert _outcome(list(shuffled), program) == expected
    assert _outcome(orders, program) == expected
    # the what-if replay (HistoryViews over the whole history) answers the same
    assert _outcome(list(shuffled), program, replay=True) == _outcome(_one_second_apart(orders), program, replay=True)


def test_planning_is_independent_of_how_the_books_hold_the_orders():
    orders = _history(
        [
            (0, 25_000, "completed", False),
            (0, 25_000, "completed", False),
            (0, 90_000, "completed", True),
            (1, 10_000, "completed", False),
        ]
    )
    plans = [plan_member(books(*o), P, 1, NOW) for o in (orders, orders[::-1])]
    assert points_of(plans[0]) == points_of(plans[1])
