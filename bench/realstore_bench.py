"""`python -m bench realstore`: a first sync and three incremental passes on a
real WooCommerce (../shared/woocommerce/realstore/, seeded by
bench/realstore_seed.py), beside a plain client reading the same GETs with
the same number in flight (the store's floor). Not part of CI.

Needs `WC_URL`, `WC_CONSUMER_KEY`, `WC_CONSUMER_SECRET` (the realstore's
keys.env) and, so every run starts from the same store, `REALSTORE_DUMP`
(a `mariadb-dump` of the seeded store) and `REALSTORE_DB` (its database):
the dump is loaded before the first sync, which removes what an earlier run
pushed (coupons, customer meta).
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench.common import Table, fresh_database, make_app, say

CONCURRENCY = 4
INCREMENTAL_PASSES = 3


@dataclass
class Exchange:
    method: str
    endpoint: str
    params: dict
    started: float
    ended: float


@dataclass
class Recorder:
    """Wraps a client's transport: every request with its start and end."""

    inner: object
    log: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, method, endpoint, params, json):
        started = time.perf_counter()
        try:
            return self.inner.request(method, endpoint, params, json)
        finally:
            with self.lock:
                self.log.append(Exchange(method, endpoint, dict(params or {}), started, time.perf_counter()))

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _span(log: list[Exchange], method: str) -> float:
    """Seconds from the first to the last request of `method` (0 if none)."""
    mine = [e for e in log if e.method == method]
    return max(e.ended for e in mine) - min(e.started for e in mine) if mine else 0.0


def _most_at_once(log: list[Exchange]) -> int:
    edges = sorted([(e.started, 1) for e in log] + [(e.ended, -1) for e in log])
    now = most = 0
    for _at, step in edges:
        now += step
        most = max(most, now)
    return most


def load_dump() -> bool:
    dump, database = os.environ.get("REALSTORE_DUMP"), os.environ.get("REALSTORE_DB", "wcreal_perf")
    if not dump:
        return False
    with open(dump, "rb") as source:
        subprocess.run(["mariadb", database], stdin=source, check=True)
    return True


def plain_read(gets: list[Exchange], concurrency: int) -> float:
    """The same GETs through the bare transport (OAuth and HTTP, nothing
    else: no retries, no parsing, no apply), `concurrency` in flight."""
    from loyalty_sync.woocommerce import WooCommerceTransport

    transport = WooCommerceTransport(
        os.environ["WC_URL"],
        os.environ["WC_CONSUMER_KEY"],
        os.environ["WC_CONSUMER_SECRET"],
        timeout=300,
        pool_size=concurrency + 1,
    )

    def read(exchange: Exchange) -> int:
        response = transport.request("GET", exchange.endpoint, exchange.params, None)
        _ = response.content
        return response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(read, gets))
    seconds = time.perf_counter() - started
    transport.close()
    bad = [s for s in statuses if s != 200]
    if bad:
        say(f"plain read: {len(bad)} answers were not 200: {bad[:5]}")
    return seconds


def _one_pass(store_id: int, *, full: bool):
    from loyalty_sync.extensions import db
    from loyalty_sync.models import Store
    from loyalty_sync.store_sync.connection import client_for
    from loyalty_sync.store_sync.sync_pass import run_pass

    client = client_for(db.session.get(Store, store_id))
    recorder = Recorder(client._transport)
    client._transport = recorder
    cpu, started = _cpu(), time.perf_counter()
    run = run_pass(store_id, full=full, client=client)
    return run, recorder.log, time.perf_counter() - started, _cpu() - cpu, getattr(client, "pace", None)


def run(quick: bool = False) -> Table:
    table = Table(
        "8. Real store: first sync and incremental passes vs a plain client (WooCommerce 10.0.2)",
        [
            "pass",
            "requests (GET + POST)",
            "orders read",
            "coupons pushed",
            "members pushed",
            "wall s",
            "GET span s",
            "POST span s",
            "most in flight",
            "our CPU s",
            "plain GETs s",
            "wall / plain",
        ],
    )
    if not os.environ.get("WC_URL"):
        table.note("not measured: WC_URL and the keys of a real store are not set")
        return table
    restored = load_dump()
    from loyalty_sync.extensions import db
    from loyalty_sync.models import Store
    from loyalty_sync.books.program_versions import ensure_program

    with fresh_database("sqlite") as (url, folder):
        app = make_app(url, folder, SYNC_CONCURRENCY=CONCURRENCY, STORE_TIMEOUT_SECONDS=300)
        with app.app_context():
            store = Store(
                name="real",
                url=os.environ["WC_URL"],
                consumer_key=os.environ["WC_CONSUMER_KEY"],
                consumer_secret=os.environ["WC_CONSUMER_SECRET"],
                webhook_secret="bench-webhook-secret",  # noqa: S106
            )
            db.session.add(store)
            db.session.flush()
            ensure_program(store)
            db.session.commit()
            store_id = store.id
            first, log, wall, cpu, pace = _one_pass(store_id, full=False)
            say(f"first sync: {first.status} in {wall:.1f} s, {len(log)} requests")
            gets = [e for e in log if e.method == "GET"]
            plain = plain_read(gets, CONCURRENCY)
            say(f"plain client: the same {len(gets)} GETs in {plain:.1f} s")
            _row(table, "first sync", first, log, wall, cpu, plain)
            table.target("first sync wall <= 1.3x the plain client's GETs", wall / plain, 1.3, unit="x")
            read_after_window = []
            for i in range(INCREMENTAL_PASSES):
                run_, log_i, wall_i, cpu_i, _pace = _one_pass(store_id, full=False)
                gets_i = [e for e in log_i if e.method == "GET"]
                plain_i = plain_read(gets_i, CONCURRENCY)
                _row(table, f"incremental {i + 1} (quiet store)", run_, log_i, wall_i, cpu_i, plain_i)
                if i:
                    read_after_window.append(run_.counts.get("pulled", {}).get("orders", 0))
            table.target(
                "quiet incremental passes 2 and 3 (the overlap window passed): orders read",
                float(sum(read_after_window)),
                0,
                fmt="{:.0f}",
            )
            table.note(
                "incremental 1 starts within a minute of the first sync's cursor: it re-reads once the "
                "orders the store changed in the minute before that cursor (the overlap window, "
                "store_sync/cursors.py CLOCK_OVERLAP; on a just-seeded store, the refunds' orders)"
            )
            backed_off = pace.backed_off if pace is not None else "n/a (no adaptive limit in this code)"
            table.note(
                f"first sync: status {first.status}; the client's limit went down {backed_off} times "
                f"(429/503 or slow answers); {first.error or 'no error'}"
            )
    table.note(
        f"store state: {'loaded from REALSTORE_DUMP before the first sync' if restored else 'as found'}; "
        f"LOYALTY_SYNC_CONCURRENCY={CONCURRENCY}; fresh SQLite; `nproc` = {os.cpu_count()}"
    )
    table.note(
        "plain client = the same GET requests (endpoint and query) through the bare OAuth transport, "
        f"{CONCURRENCY} in flight, nothing parsed or applied: the store's floor for those reads. "
        "GET/POST span = first to last request of that method; they overlap when the pass reads while "
        "it writes."
    )
    return table


def _row(table: Table, name: str, run, log: list[Exchange], wall: float, cpu: float, plain: float) -> None:
    counts = run.counts or {}
    gets = sum(1 for e in log if e.method == "GET")
    posts = len(log) - gets
    table.add(
        name,
        f"{len(log)} ({gets} + {posts})",
        counts.get("pulled", {}).get("orders", 0),
        counts.get("pushed_coupons", 0),
        counts.get("pushed_members", 0),
        wall,
        _span(log, "GET"),
        _span(log, "POST"),
        _most_at_once(log),
        cpu,
        plain,
        wall / plain if plain else None,
    )
