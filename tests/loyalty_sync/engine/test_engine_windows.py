"""OrderWindows answers exactly what the order-by-order walk answers."""

from dataclasses import replace
from datetime import timedelta

from engine_factories import D, day, line, order
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_sync.engine.program import DEFAULT_PROGRAM
from loyalty_sync.engine.tiers import tier_metric
from loyalty_sync.engine.vip import twelve_month_spend_and_orders
from loyalty_sync.engine.windows import OrderWindows

ORDERS = st.lists(
    st.tuples(
        st.integers(0, 900),
        st.integers(0, 50_000),
        st.sampled_from(["completed", "processing", "cancelled", "refunded", "on-hold"]),
    ),
    max_size=25,
)


def _orders(specs):
    return [
        order(i + 1, line(1, f"{cents / 100:.2f}"), status=status, created=day(days))
        for i, (days, cents, status) in enumerate(specs)
    ]


@settings(max_examples=150, deadline=None)
@given(
    ORDERS,
    st.integers(-5, 950),
    st.sampled_from(["spend", "orders"]),
    st.sampled_from(["rolling_12_months", "lifetime"]),
)
def test_windows_equal_the_walk(specs, at_day, metric, window):
    program = replace(DEFAULT_PROGRAM, tier_metric=metric, tier_window=window)
    orders = _orders(specs)
    windows = OrderWindows(orders, program)
    at = day(at_day) + timedelta(hours=3)
    assert tier_metric(orders, program, at, windows=windows) == tier_metric(orders, program, at)
    assert windows.spend_and_orders(at) == twelve_month_spend_and_orders(orders, program, at)


def test_window_edges_hand_computed():
    """(at - 12 months, at]: an order exactly 12 months old is out, one at `at` is in; cancelled never counts."""
    at = day(400)
    orders = [
        order(1, line(1, "10.00"), created=at.replace(year=at.year - 1)),
        order(2, line(1, "20.00"), created=at.replace(year=at.year - 1) + timedelta(seconds=1)),
        order(3, line(1, "40.00"), created=at),
        order(4, line(1, "80.00"), created=at, status="cancelled"),
        order(5, line(1, "160.00"), created=at + timedelta(seconds=1)),
    ]
    assert OrderWindows(orders, DEFAULT_PROGRAM).spend_and_orders(at) == (D("60.00"), 2)
    assert OrderWindows(orders, DEFAULT_PROGRAM).spend_and_orders(at, "lifetime") == (D("70.00"), 3)
