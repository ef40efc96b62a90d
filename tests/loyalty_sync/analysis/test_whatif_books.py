"""'Before equals the books today' (issue #19, item 5): books made by real sync passes (a woosim store over
HTTP) and the what-if's 'before' (in money, and the replay of the rules in force) compared exactly.

Anna, Ben and Clara each reach Silver (a tier-up coupon, 5 off, still open). Anna and Ben earn 600 points,
auto-redeemed into a 5-off reward coupon: Anna uses hers in a second order; Ben's expires unused (its
expiry is moved to its issue in our books, as if its 90 days were over),
so the daily upkeep gives his 500 points back and auto-redeem leaves them alone. Clara gets 50.00 refunded;
Dora's order is cancelled."""

from __future__ import annotations

from decimal import Decimal

from loyalty_sync.analysis.books_money import books_figures
from loyalty_sync.analysis.liability import liability_forecast
from loyalty_sync.analysis.whatif import preview_change, program_with_settings
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.statements import find_member
from loyalty_sync.engine.money import money_text
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member
from loyalty_sync.store_sync.sync_pass import run_pass
from sync_jobs.tasks import daily_upkeep


def _coupon(store, email, source):
    member = find_member(store, email)
    return db.session.execute(
        db.select(Coupon).where(Coupon.member_id == member.id, Coupon.source == source)
    ).scalar_one()


def _books_made_by_passes(store, shop):
    beans = shop.product("Beans", "50.00")
    shop.product("VIP membership", "99.00", sku="VIP-MEMBERSHIP")  # the defaults name it
    ids = {}
    for email, quantity in (
        ("anna@example.com", 12),
        ("ben@example.com", 12),
        ("clara@example.com", 8),
        ("dora@example.com", 3),
    ):
        customer = shop.customer(email, email.split("@")[0].title())
        ids[email] = customer["id"]
        order = shop.order([(beans["id"], quantity)], customer_id=customer["id"], email=email)
        if email == "clara@example.com":
            shop.refund(order["id"], "50.00")
        if email == "dora@example.com":
            shop.set_status(order["id"], "cancelled")
    assert run_pass(store.id).status == "ok"
    anna_reward = _coupon(store, "anna@example.com", "reward")
    shop.order(
        [(beans["id"], 2)], customer_id=ids["anna@example.com"], email="anna@example.com", coupons=[anna_reward.code]
    )
    ben_reward = _coupon(store, "ben@example.com", "reward")
    ben_reward.expires_at = ben_reward.issued_at  # its 90 days over at once (after the points it was paid with)
    db.session.commit()
    assert run_pass(store.id).status == "ok"  # Anna's second order, her coupon used
    assert daily_upkeep(store.id).status == "ok"  # Ben's coupon expires, his points come back
    db.session.expire_all()


def _store_revenue(shop) -> Decimal:
    """The store's own answer: paid orders' totals less their refunds."""
    orders = shop.api.get("orders", params={"per_page": 100, "status": "any"}).json()
    paid = [o for o in orders if o["status"] in ("completed", "processing")]
    assert len(paid) == 4  # Dora's is cancelled
    return sum(
        (Decimal(o["total"]) + sum((Decimal(r["total"]) for r in o["refunds"]), Decimal(0)) for o in paid), Decimal(0)
    )


def test_the_whatif_before_is_the_books_that_sync_passes_made(sim_store, shop):
    store = sim_store
    _books_made_by_passes(store, shop)
    # the books are as the story says
    assert _coupon(store, "anna@example.com", "reward").status == "used"
    assert _coupon(store, "ben@example.com", "reward").status == "expired"
    assert find_member(store, "ben@example.com").points == 600  # 500 back, not redeemed again
    assert (
        db.session.execute(
            db.select(db.func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.store_id == store.id, LedgerEntry.kind == "restore")
        ).scalar_one()
        == 1
    )

    _, current = program_in_force(store)
    impact = preview_change(store, program_with_settings(current, ["earn.rate=2"]))
    before = impact.money.before

    forecast = liability_forecast(store)
    points = db.session.execute(
        db.select(db.func.sum(Member.points)).where(Member.store_id == store.id, Member.points > 0)
    ).scalar_one()
    coupons = db.session.execute(db.select(Coupon).where(Coupon.store_id == store.id)).scalars().all()
    value = sum((c.amount for c in coupons if c.discount_type == "fixed_cart" and not c.free_shipping), Decimal(0))
    still_open = sum(
        (
            c.amount
            for c in coupons
            if c.status in ("pending", "pushed") and c.discount_type == "fixed_cart" and not c.free_shipping
        ),
        Decimal(0),
    )
    assert before.points == points == forecast["points"]
    assert money_text(before.points_money) == forecast["money"]
    assert (before.coupons, before.coupon_value) == (len(coupons), value) == (5, Decimal("25.00"))
    assert before.open_coupon_value == still_open == Decimal("15.00")  # the three tier-up coupons
    assert before.liability == Decimal(points) * before.point_value + still_open
    assert before.revenue == _store_revenue(shop)

    # The replay of the rules in force makes the same books: the delta starts from what is there.
    books, _revenue = books_figures(db.session, store.id)
    assert impact.before == books
