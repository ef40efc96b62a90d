"""Members for tests, booked the way a sync books them: WooCommerce JSON
(tests/support/wc.py) through the real apply service, never Member rows
written by hand.

Two kinds, because the pages that show them differ: `make_member` is a
shopper of the admin panel's tests (one espresso order per amount, the newest
first, a day apart), `make_registered_member` a customer with an account, as
the storefront knows them by customer id (the customer record first, then one
order every third day from 60 days ago). Both read the real clock: the pages
and the API do."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from loyalty_sync.books.apply import apply_customers, apply_orders
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store
from tests.support import wc

NOW = datetime.now(timezone.utc).replace(microsecond=0)
#: The catalogue's espresso (tests/admin/factories.py make_catalogue): what a shopper buys.
BEANS = {"product_id": 11, "sku": "ESP-1KG"}
_ids = itertools.count(1000)


def make_member(
    store: Store,
    email: str,
    totals: list[str],
    *,
    customer_id: int | None = None,
    first_name: str = "Anna",
    last_name: str = "Schmidt",
    days_ago: int = 10,
) -> Member:
    """A member with one completed order per amount in `totals`, the first
    `days_ago` days ago and each next one a day earlier."""
    customer_id = customer_id if customer_id is not None else next(_ids)
    orders = []
    for i, total in enumerate(totals):
        order_id = next(_ids)
        orders.append(
            wc.order(
                order_id,
                customer_id=customer_id,
                email=email,
                lines=[wc.line(order_id * 10 + 1, total, **BEANS)],
                created=NOW - timedelta(days=days_ago + i),
                first_name=first_name,
                last_name=last_name,
                address="Hauptstrasse 5",
            )
        )
    apply_orders(store, orders, now=NOW)
    db.session.commit()
    member = db.session.execute(
        db.select(Member).where(Member.store_id == store.id, Member.email == email)
    ).scalar_one()
    member.first_name, member.last_name = first_name, last_name
    db.session.commit()
    return member


def order_day(i: int) -> datetime:
    """When a registered member's i-th order was made."""
    return NOW - timedelta(days=60) + timedelta(days=3 * i)


def make_registered_member(
    store: Store,
    customer_id: int,
    email: str,
    totals: list[str],
    *,
    first_order_id: int,
    first_name: str = "Anna",
    now: datetime = NOW,
) -> Member:
    """A registered customer with completed orders of these totals (one line
    each), numbered from `first_order_id`."""
    apply_customers(store, [wc.customer(customer_id, email, first_name=first_name)], now=now)
    orders = [
        wc.order(
            first_order_id + i,
            customer_id=customer_id,
            email=email,
            lines=[wc.line((first_order_id + i) * 10, total)],
            created=order_day(i),
        )
        for i, total in enumerate(totals)
    ]
    apply_orders(store, orders, now=now)
    db.session.commit()
    return find_member(store, email)
