"""Coupon kinds by name, tiers in ladder order."""

from dataclasses import replace
from decimal import Decimal as D

from loyalty_sync.engine.coupon_kinds import COUPON_KIND_NAMES, coupon_kind_choices, coupon_kind_name
from loyalty_sync.engine.ledger import CouponSource
from loyalty_sync.engine.program import DEFAULT_PROGRAM, Tier
from loyalty_sync.engine.tier_order import in_rank_order


def test_every_coupon_kind_has_a_name():
    assert set(COUPON_KIND_NAMES) == set(CouponSource.ALL)
    assert coupon_kind_name("tierup") == "tier-up reward"
    assert coupon_kind_name("vip_free_shipping") == "VIP free shipping"
    assert coupon_kind_name("some_new_kind") == "some new kind"
    assert [value for value, _ in coupon_kind_choices()] == list(CouponSource.ALL)


def test_tiers_lowest_first_not_alphabetically():
    assert in_rank_order(["Silver", "Gold", "Bronze"], [DEFAULT_PROGRAM]) == ["Bronze", "Silver", "Gold"]


def test_tiers_of_several_stores_and_tiers_no_program_knows():
    platinum = replace(DEFAULT_PROGRAM, tiers=DEFAULT_PROGRAM.tiers + (Tier("Platinum", D(5000), D(2)),))
    started = replace(DEFAULT_PROGRAM, tiers=(Tier("Starter", D(0), D(1)), Tier("Gold", D(100), D(2))))
    names = ["Platinum", "Old VIP", "Gold", "Starter", "Bronze", "Silver", "Archived"]
    assert in_rank_order(names, [platinum, started]) == [
        "Bronze",
        "Starter",
        "Gold",
        "Silver",
        "Platinum",
        "Archived",
        "Old VIP",
    ]
