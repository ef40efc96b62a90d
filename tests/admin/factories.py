"""Small factories for admin tests: users, a catalogue, failed coupons, sync
runs and campaigns, and `populate` for a little of everything. Stores and
members come from the shared factories (tests/support/stores.py, members.py)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from loyalty_sync.actions.users import create_user
from loyalty_sync.books.apply import apply_products
from loyalty_sync.extensions import db
from loyalty_sync.models import Campaign, Category, Coupon, Member, Store, SyncRun
from tests.support.members import NOW, make_member
from tests.support.stores import make_store

ADMIN_PASSWORD = "correct horse battery staple 42"
VIEWER_PASSWORD = "viewer password for tests 7"
_ids = itertools.count(1000)


def make_user(email: str = "admin@example.com", password: str = ADMIN_PASSWORD, role: str = "admin"):
    user = create_user(email, password, role)
    db.session.commit()
    return user


def make_catalogue(store: Store) -> None:
    db.session.add(Category(store_id=store.id, wc_id=5, name="Coffee"))
    apply_products(
        store,
        [
            {"id": 11, "name": "Espresso Beans 1kg", "sku": "ESP-1KG", "price": "24.90", "categories": [{"id": 5}]},
            {"id": 99, "name": "VIP membership", "sku": "VIP-MEMBERSHIP", "price": "49.00", "categories": []},
        ],
    )
    db.session.commit()


def make_failed_coupon(
    store: Store, member: Member, error: str = "coupon_invalid_amount: the store refused it"
) -> Coupon:
    coupon = Coupon(
        store_id=store.id,
        member_id=member.id,
        key=f"test:{next(_ids)}",
        code=f"LOYAL-{next(_ids)}",
        source="reward",
        discount_type="fixed_cart",
        amount=Decimal("5"),
        email=member.email,
        points_cost=500,
        status="failed",
        last_error=error,
        push_attempts=3,
        expires_at=NOW + timedelta(days=90),
    )
    db.session.add(coupon)
    db.session.commit()
    return coupon


def make_sync_runs(store: Store) -> None:
    db.session.add(
        SyncRun(
            store_id=store.id,
            kind="scheduled",
            status="ok",
            started_at=NOW - timedelta(hours=2),
            finished_at=NOW - timedelta(hours=2) + timedelta(seconds=12),
            counts={"orders": 40},
            requests=7,
        )
    )
    db.session.add(
        SyncRun(
            store_id=store.id,
            kind="scheduled",
            status="failed",
            started_at=NOW - timedelta(hours=1),
            finished_at=NOW - timedelta(hours=1) + timedelta(seconds=3),
            counts={},
            requests=2,
            error="The store rejected the REST API keys (401).",
        )
    )
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
    campaign = Campaign(
        store_id=store.id,
        name="spring at-risk",
        segment="at_risk",
        member_filter={},
        discount_type="percent",
        amount=Decimal("10"),
        expires_days=30,
        status="done",
        total=0,
        issued=0,
        pushed=0,
        created_by="cli",
        created_at=NOW,
        finished_at=NOW,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign
