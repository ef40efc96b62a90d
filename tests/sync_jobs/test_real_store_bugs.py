"""Product bugs a real WooCommerce 10.0.2 store showed (issue 16), end to end
against woosim answering as that store does: coupon expiry, trashed and
restored orders, drafts in `status=any`, renamed coupons, VIP dates."""
from datetime import datetime, timedelta, timezone

from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Order
from loyalty_sync.reconcile import reconcile
from loyalty_sync.statements import find_member
from sync_jobs.sync_pass import run_pass


def sync(store):
    run = run_pass(store.id)
    assert run.status == "ok", (run.status, run.error)
    db.session.expire_all()
    return run


def _gmt(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _store_coupon(shop, coupon: Coupon) -> dict:
    return shop._ok(shop.api.get(f"coupons/{coupon.wc_id}"))


# --- 1. coupons expire in the store ------------------------------------------------------------------

def test_pushed_coupons_carry_their_expiry_and_reconcile_converges(app, store, shop):
    beans = shop.product("Beans", "100.00")
    anna = shop.customer("anna@example.com", "Anna")
    shop.order([(beans["id"], 11)], customer_id=anna["id"], email="anna@example.com")
    sync(store)
    coupons = db.session.execute(db.select(Coupon).where(Coupon.store_id == store.id,
                                                         Coupon.expires_at.is_not(None))).scalars().all()
    assert coupons, "the scenario issues coupons with an expiry"
    for coupon in coupons:
        remote = _store_coupon(shop, coupon)
        assert remote["date_expires_gmt"] == _gmt(coupon.expires_at), (coupon.source, remote["date_expires_gmt"])
    assert reconcile(store)["drift"] == []

    # an admin moves one coupon's expiry in the store: one drift, fixed once, then clean
    moved = coupons[0]
    shop._ok(shop.api.put(f"coupons/{moved.wc_id}", {"date_expires": "2030-01-01T00:00:00+00:00"}))
    report = reconcile(store)
    assert [(d["kind"], d["ref"], list(d["store_value"])) for d in report["drift"]] == \
        [("coupon_changed", moved.code, ["date_expires"])]
    reconcile(store, fix=True)
    assert _store_coupon(shop, moved)["date_expires_gmt"] == _gmt(moved.expires_at)
    assert reconcile(store)["drift"] == []
