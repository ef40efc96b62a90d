"""No coupon for the past: events before the store's connection (a tier
promotion, a VIP status and the perks of the period it falls in, a birthday)
give no live coupon; points the history earned may still be auto-redeemed;
events after the connection give their coupons as always."""

from collections import Counter

import pytest

from loyalty_sync.extensions import db
from tests.loyalty_sync.program.helpers import coupons, customers, member, orders, replan
from tests.support.wc import customer, day, line, order

CONNECTED = day(10)  # 2026-01-15; the history below is of 2026-01-06 .. 10


def _history(store):
    customers(
        store,
        [
            customer(2, "anna@example.com", birthday="1990-01-14"),  # week Jan 12-19
            customer(3, "bob@example.com", first_name="Bob"),
        ],
        day(11),
    )
    anna = [order(i, customer_id=2, lines=[line(i * 10, "250.00")], created=day(i)) for i in range(1, 6)]
    bob = [order(9, customer_id=3, email="bob@example.com", lines=[line(90, "100.00")], created=day(3))]
    orders(store, anna + bob, day(11))


def _sources(ref: str, store) -> Counter:
    return Counter(c.source for c in coupons(member(store, ref)))


@pytest.fixture
def connected(store):
    store.connected_at = CONNECTED
    db.session.commit()
    return store


def test_without_a_connection_time_the_history_gives_every_coupon(store):
    _history(store)  # (the behaviour of a store with no cut: what a first sync used to push)
    assert {"tierup", "vip_free_shipping", "vip_exclusive", "birthday"} <= set(_sources("anna@example.com", store))


def test_events_before_the_connection_give_no_coupon_but_the_points_still_redeem(connected):
    _history(connected)
    anna = member(connected, "anna@example.com")
    assert (anna.tier, anna.vip) == ("Gold", True)  # the history sets them
    assert _sources("anna@example.com", connected) == Counter({"reward": 1})  # 1250+ points -> one coupon
    assert sorted(anna.tiers_rewarded) == ["Bronze", "Gold", "Silver"]
    # A later pass of the connection month decides the same way.
    replan(connected, day(20))
    assert _sources("anna@example.com", connected) == Counter({"reward": 1})


def test_the_next_months_perk_and_a_promotion_after_the_connection_give_coupons(connected):
    _history(connected)
    replan(connected, day(30))  # February: a new month of VIP, begun after the connection
    assert _sources("anna@example.com", connected)["vip_free_shipping"] == 1
    assert _sources("anna@example.com", connected)["vip_exclusive"] == 0  # the connection year's is past
    orders(
        connected,
        [order(20, customer_id=3, email="bob@example.com", lines=[line(200, "250.00")], created=day(31))],
        day(31),
    )
    bob = member(connected, "bob@example.com")
    assert bob.tier == "Silver" and _sources("bob@example.com", connected)["tierup"] == 1
