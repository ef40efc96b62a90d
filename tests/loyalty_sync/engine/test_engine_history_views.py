"""A plan given the whole history's views (a replay's shortcut) books
exactly what a plan of the orders known at `now` books.

The replay plans a member at many moments; building the window sums once
for the whole history is only sound because a later order never falls in a
window that ends earlier, and the membership orders are cut at `now`.
"""

from dataclasses import replace

from engine_factories import books, day, line, order
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_sync.engine.ledger import OrderRecord
from loyalty_sync.engine.plan import HistoryViews, apply_plan, plan_member
from loyalty_sync.engine.program import DEFAULT_PROGRAM

ORDERS = st.lists(
    st.tuples(
        st.integers(0, 900),
        st.integers(100, 150_000),
        st.sampled_from(["completed", "processing", "cancelled"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=15,
)
PROGRAMS = st.sampled_from(
    [
        DEFAULT_PROGRAM,
        replace(DEFAULT_PROGRAM, tier_metric="orders"),
        replace(DEFAULT_PROGRAM, tier_window="lifetime", vip_min_orders=2, vip_min_spend=0),
    ]
)


def _history(specs):
    return sorted(
        (
            order(
                i + 1,
                line(1, f"{cents / 100:.2f}", sku="VIP-MEMBERSHIP" if member else ""),
                status=status,
                created=day(days),
            )
            for i, (days, cents, status, member) in enumerate(specs)
        ),
        key=lambda o: (o.created, o.order_id),
    )


@settings(max_examples=150, deadline=None)
@given(ORDERS, PROGRAMS, st.lists(st.integers(0, 1000), min_size=1, max_size=8))
def test_plans_with_the_whole_history_views_equal_plain_plans(specs, program, moments):
    history = _history(specs)
    views = HistoryViews.of(history, program)
    plain = shortcut = books(tier="")
    for at in sorted(day(m) for m in moments):
        known = tuple(o for o in history if o.created <= at)
        plain, shortcut = _with(plain, known), _with(shortcut, known)
        plan = plan_member(plain, program, 1, at)
        assert plan_member(shortcut, program, 1, at, history=views) == plan
        plain, shortcut = apply_plan(plain, plan), apply_plan(shortcut, plan)


def _with(b, known):
    """The books with the newly known orders added (oldest first, as a replay adds them)."""
    have = {r.facts.order_id for r in b.orders}
    return replace(b, orders=b.orders + tuple(OrderRecord(o) for o in known if o.order_id not in have))
