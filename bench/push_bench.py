"""5. Push: coupons per `POST coupons/batch` request (target 100: full
batches), and customer meta sent only for members whose status changed: a
second pass after k members bought something pushes exactly k."""

from __future__ import annotations

import math

from bench.common import Stopwatch, Table, add_store, fresh_database, make_app, say

K = 25


def run(quick: bool = False) -> Table:
    from loyalty_sync.extensions import db
    from loyalty_sync.models import Member
    from loyalty_sync.woocommerce import StoreClient
    from loyalty_sync.store_sync.sync_pass import run_pass
    from woosim.testing import WooSimProcess

    n, customers = (2_000, 200) if quick else (10_000, 1_000)
    table = Table(
        "5. Push: coupons per batch request; meta only for changed members",
        [
            "pass",
            "coupons pushed",
            "coupons/batch requests",
            "coupons per request",
            "members pushed",
            "customers/batch requests",
            "wall s",
        ],
    )
    say(f"push: woosim with {n:,} orders")
    sim = WooSimProcess(seed="demo", customers=customers, orders=n)
    try:
        with fresh_database("sqlite") as (url, folder):
            app = make_app(url, folder)
            with app.app_context():
                store = add_store("bench", sim)
                sim.control.clear_requests()
                with Stopwatch() as sw:
                    first = run_pass(store.id, full=True)
                counts = sim.control.request_counts()
                coupon_posts = counts.get("POST /wp-json/wc/v3/coupons/batch", 0)
                pushed = first.counts.get("pushed_coupons", 0)
                table.add(
                    "full",
                    pushed,
                    coupon_posts,
                    pushed / coupon_posts if coupon_posts else None,
                    first.counts.get("pushed_members", 0),
                    counts.get("POST /wp-json/wc/v3/customers/batch", 0),
                    sw.seconds,
                )
                table.target(
                    "coupon batch requests == ceil(coupons / 100)", coupon_posts, math.ceil(pushed / 100), fmt="{:.0f}"
                )
                table.target(
                    "coupons per request (all but the last batch full) >= 100 * (1 - 1/requests)",
                    pushed / coupon_posts if coupon_posts else None,
                    100 * (1 - 1 / max(1, coupon_posts)),
                    higher_is_better=True,
                    fmt="{:.1f}",
                )
                # k registered members buy something small: their points change, nobody else's.
                members = (
                    db.session.execute(
                        db.select(Member.customer_id)
                        .where(Member.customer_id.is_not(None))
                        .order_by(Member.customer_id)
                        .limit(K)
                    )
                    .scalars()
                    .all()
                )
                client = StoreClient(sim.url, sim.key, sim.secret)
                products = client.get("products", {"per_page": 5})
                cheap = min(products, key=lambda p: float(p.get("price") or 0))
                client.batch(
                    "orders",
                    create=[
                        {
                            "status": "completed",
                            "customer_id": cid,
                            "set_paid": True,
                            "line_items": [{"product_id": cheap["id"], "quantity": 1}],
                        }
                        for cid in members
                    ],
                )
                client.close()
                sim.control.clear_requests()
                with Stopwatch() as sw:
                    second = run_pass(store.id)
                counts = sim.control.request_counts()
                table.add(
                    f"next, after {K} members bought",
                    second.counts.get("pushed_coupons", 0),
                    counts.get("POST /wp-json/wc/v3/coupons/batch", 0),
                    None,
                    second.counts.get("pushed_members", 0),
                    counts.get("POST /wp-json/wc/v3/customers/batch", 0),
                    sw.seconds,
                )
                table.target(
                    f"meta updates after {K} changed members <= {K} (only the changed)",
                    second.counts.get("pushed_members", 0),
                    K,
                    fmt="{:.0f}",
                )
                table.target(
                    f"meta updates after {K} changed members >= {K} (all the changed)",
                    second.counts.get("pushed_members", 0),
                    K,
                    higher_is_better=True,
                    fmt="{:.0f}",
                )
                db.session.remove()
                db.engine.dispose()
    finally:
        sim.stop()
    return table
