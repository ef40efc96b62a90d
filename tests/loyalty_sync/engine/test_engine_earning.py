"""award_for_order: the PRODUCT.md formula, case by case, numbers by hand."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from engine_factories import T0, amount_refund, day, line, line_refund, order

from loyalty_sync.engine.earning import award_for_order, eligible_amount, line_multiplier
from loyalty_sync.engine.program import DEFAULT_PROGRAM as P
from loyalty_sync.engine.program import MultiplierRule

ONE = D(1)
SHOES = 5  # a category id
NUTRITION = 6


CASES = [
    # (id, order, program changes, tier_mult, vip_mult, expected points)
    # 100.00 EUR, rate 1 -> floor(1 * 100.00) = 100
    ("1 EUR = 1 point", order(1, line(1, "100.00")), {}, ONE, ONE, 100),
    # 80.00 + 19% tax 15.20 + shipping 4.90 + its tax 0.93: only the 80.00 counts
    (
        "tax and shipping excluded",
        order(1, line(1, "80.00", "15.20"), shipping="4.90", shipping_tax="0.93"),
        {},
        ONE,
        ONE,
        80,
    ),
    # with tax: 80.00 + 15.20 = 95.20 -> 95
    (
        "tax included",
        order(1, line(1, "80.00", "15.20"), shipping="4.90", shipping_tax="0.93"),
        {"include_tax": True},
        ONE,
        ONE,
        95,
    ),
    # with shipping (no tax): 80.00 + 4.90 = 84.90 -> 84
    (
        "shipping included",
        order(1, line(1, "80.00", "15.20"), shipping="4.90", shipping_tax="0.93"),
        {"include_shipping": True},
        ONE,
        ONE,
        84,
    ),
    # both: 80.00 + 15.20 + 4.90 + 0.93 = 101.03 -> 101
    (
        "tax and shipping included",
        order(1, line(1, "80.00", "15.20"), shipping="4.90", shipping_tax="0.93"),
        {"include_tax": True, "include_shipping": True},
        ONE,
        ONE,
        101,
    ),
    # 99.50: floor 99, round 100 (half up), ceil 100
    ("floor", order(1, line(1, "99.50")), {}, ONE, ONE, 99),
    ("round half up", order(1, line(1, "99.50")), {"rounding": "round"}, ONE, ONE, 100),
    ("round down below half", order(1, line(1, "99.49")), {"rounding": "round"}, ONE, ONE, 99),
    ("ceil", order(1, line(1, "99.01")), {"rounding": "ceil"}, ONE, ONE, 100),
    # minimum order 50: 49.99 earns nothing, 50.00 earns 50
    ("below minimum order", order(1, line(1, "49.99")), {"min_order": D(50)}, ONE, ONE, 0),
    ("at minimum order", order(1, line(1, "50.00")), {"min_order": D(50)}, ONE, ONE, 50),
    # rate 2: 2 * 45.50 = 91
    ("rate 2", order(1, line(1, "45.50")), {"rate": D(2)}, ONE, ONE, 91),
    # Silver: 1.25 * 120.00 = 150
    ("tier multiplier", order(1, line(1, "120.00")), {}, D("1.25"), ONE, 150),
    # Silver + VIP: 1.25 * 1.1 * 120.00 = 165
    ("tier and VIP multiplier", order(1, line(1, "120.00")), {}, D("1.25"), D("1.1"), 165),
    # 1.5 * 1.1 * 33.33 = 54.9945 -> 54
    ("Gold VIP floor", order(1, line(1, "33.33")), {}, D("1.5"), D("1.1"), 54),
    # statuses: only completed earns by default
    ("pending earns nothing", order(1, line(1, "100.00"), status="pending"), {}, ONE, ONE, 0),
    ("processing earns nothing by default", order(1, line(1, "100.00"), status="processing"), {}, ONE, ONE, 0),
    (
        "processing earns when added",
        order(1, line(1, "100.00"), status="processing"),
        {"earning_statuses": ("processing", "completed")},
        ONE,
        ONE,
        100,
    ),
    ("on-hold earns nothing", order(1, line(1, "100.00"), status="on-hold"), {}, ONE, ONE, 0),
    ("cancelled earns nothing", order(1, line(1, "100.00"), status="cancelled"), {}, ONE, ONE, 0),
    ("refunded earns nothing", order(1, line(1, "100.00"), status="refunded"), {}, ONE, ONE, 0),
    ("failed earns nothing", order(1, line(1, "100.00"), status="failed"), {}, ONE, ONE, 0),
    # line refund: line 1 (2 x 22.41 = 44.82) refunded 1 unit 22.41 -> 22.41 + 50.00 = 72.41 -> 72
    (
        "partial refund by lines",
        order(1, line(1, "44.82", quantity=2), line(2, "50.00"), refunds=[line_refund(9, day(1), (1, 1, "22.41"))]),
        {},
        ONE,
        ONE,
        72,
    ),
    # amount-only refund 30.00 of a 120.00 order: every line loses line * 30/120 = 25%
    # (80 -> 60, 40 -> 30) = 90 -> 90
    (
        "partial refund by amount only",
        order(1, line(1, "80.00"), line(2, "40.00"), refunds=[amount_refund(9, day(1), "30.00")]),
        {},
        ONE,
        ONE,
        90,
    ),
    # the amount includes tax: order 100 + 19 tax = 119.00; refund 59.50 = half -> 50.00 left -> 50
    (
        "amount refund is a share of the taxed total",
        order(1, line(1, "100.00", "19.00"), refunds=[amount_refund(9, day(1), "59.50")]),
        {},
        ONE,
        ONE,
        50,
    ),
    # both kinds: line 1 60.00 refunded 20.00 -> 40.00; then amount 12.00 of total 100.00 = 12%
    # -> line1 40.00 - 60.00*0.12 = 32.80, line2 40.00 - 4.80 = 35.20 -> 68.00 -> 68
    (
        "line and amount refunds together",
        order(
            1,
            line(1, "60.00"),
            line(2, "40.00"),
            refunds=[line_refund(8, day(1), (1, 1, "20.00")), amount_refund(9, day(2), "12.00")],
        ),
        {},
        ONE,
        ONE,
        68,
    ),
    # the refund share with tax switched on: 100.00 + 19.00 tax, half refunded by line
    # (50.00) -> 50.00 + 19.00 * 50/100 = 59.50 -> 59
    (
        "line refund with tax included",
        order(1, line(1, "100.00", "19.00", quantity=2), refunds=[line_refund(9, day(1), (1, 1, "50.00"))]),
        {"include_tax": True},
        ONE,
        ONE,
        59,
    ),
    # shipping included, amount-only refund of 25% of 104.90 + 0 tax: (100 + 4.90) * 0.75 = 78.675 -> 78
    (
        "shipping net of amount refund",
        order(1, line(1, "100.00"), shipping="4.90", refunds=[amount_refund(9, day(1), "26.225")]),
        {"include_shipping": True},
        ONE,
        ONE,
        78,
    ),
    # everything refunded by amount: 0 left
    (
        "whole amount refunded",
        order(1, line(1, "33.33"), line(2, "66.67"), refunds=[amount_refund(9, day(1), "100.00")]),
        {},
        ONE,
        ONE,
        0,
    ),
    # thirds must not floor 99.999... to 99: 3 lines of 33.33 + 0.01 = 100.00; refund 50.00 = half
    # -> 16.665 + 16.665 + 16.67 (of 33.34) = 50.00 -> 50
    (
        "no binary noise in shares",
        order(1, line(1, "33.33"), line(2, "33.33"), line(3, "33.34"), refunds=[amount_refund(9, day(1), "50.00")]),
        {},
        ONE,
        ONE,
        50,
    ),
]


@pytest.mark.parametrize("name,o,changes,tier,vip,expected", CASES, ids=[c[0] for c in CASES])
def test_award(name, o, changes, tier, vip, expected):
    program = replace(P, **changes)
    assert award_for_order(o, program, tier, vip).points == expected


MULT_CASES = [
    # (id, rules, stack, line categories, product id, at, expected multiplier)
    ("no rule", (), False, (), 1, T0, D(1)),
    ("category rule", (MultiplierRule(D(2), category_id=SHOES),), False, (SHOES,), 1, T0, D(2)),
    ("other category", (MultiplierRule(D(2), category_id=SHOES),), False, (NUTRITION,), 1, T0, D(1)),
    ("product rule", (MultiplierRule(D(3), product_id=1),), False, (), 1, T0, D(3)),
    ("store-wide rule", (MultiplierRule(D("1.5")),), False, (), 1, T0, D("1.5")),
    # shoes x2 and product x3 both apply: highest wins -> 3; stacked -> 6
    (
        "highest wins",
        (MultiplierRule(D(2), category_id=SHOES), MultiplierRule(D(3), product_id=1)),
        False,
        (SHOES,),
        1,
        T0,
        D(3),
    ),
    (
        "stacking",
        (MultiplierRule(D(2), category_id=SHOES), MultiplierRule(D(3), product_id=1)),
        True,
        (SHOES,),
        1,
        T0,
        D(6),
    ),
    # window [day 0, day 30): at start inclusive, at end exclusive
    ("window at start", (MultiplierRule(D(2), starts=day(0), ends=day(30)),), False, (), 1, day(0), D(2)),
    (
        "window just before start",
        (MultiplierRule(D(2), starts=day(0), ends=day(30)),),
        False,
        (),
        1,
        day(0) - (day(1) - day(0)) / 86400,
        D(1),
    ),
    ("window inside", (MultiplierRule(D(2), starts=day(0), ends=day(30)),), False, (), 1, day(29.99), D(2)),
    ("window at end", (MultiplierRule(D(2), starts=day(0), ends=day(30)),), False, (), 1, day(30), D(1)),
]


@pytest.mark.parametrize("name,rules,stack,cats,product,at,expected", MULT_CASES, ids=[c[0] for c in MULT_CASES])
def test_line_multiplier(name, rules, stack, cats, product, at, expected):
    program = replace(P, multipliers=rules, stack_multipliers=stack)
    assert line_multiplier(line(1, product_id=product, categories=cats), at, program) == expected


def test_multipliers_per_line_in_the_award():
    # shoes line 50.00 x2 = 100, other line 30.00 x1 = 30; Silver 1.25 -> 1.25 * 130 = 162.5 -> 162
    program = replace(P, multipliers=(MultiplierRule(D(2), category_id=SHOES, label="shoes x2"),))
    o = order(1, line(1, "50.00", categories=(SHOES,)), line(2, "30.00"))
    award = award_for_order(o, program, D("1.25"), D(1), tier_name="Silver")
    assert award.points == 162
    assert award.base == D("80.00")
    assert [la.weighted for la in award.line_breakdown] == [D("100.00"), D("30.00")]
    assert award.reason == "order #1: 80.00 EUR eligible (130.00 with product multipliers) x1.25 Silver = 162 points"


def test_reason_reads_like_the_shop_talks():
    award = award_for_order(order(1234, line(1, "120.00")), P, D("1.25"), D(1), tier_name="Silver")
    assert award.reason == "order #1234: 120.00 EUR eligible x1.25 Silver = 150 points"


def test_multiplier_uses_order_date_not_completion():
    # created inside the window, completed after it closed: still x2 (the order's date)
    program = replace(P, multipliers=(MultiplierRule(D(2), starts=day(0), ends=day(1)),))
    o = order(1, line(1, "10.00"), created=day(0.5), completed=day(3))
    assert award_for_order(o, program, D(1), D(1)).points == 20


def test_eligible_amount_ignores_status():
    # the tier "spend" asks for it; whether the order earns is a separate question
    assert eligible_amount(order(1, line(1, "42.50"), status="pending"), P) == D("42.50")
