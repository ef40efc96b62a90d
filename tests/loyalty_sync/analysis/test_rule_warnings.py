"""Rule-conflict warnings: one hand-made program per check, and the `program save` CLI."""

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from loyalty_sync.analysis.rule_warnings import warnings_for
from loyalty_sync.books.apply import apply_products
from loyalty_sync.engine.program import DEFAULT_PROGRAM, CouponTemplate, MultiplierRule, Reward, program_to_dict
from loyalty_sync.extensions import db
from loyalty_sync.models import ProgramVersion
from tests.loyalty_sync.program.helpers import orders
from tests.support import wc

NOW = wc.T0 + timedelta(days=100)
D = Decimal


def _catalogue(store, sku="VIP-MEMBERSHIP"):
    apply_products(store, [wc.product(100, sku="BEANS"), wc.product(101, sku=sku)])
    db.session.commit()


def _fields(found):
    return {w.field: w.message for w in found}


def test_defaults_on_a_store_with_a_gold_member_give_no_warning(store):
    _catalogue(store)
    orders(
        store,
        [wc.order(1, lines=[wc.line(11, "1200.00")], email="gold@example.com", created=NOW - timedelta(days=5))],
        NOW,
    )
    assert warnings_for(DEFAULT_PROGRAM, store, now=NOW) == []


def test_each_conflict_is_named_at_its_field(store):
    _catalogue(store, sku="OTHER")
    orders(
        store,
        [
            wc.order(1, lines=[wc.line(11, "900.00")], email="near@example.com", created=NOW - timedelta(days=5)),
            wc.order(2, lines=[wc.line(21, "100.00")], email="far@example.com", created=NOW - timedelta(days=5)),
        ],
        NOW,
    )
    program = replace(
        DEFAULT_PROGRAM,
        multipliers=(
            MultiplierRule(
                D(2), category_id=5, starts=NOW - timedelta(days=10), ends=NOW + timedelta(days=20), label="coffee"
            ),
            MultiplierRule(D(3), category_id=5, starts=NOW + timedelta(days=10), ends=NOW + timedelta(days=40)),
            MultiplierRule(D(2), product_id=7, starts=NOW - timedelta(days=40), ends=NOW - timedelta(days=10)),
            MultiplierRule(D(2), product_id=8),  # no window, alone on its product: fine
        ),
        rewards=(
            Reward("a", "5 off", 500, CouponTemplate("fixed_cart", D(5))),
            Reward("b", "8 off", 1000, CouponTemplate("fixed_cart", D(8))),
        ),
        pending_days=30,
        expiry_months=1,
        vip_min_spend=D(500),
    )
    found = _fields(warnings_for(program, store, now=NOW))
    assert set(found) == {
        "multipliers.1",
        "multipliers.2",
        "rewards.1",
        "expiry_months",
        "vip_min_spend",
        "tiers.2.threshold",
        "vip_membership_sku",
    }, found
    assert "the higher one wins: x3" in found["multipliers.1"] and "multipliers.0 (coffee)" in found["multipliers.1"]
    assert "ended on" in found["multipliers.2"]
    assert "0.80 per 100 points" in found["rewards.1"] and "'5 off'" in found["rewards.1"]
    assert "expire before they can be spent" in found["expiry_months"]
    assert "easier to join than the top tier" in found["vip_min_spend"]
    # Gold (1000): nobody; 900 is within 20 %.
    assert "no member reaches Gold" in found["tiers.2.threshold"] and "1 member is within" in found["tiers.2.threshold"]
    assert "VIP-MEMBERSHIP" in found["vip_membership_sku"]
    stacked = _fields(warnings_for(replace(program, stack_multipliers=True), None, now=NOW))
    assert "x6" in stacked["multipliers.1"]


def test_program_save_prints_warnings_and_saves_a_version(store, app, tmp_path):
    _catalogue(store)  # the default program's membership SKU must exist (test_membership_sku.py)
    runner = app.test_cli_runner()
    rules = tmp_path / "rules.json"
    shown = json.loads(runner.invoke(args=["program", "show", "--store", "shop", "--json"]).output)
    shown["vip_min_spend"] = "400"
    rules.write_text(json.dumps(shown))
    result = runner.invoke(args=["program", "save", "--store", "shop", "--rules", str(rules), "--note", "easier VIP"])
    assert result.exit_code == 0, result.output
    assert "warning: vip_min_spend" in result.output and "saved version 2" in result.output
    latest = db.session.execute(db.select(ProgramVersion).order_by(ProgramVersion.number.desc())).scalars().first()
    assert latest.number == 2 and latest.rules["vip_min_spend"] == "400" and latest.note == "easier VIP"
    bad = runner.invoke(args=["program", "save", "--store", "shop", "--set", "tiers.Gold.threshold=10"])
    assert bad.exit_code != 0 and "thresholds must rise" in bad.output
    assert program_to_dict(DEFAULT_PROGRAM)["vip_min_spend"] == "1000"
