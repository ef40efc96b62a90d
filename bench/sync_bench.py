"""Benchmarks 1 (pull) and 2 (incremental), which share their expensive part:
a seeded woosim store (https) fully synced once per size.

Pull, per N orders (N/10 customers):
- the peer (airbyte-source-woocommerce, streams orders + customers, full refresh),
- our pull alone: StoreClient.iter_pages over orders and customers, the same
  two listings the peer reads,
- our full pass (`run_pass(full=True)`: pull, apply in batches of 500, push
  coupons and meta) into a fresh SQLite database,
all against the same woosim process, requests counted by woosim itself.

Incremental: after that full pass, k orders are changed through woosim's API
(`orders/batch` status updates) and the next pass is timed and its requests
counted; the figures must follow k, not N.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.common import (
    Stopwatch,
    Table,
    add_store,
    customers_for,
    fresh_database,
    ideal_requests,
    listing_requests,
    make_app,
    say,
)

KS = (10, 1000)


@dataclass
class SizeResult:
    n: int
    customers: int
    peer: dict | None
    peer_error: str | None
    pull: dict
    full: dict
    incremental: dict  # k -> figures


def run_size(n: int, *, with_peer: bool = True, incremental: bool = True) -> SizeResult:
    from woosim.testing import WooSimProcess

    customers = customers_for(n)
    say(f"sync: woosim with {n:,} orders, {customers:,} customers (https)")
    sim = WooSimProcess(seed="demo", customers=customers, orders=n, tls=True, startup_timeout=600)
    try:
        peer, peer_error = _peer(sim, n) if with_peer else (None, "skipped")
        pull = _our_pull(sim)
        full, incr = _our_passes(sim, n, incremental)
        return SizeResult(n, customers, peer, peer_error, pull, full, incr)
    finally:
        sim.stop()


def _peer(sim, n: int):
    from bench.peer import Peer, PeerUnavailable, start_date_for_woosim_demo

    try:
        peer = Peer(sim.port, sim.key, sim.secret, sim.ca_path, start_date_for_woosim_demo())
    except PeerUnavailable as exc:
        return None, str(exc)
    try:
        say("sync: peer read (orders + customers)")
        sim.control.clear_requests()
        read = peer.read()
        counts = sim.control.request_counts()
        return {
            "seconds": read.seconds,
            "orders_req": listing_requests(counts, "orders"),
            "customers_req": listing_requests(counts, "customers"),
            "total_req": sum(counts.values()),
            "orders": read.records.get("orders", 0),
            "customers": read.records.get("customers", 0),
        }, None
    except PeerUnavailable as exc:
        return None, str(exc)
    finally:
        peer.close()


def _our_pull(sim) -> dict:
    from loyalty_sync.woocommerce import StoreClient

    say("sync: our pull (StoreClient.iter_pages orders + customers)")
    sim.control.clear_requests()
    client = StoreClient(sim.url, sim.key, sim.secret, verify=sim.ca_path, concurrency=4)
    with Stopwatch() as sw:
        orders = sum(len(page) for page in client.iter_pages("orders"))
        customers = sum(len(page) for page in client.iter_pages("customers"))
    client.close()
    counts = sim.control.request_counts()
    return {
        "seconds": sw.seconds,
        "orders_req": listing_requests(counts, "orders"),
        "customers_req": listing_requests(counts, "customers"),
        "total_req": sum(counts.values()),
        "orders": orders,
        "customers": customers,
        "client_requests": client.requests_made,
    }


def _our_passes(sim, n: int, incremental: bool):
    from loyalty_sync.extensions import db
    from loyalty_sync.store_sync.sync_pass import run_pass

    with fresh_database("sqlite") as (url, folder):
        app = make_app(url, folder)
        with app.app_context():
            store = add_store("bench", sim)
            say("sync: our full pass (pull + apply + push)")
            sim.control.clear_requests()
            with Stopwatch() as sw:
                run = run_pass(store.id, full=True)
            counts = sim.control.request_counts()
            full = _pass_figures(run, sw.seconds, counts)
            incr = {}
            if incremental and run.status != "failed":
                for k in KS:
                    if k > n // 4:  # a small store has too few completed orders to change
                        continue
                    _change_orders(sim, k)
                    say(f"sync: incremental pass after {k} changed orders")
                    sim.control.clear_requests()
                    with Stopwatch() as sw:
                        again = run_pass(store.id)
                    incr[k] = _pass_figures(again, sw.seconds, sim.control.request_counts())
            db.session.remove()
            db.engine.dispose()
    return full, incr


def _pass_figures(run, seconds: float, counts: dict) -> dict:
    c = run.counts or {}
    return {
        "seconds": seconds,
        "status": run.status,
        "error": (run.error or "")[:300],
        "requests": run.requests,
        "by_path": counts,
        "orders_req": listing_requests(counts, "orders"),
        "customers_req": listing_requests(counts, "customers"),
        "per_order_refunds_req": sum(v for p, v in counts.items() if p.endswith("/refunds") and "/orders/" in p),
        "pulled_orders": (c.get("pulled") or {}).get("orders", 0),
        "applied": c.get("applied", 0),
        "unchanged": c.get("unchanged", 0),
        "pushed_coupons": c.get("pushed_coupons", 0),
        "pushed_members": c.get("pushed_members", 0),
        "members_planned": c.get("members_planned", 0),
    }


_changed_so_far = 0


def _change_orders(sim, k: int) -> None:
    """Cancel k seeded orders that are `completed`, through the REST API (orders/batch)."""
    from loyalty_sync.woocommerce import StoreClient

    global _changed_so_far
    client = StoreClient(sim.url, sim.key, sim.secret, verify=sim.ca_path)
    picked: list[int] = []
    for page in client.iter_pages("orders", {"status": "completed", "order": "desc"}):
        picked.extend(o["id"] for o in page)
        if len(picked) >= k:
            break
    picked = picked[:k]
    client.batch("orders", update=[{"id": i, "status": "cancelled"} for i in picked])
    client.close()


def tables(results: list[SizeResult]) -> tuple[Table, Table | None]:
    pull = Table(
        "1. Pull: full initial sync vs airbyte-source-woocommerce 0.4.12",
        [
            "orders N",
            "customers",
            "who",
            "orders req (ideal)",
            "customers req (ideal)",
            "all requests",
            "records",
            "wall s",
            "wall / peer",
        ],
    )
    incr_rows = []
    for r in results:
        peer_s = r.peer["seconds"] if r.peer else None
        if r.peer:
            p = r.peer
            pull.add(
                r.n,
                r.customers,
                "peer (orders+customers)",
                f"{p['orders_req']} ({ideal_requests(r.n)})",
                f"{p['customers_req']} ({ideal_requests(r.customers)})",
                p["total_req"],
                f"{p['orders']:,}+{p['customers']:,}",
                p["seconds"],
                1.0,
            )
        else:
            pull.add(r.n, r.customers, "peer", "-", "-", "-", "-", None, None)
            pull.note(f"N={r.n:,}: peer not measured: {r.peer_error}")
        p = r.pull
        pull.add(
            r.n,
            r.customers,
            "ours: pull only (iter_pages)",
            f"{p['orders_req']} ({ideal_requests(r.n)})",
            f"{p['customers_req']} ({ideal_requests(r.customers)})",
            p["total_req"],
            f"{p['orders']:,}+{p['customers']:,}",
            p["seconds"],
            p["seconds"] / peer_s if peer_s else None,
        )
        f = r.full
        pull.add(
            r.n,
            r.customers,
            f"ours: full pass ({f['status']})",
            f"{f['orders_req']} ({ideal_requests(r.n)})",
            f"{f['customers_req']} ({ideal_requests(r.customers)})",
            f["requests"],
            f"{f['pulled_orders']:,} orders",
            f["seconds"],
            f["seconds"] / peer_s if peer_s else None,
        )
        pull.target(
            f"N={r.n:,} pull-only order requests <= ideal+5 ({ideal_requests(r.n) + 5})",
            p["orders_req"],
            ideal_requests(r.n) + 5,
            fmt="{:.0f}",
        )
        pull.target(
            f"N={r.n:,} pull-only customer requests <= ideal+5 ({ideal_requests(r.customers) + 5})",
            p["customers_req"],
            ideal_requests(r.customers) + 5,
            fmt="{:.0f}",
        )
        pull.target(
            f"N={r.n:,} full-pass order requests <= ideal+5 ({ideal_requests(r.n) + 5})",
            f["orders_req"],
            ideal_requests(r.n) + 5,
            fmt="{:.0f}",
        )
        if f["per_order_refunds_req"]:
            pull.note(
                f"N={r.n:,}: the full pass also made {f['per_order_refunds_req']} per-order "
                "`GET orders/<id>/refunds` requests"
            )
        pull.target(f"N={r.n:,} pull-only wall <= 0.5x peer", p["seconds"] / peer_s if peer_s else None, 0.5, unit="x")
        pull.target(
            f"N={r.n:,} full pass (pull+apply+push) wall <= 0.5x peer",
            f["seconds"] / peer_s if peer_s else None,
            0.5,
            unit="x",
        )
        if f["status"] == "failed":
            pull.note(f"N={r.n:,}: full pass failed: {f['error']}")
        for k, figures in r.incremental.items():
            incr_rows.append((r.n, k, figures))
    pull.note(
        "requests counted by woosim; the peer cuts orders into 30-day windows (one listing each) and pages "
        "by offset, we page by number with 4 pages in flight. Pass wall time includes apply and push."
    )
    if not incr_rows:
        return pull, None
    incr = Table(
        "2. Incremental: the next pass after k changed orders",
        [
            "orders N",
            "k changed",
            "requests",
            "order list req",
            "orders pulled",
            "applied",
            "members planned",
            "wall s",
            "ms per member planned",
            "status",
        ],
    )
    by_k: dict[int, dict[int, dict]] = {}
    for n, k, f in incr_rows:
        planned = f["members_planned"]
        incr.add(
            n,
            k,
            f["requests"],
            f["orders_req"],
            f["pulled_orders"],
            f["applied"],
            planned,
            f["seconds"],
            1000 * f["seconds"] / planned if planned else None,
            f["status"],
        )
        by_k.setdefault(k, {})[n] = f
    sizes = sorted({n for n, _, _ in incr_rows})
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        for k, per_n in sorted(by_k.items()):
            if small in per_n and big in per_n:
                a, b = per_n[small], per_n[big]
                incr.target(
                    f"k={k}: requests at N={big:,} / at N={small:,} <= 1.2",
                    b["requests"] / max(1, a["requests"]),
                    1.2,
                    unit="x",
                )
                incr.target(
                    f"k={k}: wall at N={big:,} / at N={small:,} <= 1.5", b["seconds"] / a["seconds"], 1.5, unit="x"
                )
                if a["members_planned"] and b["members_planned"]:
                    per_member = (b["seconds"] / b["members_planned"]) / (a["seconds"] / a["members_planned"])
                    incr.target(
                        f"k={k}: wall per member planned at N={big:,} / at N={small:,} <= 1.5",
                        per_member,
                        1.5,
                        unit="x",
                    )
    for n, k, f in incr_rows:
        incr.target(
            f"N={n:,} k={k}: order listing requests <= ceil(k/100) + 2 (overlap window)",
            f["orders_req"],
            ideal_requests(k) + 2,
            fmt="{:.0f}",
        )
    incr.note(
        "changes are status updates (completed -> cancelled) through `POST orders/batch`; the fixed part of "
        "a pass is system_status, categories, products, refunds and the push."
    )
    incr.note(
        "k changed orders touch fewer distinct members in a store with fewer customers (N/10 customers): "
        "the work of a pass follows the members it plans, shown with the time per member planned."
    )
    return pull, incr
