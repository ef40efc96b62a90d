"""7. What-if replay vs apply: orders/s of `whatif_report` (replays the whole
order history in memory under the rules in force and under a proposed change,
nothing written) next to the apply rate of the books (`apply_orders` of the
same orders into a fresh SQLite database, batches of 500 with one commit
each, then every member planned once: as a first sync applies them). Target: the replay is at least 3x faster per
order than applying (replay orders/s / apply orders/s >= 3).

Sizes: N orders over M members, 100k / 10k by default, 10k / 1k with
--quick. Both figures come from the same run on the same machine."""

from __future__ import annotations

import os

from bench.common import Stopwatch, Table, fresh_database, make_app, say, synthetic_orders

BATCH = 500
TARGET = 3.0


def _orders(n: int, members: int) -> list[dict]:
    return synthetic_orders(n, members, seed=7, registered=True)


def measure(n: int, members: int) -> dict:
    from loyalty_sync.books.apply import apply_orders, plan_pending_members
    from loyalty_sync.extensions import db
    from loyalty_sync.models import Member, Store
    from loyalty_sync.books.program_versions import ensure_program, program_in_force
    from loyalty_sync.analysis.whatif import program_with_settings, whatif_report
    from tests.support import wc

    orders = _orders(n, members)
    with fresh_database("sqlite") as (url, folder):
        app = make_app(url, folder)
        with app.app_context():
            store = Store(name="whatif", url="https://shop.example", consumer_key="ck", consumer_secret="cs")  # noqa: S106 - a fake store
            db.session.add(store)
            db.session.flush()
            ensure_program(store)
            db.session.commit()
            now = wc.day(720)
            say(f"whatif: applying {n:,} orders of {members:,} members")
            with Stopwatch() as applied:
                for start in range(0, n, BATCH):
                    apply_orders(store, orders[start : start + BATCH], now=now, plan=False)
                    db.session.commit()
                plan_pending_members(store, now=now)
            member_count = db.session.execute(
                db.select(db.func.count()).select_from(Member).where(Member.store_id == store.id)
            ).scalar_one()
            _, program = program_in_force(store)
            proposed = program_with_settings(program, ["earn.rate=2", "tiers.silver.threshold=250"])
            say(f"whatif: replaying {n:,} orders")
            with Stopwatch() as replayed:
                report = whatif_report(store, proposed, current=program, now=now)
            db.session.remove()
            db.engine.dispose()
    from loyalty_sync.analysis.replay_pool import PARALLEL_FROM

    workers = (os.cpu_count() or 1) if member_count >= PARALLEL_FROM else 1
    return {
        "orders": n,
        "members": member_count,
        "apply_s": applied.seconds,
        "replay_s": replayed.seconds,
        "replayed": report["orders_replayed"],
        "changed": len(report["members"]),
        "workers": workers,
    }


def run(quick: bool = False) -> Table:
    n, members = (10_000, 1_000) if quick else (100_000, 10_000)
    table = Table(
        "7. What-if: whatif_report replay vs apply_orders (same orders, fresh SQLite)",
        [
            "orders",
            "members",
            "apply s",
            "apply orders/s",
            "whatif s",
            "replay processes",
            "replay orders/s",
            "orders replayed",
            "members changed",
            "replay rate / apply rate",
        ],
    )
    r = measure(n, members)
    apply_rate = r["orders"] / r["apply_s"]
    replay_rate = r["orders"] / r["replay_s"]
    ratio = replay_rate / apply_rate
    table.add(
        r["orders"],
        r["members"],
        r["apply_s"],
        apply_rate,
        r["replay_s"],
        r["workers"],
        replay_rate,
        r["replayed"],
        r["changed"],
        ratio,
    )
    table.target(
        f"replay >= {TARGET:.0f}x the apply rate (replay orders/s / apply orders/s)",
        ratio,
        TARGET,
        higher_is_better=True,
        unit="x",
    )
    table.note(
        "proposed change: earn.rate=2 and Silver from 250; whatif_report replays every member under the "
        "rules in force AND the proposed ones (two replays), with no sampling (max_members=None)."
    )
    table.note(
        "apply: batches of 500 with one commit each into a fresh migrated SQLite file, then every member "
        "planned once, as a first sync applies them (the bench's earlier runs re-planned members after "
        "every batch, a slower apply that flattered the ratio)."
    )
    table.note(
        "replay processes: from 2,000 members the replay runs on one worker process per CPU "
        "(loyalty_sync/analysis/replay_pool.py; nothing is written, so it parallelises); the apply is one process "
        "writing one database."
    )
    if quick:
        table.note("--quick: 10k orders / 1k members (the full run uses 100k / 10k)")
    return table
