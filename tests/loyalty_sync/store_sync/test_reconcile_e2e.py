"""Reconciliation end to end over real HTTP (woosim, or a real store:
conftest.py): the store is tampered with through its API and test controls,
`reconcile` reports each drift, `--fix` heals it, and a second run reports
nothing."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Order, SyncRun
from loyalty_sync.store_sync.reconcile import reconcile
from loyalty_sync.store_sync.sync_pass import run_pass


def sync(store):
    run = run_pass(store.id)
    assert run.status == "ok", (run.status, run.error)
    db.session.expire_all()
    return run


def cli(runner, *args):
    import traceback

    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, (
        result.output,
        "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else "",
    )
    return json.loads(result.output) if "--json" in args else result.output


def _coupons(member, source):
    return (
        db.session.execute(db.select(Coupon).where(Coupon.member_id == member.id, Coupon.source == source))
        .scalars()
        .all()
    )


@pytest.mark.woosim_only(
    reason="backdates an order's date_modified and edits the store without a trace (woosim's control API)"
)
def test_reconcile_reports_each_drift_fix_heals_it_and_a_second_run_is_clean(app, store, shop, woosim):
    beans = shop.product("Beans", "100.00")
    anna = shop.customer("anna@example.com", "Anna")
    bob = shop.customer("bob@example.com", "Bob")
    shop.order([(beans["id"], 11)], customer_id=anna["id"], email="anna@example.com")  # 1100: Gold, 12 off
    shop.order([(beans["id"], 6)], customer_id=bob["id"], email="bob@example.com")  # 600: Silver, 5 off
    sync(store)
    runner = app.test_cli_runner()
    clean = cli(runner, "reconcile", "--store", "sim", "--json")
    assert clean["drift"] == [], clean["drift"]
    assert clean["checked"]["orders"] == 2 and clean["checked"]["members"] == 2 and clean["checked"]["coupons"] >= 4

    a, b = find_member(store, "anna@example.com"), find_member(store, "bob@example.com")
    [reward] = _coupons(a, "reward")
    [gold] = _coupons(a, "tierup")
    [silver] = _coupons(b, "tierup")
    # 1. a coupon deleted in the store without a trace
    woosim.control.delete_coupon_silently(reward.wc_id)
    # 2. a coupon edited in the store
    shop._ok(shop.api.put(f"coupons/{gold.wc_id}", {"amount": "50"}))
    # 3. a member's loyalty meta edited behind our back
    woosim.control.set_customer_meta_silently(anna["id"], [{"key": "loyalty_tier", "value": "Bronze"}])
    # 4. an order the bookmark never sees (date_modified before it), which uses Bob's coupon
    missed = shop.order([(beans["id"], 1)], customer_id=bob["id"], email="bob@example.com", coupons=[silver.code])
    old = (datetime.now(timezone.utc) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
    woosim.control.backdate_order(missed["id"], date_modified_gmt=old)
    sync(store)  # the normal pass does not see it
    assert db.session.execute(db.select(Order).filter_by(wc_id=missed["id"])).scalar_one_or_none() is None

    report = cli(runner, "reconcile", "--store", "sim", "--json")
    found = {(d["kind"], d["ref"]) for d in report["drift"]}
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    assert found == {
        ("coupon_missing", reward.code),
        ("coupon_changed", gold.code),
        ("coupon_usage", silver.code),
        ("meta_changed", "anna@example.com"),
        ("orders_missed", month),
    }, report["drift"]
    by_kind = {d["kind"]: d for d in report["drift"]}
    assert by_kind["coupon_changed"]["store_value"] == {"amount": "50.00"}
    assert by_kind["coupon_changed"]["books_value"] == {"amount": "10.00"}
    assert by_kind["meta_changed"]["store_value"] == {"loyalty_tier": "Bronze"}
    assert by_kind["orders_missed"]["store_value"]["missing"] == [missed["id"]]
    assert by_kind["coupon_usage"]["store_value"] == {"usage_count": 1}
    db.session.expire_all()
    assert db.session.get(Coupon, reward.id).status == "pushed"  # a report changes nothing

    fixed = cli(runner, "reconcile", "--store", "sim", "--fix", "--json")
    assert fixed["fixed"] >= 4, fixed
    again = cli(runner, "reconcile", "--store", "sim", "--json")
    assert again["drift"] == [], again["drift"]

    db.session.expire_all()
    assert any(c["code"] == reward.code.lower() for c in shop.coupons())
    assert [c for c in shop.coupons() if c["code"] == gold.code.lower()][0]["amount"] == "10.00"
    assert shop.customer_meta(anna["id"])["loyalty_tier"] == "Gold"
    assert db.session.execute(db.select(Order).filter_by(wc_id=missed["id"])).scalar_one().member_id == b.id
    assert db.session.get(Coupon, silver.id).status == "used"
    b = find_member(store, "bob@example.com")
    assert shop.customer_meta(bob["id"])["loyalty_points"] == str(b.points)
    kinds = [r.kind for r in db.session.execute(db.select(SyncRun).order_by(SyncRun.id)).scalars()]
    assert kinds.count("reconcile") == 4


def test_reconcile_stays_near_the_request_limit(app, store, shop, store_requests):
    """Coupons and customers are listed 100 per page; orders are counted twice per month
    (`status=any` and `status=trash`: one count let a trashed and a missed order cancel out)."""
    beans = shop.product("Beans", "10.00")
    for i in range(3):
        c = shop.customer(shop.email(f"c{i}"))
        shop.order([(beans["id"], 1)], customer_id=c["id"], email=c["email"])
    sync(store)
    store_requests.clear()
    assert reconcile(store)["drift"] == []
    paths = [entry.path.split(" ", 1)[1] + "?" + entry.query for entry in store_requests]
    listing = [p for p in paths if p.split("?")[0].endswith(("/coupons", "/customers"))]
    assert listing and all("per_page=100" in p for p in listing), listing
    counts = [p for p in paths if p.split("?")[0].endswith("/orders")]
    assert len(counts) == 3  # the first order's date, then this month's any and trash counts


def test_daily_upkeep_reconciles_and_heals(app, store, shop):
    from sync_jobs.tasks import daily_upkeep

    beans = shop.product("Beans", "100.00")
    anna_email = shop.email("anna")
    anna = shop.customer(anna_email, "Anna")
    shop.order([(beans["id"], 6)], customer_id=anna["id"], email=anna_email)
    sync(store)
    [reward] = _coupons(find_member(store, anna_email), "reward")
    shop.delete_coupon(reward.wc_id)  # an admin deletes it in the store
    shop.set_customer_meta(anna["id"], {"loyalty_points": "9999"})  # and edits the member's meta
    run = daily_upkeep(store.id)
    assert run.status == "ok", run.error
    assert any(c["code"] == reward.code.lower() for c in shop.coupons())
    assert shop.customer_meta(anna["id"])["loyalty_points"] == str(find_member(store, anna_email).points)
    [rec] = db.session.execute(db.select(SyncRun).filter_by(kind="reconcile")).scalars().all()
    assert rec.counts["drift"] == {"coupon_missing": 1, "meta_changed": 1} and rec.counts["fixed"] == 2
    assert reconcile(store)["drift"] == []
