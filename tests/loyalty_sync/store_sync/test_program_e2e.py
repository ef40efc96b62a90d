"""The program beyond points, end to end: scenarios built through the store's
REST API (StoreScript; woosim, or a real store: conftest.py), a real sync pass
over HTTP, and then what the store holds: coupons (codes, restrictions) and the
customers' loyalty meta."""

import dataclasses
from datetime import datetime, timedelta, timezone

from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.books.referrals import referral_coupon_for
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry
from loyalty_sync.store_sync.sync_pass import run_pass


def sync(store):
    run = run_pass(store.id)
    assert run.status == "ok", (run.status, run.error)
    db.session.expire_all()
    return run


def store_coupon(shop, code):
    [found] = [c for c in shop.coupons() if c["code"] == code.lower()]
    return found


def test_referral_coupon_in_the_store_and_the_bonus_for_a_friends_first_order(app, store, shop):
    beans = shop.product("Beans", "40.00")
    anna_email, bob_email = shop.email("anna"), shop.email("bob")
    anna = shop.customer(anna_email, "Anna")
    bob = shop.customer(bob_email, "Bob")
    sync(store)
    member = find_member(store, anna_email)
    assert member.referral_code is None  # issued when Anna first needs it, not on the sync
    referral_coupon_for(store, member, program_in_force(store)[1], datetime.now(timezone.utc))
    db.session.commit()
    sync(store)  # the pass pushes it
    member = find_member(store, anna_email)
    remote = store_coupon(shop, member.referral_code)
    assert remote["discount_type"] == "percent" and remote["amount"] == "10.00"
    assert remote["email_restrictions"] == [] and remote["usage_limit"] is None and remote["usage_limit_per_user"] == 1

    friend_order = shop.order(
        [(beans["id"], 1)], customer_id=bob["id"], email=bob_email, coupons=[member.referral_code]
    )
    assert friend_order["discount_total"] == "4.00"  # the friend's 10 % through the coupon itself
    sync(store)
    member = find_member(store, anna_email)
    bonus = db.session.execute(db.select(LedgerEntry).where(LedgerEntry.member_id == member.id)).scalar_one()
    assert (bonus.kind, bonus.points, bonus.key) == ("bonus", 200, f"referral:{friend_order['id']}")
    meta = shop.customer_meta(anna["id"])
    assert meta["loyalty_points"] == "200"
    assert "Referred a friend" in meta["loyalty_badges"].split(",")
    assert shop.customer_meta(bob["id"])["loyalty_points"] == "36"  # 40 - 10 %, Bob's own earn

    shop.set_status(friend_order["id"], "cancelled")
    sync(store)
    assert shop.customer_meta(anna["id"])["loyalty_points"] == "0"


def test_birthday_coupon_in_the_birthday_week(app, store, shop):
    today = datetime.now(timezone.utc).date()
    anna_email = shop.email("anna")
    anna = shop.customer(anna_email, "Anna", meta=[("birthday", f"{today.day:02d}.{today.month:02d}.1990")])
    sync(store)
    member = find_member(store, anna_email)
    [coupon] = db.session.execute(db.select(Coupon).where(Coupon.source == "birthday")).scalars().all()
    assert coupon.member_id == member.id and coupon.status == "pushed"
    remote = store_coupon(shop, coupon.code)
    assert remote["email_restrictions"] == [anna_email] and remote["amount"] == "5.00"
    assert remote["usage_limit"] == 1
    sync(store)  # never twice
    assert (
        db.session.execute(
            db.select(db.func.count()).select_from(Coupon).where(Coupon.source == "birthday")
        ).scalar_one()
        == 1
    )
    assert shop.customer_meta(anna["id"])["loyalty_points"] == "0"


def test_review_bonus_for_a_verified_buyer_and_taken_back_when_unapproved(app, store, shop):
    beans = shop.product("Beans", "40.00")
    anna_email = shop.email("anna")
    anna = shop.customer(anna_email, "Anna")
    shop.order([(beans["id"], 1)], customer_id=anna["id"], email=anna_email)
    review = shop._ok(
        shop.api.post(
            "products/reviews",
            {
                "product_id": beans["id"],
                "review": "Great beans",
                "reviewer": "Anna",
                "reviewer_email": anna_email,
                "rating": 5,
            },
        )
    )
    assert review["verified"] is True
    unverified = shop._ok(
        shop.api.post(
            "products/reviews",
            {
                "product_id": beans["id"],
                "review": "Never bought",
                "reviewer": "Eve",
                "reviewer_email": shop.email("eve"),
                "rating": 1,
            },
        )
    )
    assert unverified["verified"] is False
    sync(store)
    assert shop.customer_meta(anna["id"])["loyalty_points"] == str(40 + 50)

    shop._ok(shop.api.put(f"products/reviews/{review['id']}", {"status": "hold"}))
    sync(store)
    assert shop.customer_meta(anna["id"])["loyalty_points"] == "40"
    member = find_member(store, anna_email)
    kinds = db.session.execute(
        db.select(LedgerEntry.kind, LedgerEntry.points)
        .where(LedgerEntry.member_id == member.id, LedgerEntry.key.startswith("review:"))
        .order_by(LedgerEntry.id)
    ).all()
    assert kinds == [("bonus", 50), ("reverse", -50)]


def test_paid_vip_by_sku_its_perks_renewal_and_refund(app, store, shop):
    sku = shop.sku("VIP-MEMBERSHIP")  # a SKU is unique in a store
    _, program = program_in_force(store)
    save_program(store, dataclasses.replace(program, vip_membership_sku=sku), actor="test")
    db.session.commit()
    membership = shop.product("VIP membership", "49.00", sku=sku)
    anna_email = shop.email("anna")
    anna = shop.customer(anna_email, "Anna")
    bought = shop.order([(membership["id"], 1)], customer_id=anna["id"], email=anna_email)
    sync(store)
    paid = datetime.fromisoformat(bought["date_paid_gmt"]).replace(tzinfo=timezone.utc)
    meta = shop.customer_meta(anna["id"])
    assert meta["loyalty_vip"] == "yes"
    assert meta["loyalty_vip_until"] == (paid + timedelta(days=365)).date().isoformat()
    assert meta["loyalty_vip_since"] == paid.date().isoformat()  # start and end reach the store (issue 16 #9)
    assert "VIP" in meta["loyalty_badges"].split(",")
    # the perks: this month's free-shipping coupon and this year's exclusive 10 %, once
    member = find_member(store, anna_email)
    perks = {
        c.source: c
        for c in db.session.execute(
            db.select(Coupon).where(
                Coupon.member_id == member.id, Coupon.source.in_(("vip_free_shipping", "vip_exclusive"))
            )
        ).scalars()
    }
    assert set(perks) == {"vip_free_shipping", "vip_exclusive"}
    ship, exclusive = (
        store_coupon(shop, perks["vip_free_shipping"].code),
        store_coupon(shop, perks["vip_exclusive"].code),
    )
    assert ship["free_shipping"] is True and ship["email_restrictions"] == [anna_email]
    assert exclusive["discount_type"] == "percent" and exclusive["amount"] == "10.00"
    sync(store)
    assert (
        db.session.execute(
            db.select(db.func.count())
            .select_from(Coupon)
            .where(Coupon.source.in_(("vip_free_shipping", "vip_exclusive")))
        ).scalar_one()
        == 2
    )

    renewal = shop.order([(membership["id"], 1)], customer_id=anna["id"], email=anna_email)
    sync(store)
    assert shop.customer_meta(anna["id"])["loyalty_vip_until"] == (paid + timedelta(days=730)).date().isoformat()

    for o in (bought, renewal):
        shop.refund(o["id"], o["total"], lines=[(o["line_items"][0]["id"], 1, o["line_items"][0]["total"])])
    sync(store)
    meta = shop.customer_meta(anna["id"])
    assert meta["loyalty_vip"] == "no" and meta["loyalty_vip_until"] == ""


def test_campaign_to_a_segment_ends_as_personal_coupons_in_the_store(app, store, shop, runner):
    from loyalty_sync.models import Campaign

    beans = shop.product("Beans", "40.00")
    buyers = [shop.customer(shop.email(f"c{i}"), f"C{i}") for i in range(3)]
    for c in buyers[:2]:
        shop.order([(beans["id"], 1)], customer_id=c["id"], email=c["email"])
    sync(store)  # books first: the segments come from the order history we hold
    result = runner.invoke(
        args=[
            "campaigns",
            "send",
            "--store",
            store.name,
            "--segment",
            "new",
            "--type",
            "percent",
            "--amount",
            "15",
            "--expires-days",
            "14",
            "--name",
            "welcome back",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    campaign = db.session.execute(db.select(Campaign)).scalar_one()
    assert (campaign.total, campaign.issued, campaign.pushed, campaign.status) == (2, 2, 2, "done")
    sent = db.session.execute(db.select(Coupon).where(Coupon.source == "campaign")).scalars().all()
    in_store = {c["code"]: c for c in shop.coupons()}
    assert sorted(in_store[c.code]["email_restrictions"][0] for c in sent) == [buyers[0]["email"], buyers[1]["email"]]
    assert all(in_store[c.code]["amount"] == "15.00" and in_store[c.code]["usage_limit"] == 1 for c in sent)
    # sending the same campaign again never gives anyone a second coupon
    from loyalty_sync.actions.campaigns import issue_coupons

    assert issue_coupons(store, campaign) == 0
    sync(store)
    assert len(db.session.execute(db.select(Coupon).where(Coupon.source == "campaign")).scalars().all()) == 2
