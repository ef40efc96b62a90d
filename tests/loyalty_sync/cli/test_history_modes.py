"""Connecting a store with two years of history (woosim's seeded demo shop,
over HTTP): in review nothing reaches the store and no point is booked; the
first-sync plan names exact counts and money, and the pass after the owner
chose a mode books exactly that; no coupon for an event before the
connection."""

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from loyalty_sync.analysis.dashboard import liability
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order, Store
from tests.support.stores import quick_retries
from woosim.testing import WooSimServer


@pytest.fixture
def seeded(app):
    quick_retries(app)
    with WooSimServer(seed="demo", customers=40, orders=400, webhook_delay=0.05) as sim:
        yield sim


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def _add(app, sim, *history):
    return _cli(app, "stores", "add", "demo", "--url", sim.url, "--key", sim.key, "--secret", sim.secret, *history)


def _writes(sim) -> dict:
    return {k: n for k, n in sim.control.request_counts().items() if not k.startswith("GET")}


def _count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def _plan(app, mode: str) -> dict:
    shown = json.loads(_cli(app, "stores", "plan", "demo", "--json").stdout)
    return next(m for m in shown["modes"] if m["mode"] == mode)


def _books() -> dict:
    """The books after a pass, in the plan's terms."""
    db.session.expire_all()
    store = db.session.execute(db.select(Store).filter_by(name="demo")).scalar_one()
    members = db.session.execute(db.select(Member).where(Member.merged_into_id.is_(None))).scalars().all()
    coupons = Counter()
    values = Counter()
    for c in db.session.execute(db.select(Coupon)).scalars():
        coupons[c.source] += 1
        if c.discount_type == "fixed_cart" and not c.free_shipping:
            values[c.source] += c.amount
    return {
        "members": len(members),
        "points": sum(m.points for m in members),
        "tiers": dict(Counter(m.tier for m in members)),
        "vip": sum(1 for m in members if m.vip),
        "coupons": {k: (n, str(Decimal(values[k]).quantize(Decimal("0.01")))) for k, n in coupons.items()},
        "liability": str(liability(store)["money"]),
    }


def _planned(plan: dict) -> dict:
    return {
        "members": plan["members"],
        "points": plan["points"],
        "tiers": plan["tiers"],
        "vip": plan["vip"],
        "coupons": {k["kind"]: (k["count"], k["value"]) for k in plan["coupons"]},
        "liability": plan["liability"],
    }


def _review_pass(app, sim):
    out = _add(app, sim).output
    assert "review" in out and "stores plan demo" in out
    sim.control.clear_requests()
    for _ in range(2):  # a second pass neither
        assert "in review: nothing booked or pushed" in _cli(app, "sync", "run", "--store", "demo").output
    assert _writes(sim) == {}
    assert (_count(LedgerEntry), _count(Coupon)) == (0, 0)
    assert _count(Member) > 40  # pulled: the registered customers and the guests


def test_review_then_tiers_only_books_tiers_and_vip_and_nothing_else(app, seeded):
    _review_pass(app, seeded)
    plan = _plan(app, "tiers-only")
    assert plan["points"] == 0 and plan["coupons"] == [] and plan["liability"] == "0.00"
    assert sum(n for tier, n in plan["tiers"].items() if tier != "Bronze") > 0 and plan["vip"] > 0
    out = _cli(app, "stores", "history", "demo", "--mode", "tiers-only").output
    assert "tiers-only" in out
    _cli(app, "sync", "run", "--store", "demo")
    books = _books()
    assert books == _planned(plan)
    assert (_count(LedgerEntry), _count(Coupon)) == (0, 0)
    # Guests count like registered members: each on the tier of their 12-month spend.
    guests = db.session.execute(db.select(Member).where(Member.customer_id.is_(None))).scalars().all()
    assert guests and all(m.tier for m in guests)
    assert all(
        m.tier == ("Gold" if m.spend_12m >= 1000 else "Silver" if m.spend_12m >= 300 else "Bronze") for m in guests
    )
    # The tiers and VIP status reach the store as customer meta; still no coupon.
    assert any("POST /wp-json/wc/v3/customers/batch" in k for k in _writes(seeded))
    assert not any("coupons" in k for k in _writes(seeded))


def test_review_then_award_books_the_plan_and_no_coupon_for_the_past(app, seeded):
    _review_pass(app, seeded)
    plan = _plan(app, "award")
    assert plan["points"] > 0 and Decimal(plan["liability"]) > 0
    # Only the points the history leaves become coupons (reward coupons, listed first).
    assert [k["kind"] for k in plan["coupons"]] in ([], ["reward"])
    _cli(app, "stores", "history", "demo", "--mode", "award")
    _cli(app, "sync", "run", "--store", "demo")
    assert _books() == _planned(plan)
    sources = set(db.session.execute(db.select(Coupon.source)).scalars())
    assert sources <= {"reward"}  # no tier-up, VIP perk, birthday or referral coupon for the past
    ours = db.session.execute(
        db.select(db.func.count()).select_from(Coupon).where(Coupon.status == "pushed")
    ).scalar_one()
    assert ours == _count(Coupon)


def test_since_a_date_earns_from_that_day_only_and_books_its_plan(app, seeded):
    _review_pass(app, seeded)
    since = (datetime.now(timezone.utc) - timedelta(days=180)).date().isoformat()
    shown = json.loads(_cli(app, "stores", "plan", "demo", "--json", "--since", since).stdout)
    plans = {m["mode"]: m for m in shown["modes"]}
    assert 0 < plans[f"since:{since}"]["points"] < plans["award"]["points"]
    _cli(app, "stores", "history", "demo", "--mode", f"since:{since}")
    _cli(app, "sync", "run", "--store", "demo")
    assert _books() == _planned(plans[f"since:{since}"])
    cut = datetime.fromisoformat(since).replace(tzinfo=timezone.utc)
    earned_before = db.session.execute(
        db.select(db.func.count()).select_from(Order).where(Order.created < cut, Order.earned != 0)
    ).scalar_one()
    earned_after = db.session.execute(
        db.select(db.func.count()).select_from(Order).where(Order.created >= cut, Order.earned > 0)
    ).scalar_one()
    assert (earned_before, earned_after > 0) == (0, True)


def test_the_mode_is_chosen_once(app, seeded):
    _add(app, seeded, "--history", "award")
    _cli(app, "sync", "run", "--store", "demo")
    assert _count(LedgerEntry) > 0
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["stores", "history", "demo", "--mode", "tiers-only"])
    assert refused.exit_code != 0 and "chosen once" in refused.output
    back = runner.invoke(args=["stores", "history", "demo", "--mode", "review"])
    assert back.exit_code != 0 and "not a history mode" in back.output
    bad = runner.invoke(args=["stores", "add", "x", "--url", "https://x.example", "--history", "since:2024-13-01"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    assert "already" in _cli(app, "stores", "history", "demo", "--mode", "award").output
