"""Small factories for admin tests: stores, users, and members built through
the real apply service from WooCommerce-shaped orders."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from loyalty_sync.actions.users import create_user
from loyalty_sync.books.apply import apply_orders, apply_products
from loyalty_sync.books.program_versions import ensure_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Campaign, Category, Coupon, Member, Store, SyncRun

NOW = datetime.now(timezone.utc).replace(microsecond=0)
CONSUMER_SECRET = "cs_topsecretvalue0123456789abcdefDEADBEEF"
ADMIN_PASSWORD = "correct horse battery staple 42"
VIEWER_PASSWORD = "viewer password for tests 7"
_ids = itertools.count(1000)


def make_store(name: str = "shop", *, secret: str = CONSUMER_SECRET, currency: str = "EUR") -> Store:
    store = Store(name=name, url=f"https://{name}.example", consumer_key="ck_publickey0123456789",
                  consumer_secret=secret, webhook_secret="whsec_" + "x" * 24, currency=currency)
    db.session.add(store)
    db.session.flush()
    ensure_program(store)
    db.session.commit()
    return store


def make_user(email: str = "admin@example.com", password: str = ADMIN_PASSWORD, role: str = "admin"):
    user = create_user(email, password, role)
    db.session.commit()
    return user


def wc_order(order_id: int, *, customer_id: int, email: str, total: str, status: str = "completed",
             created: datetime | None = None, product_id: int = 11, sku: str = "ESP-1KG",
             first_name: str = "Anna", last_name: str = "Schmidt") -> dict:
    """A wc/v3 order (shape of captures/074-order-get.json) with one line, no tax."""
    created = created or NOW - timedelta(days=10)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "id": order_id, "parent_id": 0, "status": status, "currency": "EUR",
        "date_created_gmt": stamp, "date_modified_gmt": stamp,
        "date_paid_gmt": stamp, "date_completed_gmt": stamp if status == "completed" else None,
        "discount_total": "0.00", "shipping_total": "0.00", "shipping_tax": "0.00",
        "total": total, "total_tax": "0.00", "customer_id": customer_id,
        "billing": {"first_name": first_name, "last_name": last_name, "email": email,
                    "address_1": "Hauptstrasse 5", "city": "Berlin", "postcode": "10115", "country": "DE"},
        "line_items": [{"id": order_id * 10 + 1, "product_id": product_id, "variation_id": 0, "quantity": 1,
                        "total": total, "total_tax": "0.00", "sku": sku, "meta_data": []}],
        "refunds": [], "coupon_lines": [], "meta_data": [],
    }


def make_member(store: Store, email: str, spends: list[str], *, customer_id: int | None = None,
                first_name: str = "Anna", last_name: str = "Schmidt", days_ago: int = 10) -> Member:
    """A member with one completed order per amount in `spends` (applied by the real engine)."""
    customer_id = customer_id if customer_id is not None else next(_ids)
    orders = [wc_order(next(_ids), customer_id=customer_id, email=email, total=amount,
                       created=NOW - timedelta(days=days_ago + i), first_name=first_name, last_name=last_name)
              for i, amount in enumerate(spends)]
    apply_orders(store, orders, now=NOW)
    db.session.commit()
    member = db.session.execute(db.select(Member).where(Member.store_id == store.id, Member.email == email)).scalar_one()
    member.first_name, member.last_name = first_name, last_name
    db.session.commit()
    return member


def make_catalogue(store: Store) -> None:
    db.session.add(Category(store_id=store.id, wc_id=5, name="Coffee"))
    apply_products(store, [
        {"id": 11, "name": "Espresso Beans 1kg", "sku": "ESP-1KG", "price": "24.90", "categories": [{"id": 5}]},
        {"id": 99, "name": "VIP membership", "sku": "VIP-MEMBERSHIP", "price": "49.00", "categories": []},
    ])
    db.session.commit()


def make_failed_coupon(store: Store, member: Member, error: str = "coupon_invalid_amount: the store refused it") -> Coupon:
    coupon = Coupon(store_id=store.id, member_id=member.id, key=f"test:{next(_ids)}", code=f"LOYAL-{next(_ids)}",
                    source="reward", discount_type="fixed_cart", amount=Decimal("5"), email=member.email,
                    points_cost=500, status="failed", last_error=error, push_attempts=3,
                    expires_at=NOW + timedelta(days=90))
    db.session.add(coupon)
    db.session.commit()
    return coupon


def make_sync_runs(store: Store) -> None:
    db.session.add(SyncRun(store_id=store.id, kind="scheduled", status="ok", started_at=NOW - timedelta(hours=2),
                           finished_at=NOW - timedelta(hours=2) + timedelta(seconds=12), counts={"orders": 40},
                           requests=7))
    db.session.add(SyncRun(store_id=store.id, kind="scheduled", status="failed", started_at=NOW - timedelta(hours=1),
                           finished_at=NOW - timedelta(hours=1) + timedelta(seconds=3), counts={}, requests=2,
                           error="The store rejected the REST API keys (401)."))
    db.session.commit()


def populate(store: Store | None = None) -> dict:
    """A little of everything, for page-rendering tests."""
    store = store or make_store()
    make_catalogue(store)
    anna = make_member(store, "anna@example.com", ["120.00", "250.00"])
    ben = make_member(store, "ben@example.com", ["40.00"], first_name="Ben", last_name="Meyer")
    coupon = make_failed_coupon(store, anna)
    make_sync_runs(store)
    campaign = make_campaign_row(store)
    return {"store": store, "anna": anna, "ben": ben, "coupon": coupon, "campaign": campaign}


def make_campaign_row(store: Store) -> Campaign:
    """A finished campaign row without coupons (so that counts elsewhere stay as they were)."""
    campaign = Campaign(store_id=store.id, name="spring at-risk", segment="at_risk", member_filter={},
                        discount_type="percent", amount=Decimal("10"), expires_days=30, status="done",
                        total=0, issued=0, pushed=0, created_by="cli", created_at=NOW, finished_at=NOW)
    db.session.add(campaign)
    db.session.commit()
    return campaign
