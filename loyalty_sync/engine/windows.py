"""A member's earning orders summed over a time window, by binary search.

The planner asks "spend and orders in the window ending at `at`" at every
first earn of a member's history (tier promotion, VIP qualification);
summing every order each time made a plan quadratic in the history, and a
what-if replay plans each member many times. Built once per plan: the
earning orders by date with running totals of their eligible amounts.
Decimal sums are exact, so a difference of running totals is the same
number as the direct sum.

Orders are kept in (created, id) order, the order of orders everywhere in
the engine: WooCommerce dates have one-second resolution, so "up to this
order" (`upto`, its id) must leave out a later order of the same second.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from loyalty_sync.engine.earning import eligible_amount, order_earns
from loyalty_sync.engine.facts import LAST_ID, OrderFacts, order_key
from loyalty_sync.engine.months import add_months
from loyalty_sync.engine.program import Program

ZERO = Decimal(0)


class OrderWindows:
    def __init__(self, orders: Iterable[OrderFacts], program: Program):
        earning = [o for o in orders if order_earns(o, program)]
        keys = [order_key(o) for o in earning]
        if any(a > b for a, b in zip(keys, keys[1:], strict=False)):  # the planner's are already in order
            earning.sort(key=order_key)
            keys.sort()
        self._keys = keys
        self._spent = [ZERO]
        total = ZERO
        for order in earning:
            total += eligible_amount(order, program)
            self._spent.append(total)

    def spend_and_orders(
        self, at: datetime, window: str = "rolling_12_months", upto: int | None = None
    ) -> tuple[Decimal, int]:
        """Eligible spend and number of earning orders created in
        (at - 12 months, at], or up to `at` for the lifetime window; with
        `upto` (an order id), of the orders created at `at` only those up to
        that id."""
        keys = self._keys
        low = 0 if window == "lifetime" else bisect_right(keys, (add_months(at, -12), LAST_ID))
        high = bisect_right(keys, (at, LAST_ID if upto is None else upto))
        if high <= low:
            return ZERO, 0
        return self._spent[high] - self._spent[low], high - low
