"""Seed a real WooCommerce (../shared/woocommerce/realstore/) through its REST
batch endpoints, for `python -m bench realstore`: products, customers, orders
(a share of them guests) and refunds, then a database dump so every run starts
from the same store.

    set -a; . /root/wcreal-perf/keys.env; set +a
    python -m bench.realstore_seed --customers 2000 --orders 10000 --refunds 200 \
        --dump /root/wcreal-perf/seeded.sql --db wcreal_perf

Not part of CI: it needs the real store.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from loyalty_sync.woocommerce import StoreClient

BATCH = 100


def client_from_env(concurrency: int = 4) -> StoreClient:
    return StoreClient(
        os.environ["WC_URL"],
        os.environ["WC_CONSUMER_KEY"],
        os.environ["WC_CONSUMER_SECRET"],
        timeout=300,
        concurrency=concurrency,
        max_attempts=3,
    )


def _in_parallel(jobs, work, in_flight: int) -> list:
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        return list(pool.map(work, jobs))


def seed_products(client: StoreClient, n: int) -> list[int]:
    items = [
        {"name": f"Bench coffee {i}", "regular_price": f"{5 + i % 20}.{(i * 7) % 100:02d}", "sku": f"BENCH-{i}"}
        for i in range(n)
    ]
    return [p["id"] for p in client.batch("products", create=items).created]


def seed_customers(client: StoreClient, n: int, in_flight: int) -> list[int]:
    chunks = [
        [
            {
                "email": f"bench{i}@example.com",
                "first_name": f"Bench{i}",
                "last_name": "Customer",
                "billing": {"email": f"bench{i}@example.com", "first_name": f"Bench{i}"},
            }
            for i in range(start, min(start + BATCH, n))
        ]
        for start in range(0, n, BATCH)
    ]
    done = _in_parallel(chunks, lambda chunk: client.batch("customers", create=chunk).created, in_flight)
    return [c["id"] for created in done for c in created]


def seed_orders(
    client: StoreClient,
    n: int,
    customers: list[int],
    products: list[int],
    guest_share: float,
    in_flight: int,
    rnd: random.Random,
) -> list[int]:
    index = {customer_id: i for i, customer_id in enumerate(customers)}

    def order(i: int) -> dict:
        lines = [{"product_id": rnd.choice(products), "quantity": rnd.randint(1, 3)} for _ in range(rnd.randint(1, 3))]
        if rnd.random() < guest_share:
            email, customer = f"guest{i % (n // 4 + 1)}@example.com", 0
        else:
            customer = rnd.choice(customers)
            email = f"bench{index[customer]}@example.com"
        return {
            "status": "completed",
            "customer_id": customer,
            "set_paid": False,
            "billing": {"email": email, "first_name": "Bench"},
            "line_items": lines,
        }

    chunks = [[order(i) for i in range(start, min(start + BATCH, n))] for start in range(0, n, BATCH)]
    started = time.monotonic()

    def send(chunk):
        created = client.batch("orders", create=chunk).created
        print(f"  orders: +{len(created)} ({time.monotonic() - started:.0f} s)", flush=True)
        return created

    done = _in_parallel(chunks, send, in_flight)
    return [o["id"] for created in done for o in created]


def seed_refunds(client: StoreClient, order_ids: list[int], n: int, in_flight: int, rnd: random.Random) -> int:
    def refund(order_id: int) -> None:
        client.post(f"orders/{order_id}/refunds", {"amount": "1.00", "api_refund": False, "reason": "bench"})

    _in_parallel(rnd.sample(order_ids, min(n, len(order_ids))), refund, in_flight)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--guests", type=float, default=0.2)
    parser.add_argument("--refunds", type=int, default=200)
    parser.add_argument("--in-flight", type=int, default=3)
    parser.add_argument(
        "--refunds-only",
        action="store_true",
        help="only the refunds (on the orders already there) and the dump: finish a seeding cut short",
    )
    parser.add_argument("--dump", default="")
    parser.add_argument("--db", default="wcreal_perf")
    args = parser.parse_args(argv)
    rnd = random.Random(23)
    client = client_from_env()
    t0 = time.monotonic()
    if args.refunds_only:
        orders = [o["id"] for o in client.iter_records("orders", {"_fields": "id"})]
    else:
        products = seed_products(client, args.products)
        customers = seed_customers(client, args.customers, args.in_flight)
        print(f"{len(products)} products, {len(customers)} customers ({time.monotonic() - t0:.0f} s)", flush=True)
        orders = seed_orders(client, args.orders, customers, products, args.guests, args.in_flight, rnd)
    print(f"{len(orders)} orders ({time.monotonic() - t0:.0f} s)", flush=True)
    refunds = seed_refunds(client, orders, args.refunds, args.in_flight, rnd)
    print(f"{refunds} refunds ({time.monotonic() - t0:.0f} s)", flush=True)
    if args.dump:
        with open(args.dump, "wb") as out:
            subprocess.run(["mariadb-dump", "--single-transaction", args.db], stdout=out, check=True)
        print(f"dump: {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
