"""At-risk lists and the liability forecast on a small hand-made history.

NOW = 2026-07-24. Members (one completed order each, default program):
- gone@:  400 at NOW-370 d: Silver, fell below at NOW (order left the window), demoted NOW+30 d;
          its 400 points expired at NOW-5 d.
- later@: 350 at NOW-340 d: Silver until the order leaves the window (NOW+25 d), demoted NOW+55 d;
          350 points expire 2026-08-18.
- keeps@: 400 at NOW-100 d: Silver, 400 points expiring 2027-04; RFM "at risk" (100 days quiet).
- big@:   600 at NOW-10 d: Silver, 500 redeemed for 5 off, 100 left (expire after the 12-month horizon).
"""

import json
from datetime import timedelta

from loyalty_sync.actions.campaigns import campaign_for_list
from loyalty_sync.analysis.at_risk import at_risk, drop_forecast, write_csv
from loyalty_sync.analysis.liability import breakage_rate, liability_forecast
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon
from tests.loyalty_sync.program.helpers import orders
from tests.support import wc

NOW = wc.T0 + timedelta(days=200)


def _history(store, now=NOW):
    spec = [("gone", "400.00", 370), ("later", "350.00", 340), ("keeps", "400.00", 100), ("big", "600.00", 10)]
    orders(
        store,
        [
            wc.order(
                i + 1,
                lines=[wc.line(10 * (i + 1), amount)],
                customer_id=0,
                email=f"{name}@example.com",
                created=now - timedelta(days=days),
            )
            for i, (name, amount, days) in enumerate(spec)
        ],
        now,
    )


def test_tier_at_risk_with_the_spend_they_are_short(store):
    _history(store)
    rows = at_risk(store, "tier", now=NOW)
    assert [(r["email"], r["drops_to"], r["short"]) for r in rows] == [("gone@example.com", "Bronze", "300.00")]
    assert rows[0]["drops_on"] == (NOW + timedelta(days=30)).date().isoformat()
    later = at_risk(store, "tier", now=NOW, days=60)
    assert [r["email"] for r in later] == ["gone@example.com", "later@example.com"]
    assert later[1]["short"] == "300.00" and later[1]["drops_on"] == "2026-09-17"


def test_expiry_and_churn_lists_and_a_campaign_in_one_step(store):
    _history(store)
    expiring = at_risk(store, "expiry", now=NOW)
    assert [(r["email"], r["expiring_points"], r["first_expiry"]) for r in expiring] == [
        ("later@example.com", 350, "2026-08-18")
    ]
    churn = at_risk(store, "churn", now=NOW)
    assert [r["email"] for r in churn] == ["keeps@example.com"]
    assert "keeps@example.com" in write_csv(churn)
    campaign = campaign_for_list(store, "churn", churn, discount_type="fixed_cart", amount=5, now=NOW)
    coupons = db.session.execute(db.select(Coupon).filter_by(source="campaign")).scalars().all()
    assert campaign.issued == 1 and [c.email for c in coupons] == ["keeps@example.com"]


def test_members_at_risk_cli(store, app):
    from datetime import datetime, timezone

    _history(store, datetime.now(timezone.utc).replace(microsecond=0))  # the CLI reads the clock
    runner = app.test_cli_runner()
    result = runner.invoke(args=["members", "at-risk", "--store", "shop", "--kind", "churn", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["email"] for r in json.loads(result.output)] == ["keeps@example.com"]
    csv_out = runner.invoke(args=["members", "at-risk", "--store", "shop", "--kind", "expiry", "--csv"]).output
    assert csv_out.splitlines()[0].startswith("member_id,customer_id,email")


def test_drop_forecast_is_pure():
    from loyalty_sync.engine.facts import order_from_wc
    from loyalty_sync.engine.program import DEFAULT_PROGRAM

    facts = [order_from_wc(wc.order(1, lines=[wc.line(10, "400.00")], created=NOW - timedelta(days=350)), [], {})]
    assert drop_forecast(facts, DEFAULT_PROGRAM, "Silver", None, NOW, 30) is None  # leaves at +15 d, grace 30
    drops_on, metric, tier = drop_forecast(facts, DEFAULT_PROGRAM, "Silver", None, NOW, 60)
    assert (metric, tier) == (0, "Bronze") and 44 <= (drops_on - NOW).days <= 46


def test_liability_forecast_hand_computed(store, app):
    _history(store)
    report = liability_forecast(store, now=NOW)
    # 350 + 400 + 100 points x 0.012
    assert (report["points"], report["money"]) == (850, "10.20")
    assert (report["spendable_points"], report["pending_points"]) == (850, 0)
    schedule = {m["month"]: m["points"] for m in report["expiry_schedule"]}
    assert len(schedule) == 12 and schedule["2026-08"] == 350 and schedule["2027-04"] == 400
    assert sum(schedule.values()) == 750
    # 400 expired, 500 redeemed: 4/9 of the points that left balances expired.
    assert report["history"] == {"redeemed": 500, "restored": 0, "expired": 400}
    assert report["breakage_rate"] == 0.4444
    assert (report["expected_breakage"], report["expected_cost"]) == ("4.53", "5.67")
    assert breakage_rate(0, 0, 0) is None and breakage_rate(100, 100, 50) == 1.0
    cli = app.test_cli_runner().invoke(args=["kpi", "liability", "--store", "shop", "--json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output)["points"] == 850
