"""What-if replay: hand-computed cases, the --set keys, the CLI, and that the books are never touched."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from loyalty_sync.analysis.whatif import SettingError, program_from_rules, program_with_settings, whatif_report
from loyalty_sync.engine.program import DEFAULT_PROGRAM, program_to_dict
from loyalty_sync.extensions import db
from tests.loyalty_sync.program.helpers import orders
from tests.support import wc

NOW = wc.T0 + timedelta(days=200)


def _history(store):
    """A: 200 (day -60) + 200 (day -30) = 400 spent -> Silver, 400 points, a tier-up coupon (5 off).
    B: 150 (day -20) -> Bronze, 150 points."""
    orders(
        store,
        [
            wc.order(
                1, lines=[wc.line(11, "200.00")], customer_id=0, email="a@example.com", created=NOW - timedelta(days=60)
            ),
            wc.order(
                2, lines=[wc.line(21, "200.00")], customer_id=0, email="a@example.com", created=NOW - timedelta(days=30)
            ),
            wc.order(
                3, lines=[wc.line(31, "150.00")], customer_id=0, email="b@example.com", created=NOW - timedelta(days=20)
            ),
        ],
        NOW,
    )


def dump_books():
    tables = ("ledger_entries", "coupons", "members", "orders", "vip_periods", "program_versions", "audit_log")
    out = {}
    for table in tables:
        try:
            out[table] = [tuple(r) for r in db.session.execute(db.text(f"SELECT * FROM {table} ORDER BY id"))]
        except Exception:
            db.session.rollback()
    return out


def test_double_rate_hand_computed(store):
    _history(store)
    before = dump_books()
    report = whatif_report(store, program_with_settings(DEFAULT_PROGRAM, ["earn.rate=2"]), now=NOW)
    assert set(report) == {
        "members",
        "tier_moves",
        "vip_in",
        "vip_out",
        "points_delta",
        "coupons_delta",
        "liability_delta",
        "earn_cost_share",
        "orders_replayed",
        "money",
    }
    assert report["orders_replayed"] == 3
    # A: 800 points -> auto-redeem 500 for 5 off, 300 left; B: 300.
    by_email = {m["email"]: m for m in report["members"]}
    assert (by_email["a@example.com"]["points_before"], by_email["a@example.com"]["points_after"]) == (400, 300)
    assert (by_email["b@example.com"]["points_before"], by_email["b@example.com"]["points_after"]) == (150, 300)
    assert by_email["a@example.com"]["tier_before"] == by_email["a@example.com"]["tier_after"] == "Silver"
    assert report["points_delta"] == -100 + 150
    assert report["tier_moves"] == {} and report["vip_in"] == report["vip_out"] == 0
    assert report["coupons_delta"] == {"count": 1, "money": "5.00"}
    # point value 12 / 1000 = 0.012: (300 + 300 - 400 - 150) * 0.012
    assert report["liability_delta"] == "0.60"
    # 550 points given on 550 revenue, then 1100, plus A's tier-up coupon (5 off, given without points):
    # (550 x 0.012 + 5) / 550 and (1100 x 0.012 + 5) / 550 (the reward coupon was paid with points).
    assert report["earn_cost_share"] == {"before": 0.0211, "after": 0.0331}
    assert dump_books() == before


def test_tier_threshold_and_vip_moves(store):
    _history(store)
    report = whatif_report(store, program_with_settings(DEFAULT_PROGRAM, ["tiers.silver.threshold=100"]), now=NOW)
    assert report["tier_moves"] == {"Bronze->Silver": 1}
    moved = {m["email"]: m for m in report["members"]}
    assert (moved["b@example.com"]["tier_before"], moved["b@example.com"]["tier_after"]) == ("Bronze", "Silver")
    # A is Silver after her first order now, so the second earns 200 x 1.25 = 250 (B's only order keeps x1).
    assert (moved["a@example.com"]["points_before"], moved["a@example.com"]["points_after"]) == (400, 450)
    assert report["points_delta"] == 50
    assert report["coupons_delta"] == {"count": 1, "money": "5.00"}  # B's tier-up coupon
    vip = whatif_report(
        store, program_with_settings(DEFAULT_PROGRAM, ["vip.min_spend=300", "vip.min_orders=2"]), now=NOW
    )
    assert vip["vip_in"] == 1 and vip["vip_out"] == 0
    assert [(m["email"], m["vip_before"], m["vip_after"]) for m in vip["members"]] == [("a@example.com", False, True)]


def test_demotion_after_the_window_is_replayed(store):
    """A Silver member whose orders left the 12-month window is demoted after grace in both replays,
    so nothing moves; with a lifetime window she stays Silver."""
    orders(
        store,
        [
            wc.order(
                5,
                lines=[wc.line(51, "400.00")],
                customer_id=0,
                email="old@example.com",
                created=NOW - timedelta(days=500),
            )
        ],
        NOW,
    )
    report = whatif_report(store, program_with_settings(DEFAULT_PROGRAM, ["tiers.window=lifetime"]), now=NOW)
    assert report["tier_moves"] == {"Bronze->Silver": 1}


def test_settings_map_onto_program_fields():
    p = program_with_settings(
        DEFAULT_PROGRAM,
        [
            "earn.rate=1.5",
            "earn.include_tax=true",
            "earn.include_shipping=yes",
            "earn.min_order=10",
            "tiers.Gold.multiplier=2",
            "tiers.metric=orders",
            "vip.min_spend=800",
            "vip.min_orders=3",
            "vip.multiplier=1.2",
            "expiry.months=6",
            'rewards=[{"id": "r1", "name": "3 off", "points": 200, "coupon": {"discount_type": "fixed_cart", "amount": 3.5}}]',
        ],
    )
    assert p.rate == Decimal("1.5") and p.include_tax and p.include_shipping and p.min_order == 10
    assert p.tier_named("Gold").multiplier == 2 and p.tier_metric == "orders"
    assert (p.vip_min_spend, p.vip_min_orders, p.vip_multiplier, p.expiry_months) == (800, 3, Decimal("1.2"), 6)
    assert p.rewards[0].points == 200 and p.rewards[0].coupon.amount == Decimal("3.5")
    with pytest.raises(SettingError, match="no tier"):
        program_with_settings(DEFAULT_PROGRAM, ["tiers.Platinum.threshold=5"])
    with pytest.raises(SettingError, match="unknown setting"):
        program_with_settings(DEFAULT_PROGRAM, ["earn.ratee=2"])
    shown = {"store": "shop", "version": 3, **program_to_dict(DEFAULT_PROGRAM)}
    assert program_from_rules(json.dumps(shown)) == DEFAULT_PROGRAM


def test_cli_json_and_books_unchanged(store, app, tmp_path):
    _history(store)
    before = dump_books()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["program", "whatif", "--store", "shop", "--set", "earn.rate=2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["orders_replayed"] == 3 and len(report["members"]) == 2
    rules = tmp_path / "rules.json"
    shown = runner.invoke(args=["program", "show", "--store", "shop", "--json"]).output
    data = json.loads(shown)
    data["rate"] = "2"
    rules.write_text(json.dumps(data))
    by_file = json.loads(
        runner.invoke(args=["program", "whatif", "--store", "shop", "--rules", str(rules), "--json"]).output
    )
    assert by_file["points_delta"] == report["points_delta"]
    text = runner.invoke(args=["program", "whatif", "--store", "shop", "--set", "earn.rate=2"])
    assert text.exit_code == 0 and "a@example.com" in text.output
    bad = runner.invoke(args=["program", "whatif", "--store", "shop", "--set", "earn.rate=-1"])
    assert bad.exit_code != 0 and "rate" in bad.output
    db.session.rollback()
    assert dump_books() == before


def test_replay_on_worker_processes_reports_the_same(store, monkeypatch):
    """A big store's replay runs on worker processes (replay_pool); forced here on a small one."""
    from loyalty_sync.analysis import replay_pool

    _history(store)
    before = dump_books()
    proposed = program_with_settings(DEFAULT_PROGRAM, ["earn.rate=2", "tiers.silver.threshold=100"])
    serial = whatif_report(store, proposed, now=NOW)
    monkeypatch.setattr(replay_pool, "PARALLEL_FROM", 1)
    monkeypatch.setattr(replay_pool.os, "cpu_count", lambda: 2)
    assert whatif_report(store, proposed, now=NOW) == serial
    assert serial["orders_replayed"] == 3 and serial["members"]
    assert dump_books() == before


def test_cli_prints_the_money_and_json_gives_the_same_numbers(store, app):
    """`program whatif` in money: before = the books (A 400 + B 150 points, A's tier-up coupon 5 off, open),
    after = the doubled rate (A 300 + B 300 points, one more coupon: A's 5 off for 500 points, used)."""
    _history(store)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["program", "whatif", "--store", "shop", "--set", "earn.rate=2", "--json"])
    assert result.exit_code == 0, result.output
    money = json.loads(result.output)["money"]
    assert money["currency"] == store.currency
    assert money["coupons"] == {"before": 1, "after": 2, "change": 1}
    assert money["coupon_value"] == {"before": "5.00", "after": "10.00", "change": "5.00"}
    assert money["points_outstanding"] == {"before": 550, "after": 600, "change": 50}
    # 550 x 0.012 + 5.00 open = 11.60; 600 x 0.012 + 5.00 = 12.20
    assert money["liability"] == {"before": "11.60", "after": "12.20", "change": "0.60"}
    assert money["earn_cost"] == {"before": "11.60", "after": "18.20", "change": "6.60"}
    assert money["revenue"] == "550.00"
    assert money["earn_cost_share"] == {"before": "0.0211", "after": "0.0331"}
    assert money["sampled"]["all"] is True and money["sampled"]["members"] == 2
    text = runner.invoke(args=["program", "whatif", "--store", "shop", "--set", "earn.rate=2"]).output
    assert "every member replayed (2 members)" in text and "Sampled " in text
    liability = next(line for line in text.splitlines() if line.startswith("Liability"))
    assert liability.split()[-3:] == ["€11.60", "€12.20", "+€0.60"], text
    assert "2.11%" in text and "3.31%" in text
