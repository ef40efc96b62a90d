"""The audit log's words for a rule change: one line per changed rule, in full."""

from dataclasses import replace
from decimal import Decimal as D

from admin.rule_changes import change_lines, rule_changes
from loyalty_sync.engine.program import DEFAULT_PROGRAM, CouponTemplate, MultiplierRule, Reward, Tier, program_to_dict

BEFORE = program_to_dict(DEFAULT_PROGRAM)


def lines(program) -> list[str]:
    return [str(change) for change in rule_changes(BEFORE, program_to_dict(program))]


def test_a_tier_threshold_reads_as_a_sentence():
    bronze, silver, gold = DEFAULT_PROGRAM.tiers
    assert lines(replace(DEFAULT_PROGRAM, tiers=(bronze, replace(silver, threshold=D(200)), gold))) == [
        "Silver threshold: 300 → 200"
    ]


def test_several_rules_each_on_its_line():
    bronze, silver, gold = DEFAULT_PROGRAM.tiers
    program = replace(
        DEFAULT_PROGRAM,
        rate=D(2),
        auto_redeem=False,
        earning_statuses=("processing", "completed"),
        expiry_mode="none",
        vip_exclusive_coupon=None,
        tiers=(
            bronze,
            replace(silver, multiplier=D("1.3"), tierup_coupon=CouponTemplate("percent", D(15))),
            Tier("Platinum", D(5000), D(2)),
        ),
        rewards=(
            replace(DEFAULT_PROGRAM.rewards[0], points=400),
            Reward("free-ship", "Free shipping", 300, CouponTemplate("fixed_cart", D(0), free_shipping=True)),
        ),
        multipliers=(MultiplierRule(D(2), category_id=5, label="Shoes"),),
    )
    assert lines(program) == [
        "Points per 1 of your currency: 1 → 2",
        "Orders earn when they are: completed → processing, completed",
        "Multiplier: none → “Shoes” x2 on category 5",
        "Silver points multiplier: 1.25 → 1.3",
        "Silver tier-up reward: 5 off → 15% off",
        "Tier Platinum: none → from 5000, points x2",
        "Tier Gold: from 1000, points x1.5, tier-up reward 10% off → removed",
        "Exclusive VIP coupon: 10% off → none",
        "Reward “5 off the cart” points: 500 → 400",
        "Reward “Free shipping”: none → 300 points for free shipping",
        "Reward “12 off the cart”: 1000 points for 12 off → removed",
        "Turn points into coupons automatically: on → off",
        "How points expire: Points expire N months after they were earned (oldest first) → Points never expire",
    ]


def test_nothing_is_cut_however_long():
    long_perk = "A perk described at length " * 20
    bronze, silver, gold = DEFAULT_PROGRAM.tiers
    [change] = rule_changes(
        BEFORE, program_to_dict(replace(DEFAULT_PROGRAM, tiers=(bronze, replace(silver, perks=(long_perk,)), gold)))
    )
    assert change.after == long_perk and "..." not in str(change)


def test_other_audit_entries_read_key_by_key():
    assert [str(c) for c in change_lines({"points": 120}, {"points": 170, "reason": "late delivery"})] == [
        "points: 120 → 170",
        "reason: none → late delivery",
    ]
    assert [str(c) for c in change_lines(None, {"store": {"url": "https://a.example", "webhooks": True}})] == [
        "store.url: none → https://a.example",
        "store.webhooks: none → on",
    ]
