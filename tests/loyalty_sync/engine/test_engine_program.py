"""Program defaults (PRODUCT.md), dict round-trip, validation messages."""

import json
from dataclasses import replace
from decimal import Decimal as D

import pytest
from engine_factories import day

from loyalty_sync.engine.program import (
    DEFAULT_PROGRAM,
    CouponTemplate,
    FieldError,
    MultiplierRule,
    Program,
    ProgramFormatError,
    Reward,
    Tier,
    program_from_dict,
    program_to_dict,
    validate_program,
)


def test_defaults_are_the_product_page():
    p = Program()
    assert p == DEFAULT_PROGRAM
    assert (p.rate, p.include_tax, p.include_shipping, p.rounding) == (D(1), False, False, "floor")
    assert p.earning_statuses == ("completed",)
    assert [(t.name, t.threshold, t.multiplier) for t in p.tiers] == [
        ("Bronze", D(0), D("1.0")),
        ("Silver", D(300), D("1.25")),
        ("Gold", D(1000), D("1.5")),
    ]
    assert p.tiers[1].tierup_coupon == CouponTemplate("fixed_cart", D(5))
    assert p.tiers[2].tierup_coupon == CouponTemplate("percent", D(10))
    assert [(r.points, r.coupon.amount) for r in p.rewards] == [(500, D(5)), (1000, D(12))]
    assert (p.vip_min_spend, p.vip_min_orders, p.vip_multiplier, p.vip_membership_days) == (D(1000), 5, D("1.1"), 365)
    assert (p.coupon_expiry_days, p.expiry_mode, p.expiry_months, p.tier_grace_days) == (90, "fifo", 12, 30)
    assert (p.referral_bonus, p.review_bonus, p.reviews_per_month) == (200, 50, 4)
    assert validate_program(p) == []


def test_round_trip_through_json():
    p = replace(
        DEFAULT_PROGRAM,
        rate=D("1.5"),
        multipliers=(
            MultiplierRule(D(2), category_id=5, starts=day(0), ends=day(30), label="shoes"),
            MultiplierRule(D("1.2"), product_id=11),
        ),
        vip_top_percent=D("2.5"),
        vip_membership_sku=None,
        birthday_coupon=None,
        tiers=DEFAULT_PROGRAM.tiers[:2] + (Tier("Platinum", D(5000), D(2), None, ("free returns", "hotline")),),
    )
    d = program_to_dict(p)
    text = json.dumps(d)  # JSON-able
    assert d["rate"] == "1.5" and d["multipliers"][0]["starts"] == "2026-01-01T12:00:00+00:00"
    assert program_from_dict(json.loads(text)) == p
    assert program_from_dict(program_to_dict(DEFAULT_PROGRAM)) == DEFAULT_PROGRAM


def test_missing_keys_take_defaults_unknown_keys_refused():
    assert program_from_dict({"rate": "2"}) == replace(DEFAULT_PROGRAM, rate=D(2))
    with pytest.raises(ProgramFormatError, match="unknown settings ratee"):
        program_from_dict({"ratee": "2"})
    with pytest.raises(ProgramFormatError, match="rate: 'abc' is not a number"):
        program_from_dict({"rate": "abc"})
    with pytest.raises(ProgramFormatError, match="not 1.5"):
        program_from_dict({"rate": 1.5})  # floats never enter the books
    with pytest.raises(ProgramFormatError, match=r"tiers.1.threshold"):
        program_from_dict(
            {
                "tiers": [
                    {"name": "A", "threshold": "0", "multiplier": "1"},
                    {"name": "B", "threshold": None, "multiplier": "1"},
                ]
            }
        )


VALIDATION_CASES = [
    (
        {"tiers": (Tier("Bronze", D(0), D(1)), Tier("Silver", D(300), D("1.25")), Tier("Gold", D(300), D("1.5")))},
        FieldError("tiers.2.threshold", "thresholds must rise"),
    ),
    (
        {"tiers": (Tier("Silver", D(300), D("1.25")),)},
        FieldError("tiers.0.threshold", "the first tier must start at 0"),
    ),
    ({"tiers": (Tier("Bronze", D(0), D(0)),)}, FieldError("tiers.0.multiplier", "must be more than 0")),
    ({"tiers": (Tier("A", D(0), D(1)), Tier("A", D(1), D(1)))}, FieldError("tiers.1.name", "names must be unique")),
    (
        {"multipliers": (MultiplierRule(D(0), category_id=1),)},
        FieldError("multipliers.0.factor", "must be more than 0"),
    ),
    (
        {"multipliers": (MultiplierRule(D(2), starts=day(5), ends=day(5)),)},
        FieldError("multipliers.0.ends", "must be after the start"),
    ),
    ({"rate": D("-1")}, FieldError("rate", "cannot be negative")),
    ({"rounding": "bankers"}, FieldError("rounding", "must be one of floor, round, ceil")),
    ({"earning_statuses": ("shipped",)}, FieldError("earning_statuses.0", "unknown order status 'shipped'")),
    (
        {"earning_statuses": ("completed", "refunded")},
        FieldError("earning_statuses.1", "'refunded' orders can never earn"),
    ),
    ({"earning_statuses": ()}, FieldError("earning_statuses", "at least one status must earn")),
    (
        {"rewards": (Reward("r", "nothing", 0, CouponTemplate("fixed_cart", D(5))),)},
        FieldError("rewards.0.points", "must be more than 0"),
    ),
    (
        {"rewards": (Reward("r", "too much", 10, CouponTemplate("percent", D(150))),)},
        FieldError("rewards.0.coupon.amount", "a percentage cannot be above 100"),
    ),
    (
        {"rewards": (Reward("r", "odd", 10, CouponTemplate("bogo", D(5))),)},
        FieldError("rewards.0.coupon.discount_type", "must be one of percent, fixed_cart"),
    ),
    ({"vip_top_percent": D(0)}, FieldError("vip_top_percent", "must be between 0 and 100")),
    ({"expiry_mode": "never"}, FieldError("expiry_mode", "must be one of fifo, inactivity, none")),
    ({"tier_metric": "visits"}, FieldError("tier_metric", "must be one of spend, orders, points")),
    ({"pending_days": -1}, FieldError("pending_days", "cannot be negative")),
    ({"coupon_expiry_days": 0}, FieldError("coupon_expiry_days", "must be at least 1 day")),
]


@pytest.mark.parametrize("changes,error", VALIDATION_CASES, ids=[e.field for _, e in VALIDATION_CASES])
def test_validation_errors(changes, error):
    assert error in validate_program(replace(DEFAULT_PROGRAM, **changes))


def test_field_error_reads_well():
    assert str(FieldError("tiers.1.threshold", "thresholds must rise")) == "tiers.1.threshold: thresholds must rise"
