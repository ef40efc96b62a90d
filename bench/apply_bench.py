"""3. Apply: orders/s through the engine and the ledger, as a first sync
applies them (`apply_orders` in batches of 500 with one commit each, then
`plan_pending_members` plans every member once), vs the raw insert rate of
the same number of ledger rows into the same database (executemany in
batches of 500, one commit each). SQLite and PostgreSQL.

Also printed: the time to only parse the same WooCommerce order documents
into facts (`order_from_wc`, no database), the floor under any apply that
reads the store's JSON; raw time / parse time is the best ratio such an
apply could reach."""

from __future__ import annotations


from bench.common import Stopwatch, Table, fresh_database, make_app, say, synthetic_orders

BATCH = 500


def _orders(n: int, members: int) -> list[dict]:
    return synthetic_orders(n, members, seed=3, registered=False)


def measure(backend: str, n: int) -> dict:
    from sqlalchemy import func, insert

    from loyalty_sync.books.apply import apply_orders, plan_pending_members
    from loyalty_sync.engine.facts import order_from_wc
    from loyalty_sync.extensions import db
    from loyalty_sync.models import LedgerEntry, Member, Store
    from loyalty_sync.books.program_versions import ensure_program
    from tests.support import wc

    orders = _orders(n, max(50, n // 10))
    with fresh_database(backend) as (url, folder):
        app = make_app(url, folder)
        with app.app_context():
            stores = []
            for name in ("apply", "raw"):
                store = Store(name=name, url="https://shop.example", consumer_key="ck", consumer_secret="cs")  # noqa: S106 - a fake store
                db.session.add(store)
                db.session.flush()
                ensure_program(store)
                stores.append(store)
            db.session.commit()
            apply_store, raw_store = stores
            now = wc.day(720)
            with Stopwatch() as parsed:
                for record in orders:
                    order_from_wc(record, None, {})
            with Stopwatch() as applied:
                for start in range(0, n, BATCH):
                    apply_orders(apply_store, orders[start : start + BATCH], now=now, plan=False)
                    db.session.commit()
                plan_pending_members(apply_store, now=now)
            rows = db.session.execute(
                db.select(func.count()).select_from(LedgerEntry).where(LedgerEntry.store_id == apply_store.id)
            ).scalar_one()
            member = Member(store_id=raw_store.id, email="raw@example.com")
            db.session.add(member)
            db.session.commit()
            table = LedgerEntry.__table__
            payload = [
                {
                    "store_id": raw_store.id,
                    "member_id": member.id,
                    "key": f"raw:{i}",
                    "kind": "earn",
                    "points": 10,
                    "at": now,
                    "order_wc_id": i,
                    "reason": "raw insert",
                    "rule_version": 1,
                    "actor": "system",
                    "recorded_at": now,
                }
                for i in range(rows)
            ]
            with Stopwatch() as raw:
                for start in range(0, rows, BATCH):
                    db.session.execute(insert(table), payload[start : start + BATCH])
                    db.session.commit()
            db.session.remove()
            db.engine.dispose()
    return {
        "orders": n,
        "ledger_rows": rows,
        "apply_s": applied.seconds,
        "raw_s": raw.seconds,
        "parse_s": parsed.seconds,
    }


def run(quick: bool = False) -> Table:
    n = 2_000 if quick else 10_000
    table = Table(
        "3. Apply: apply_orders vs raw ledger inserts (same rows, same database)",
        [
            "database",
            "orders",
            "ledger rows",
            "apply s",
            "orders/s",
            "raw insert s",
            "rows/s raw",
            "raw time / apply time",
            "parse only s",
            "raw time / parse time",
        ],
    )
    for backend in ("sqlite", "postgresql"):
        say(f"apply: {n:,} orders on {backend}")
        try:
            r = measure(backend, n)
        except Exception as exc:
            table.note(f"{backend}: not measured: {exc!r}")
            continue
        ratio = r["raw_s"] / r["apply_s"]
        table.add(
            backend,
            r["orders"],
            r["ledger_rows"],
            r["apply_s"],
            r["orders"] / r["apply_s"],
            r["raw_s"],
            r["ledger_rows"] / r["raw_s"],
            ratio,
            r["parse_s"],
            r["raw_s"] / r["parse_s"],
        )
        table.target(
            f"{backend}: apply >= 0.5x raw insert rate (raw time / apply time)",
            ratio,
            0.5,
            higher_is_better=True,
            unit="x",
        )
    table.note(
        "orders: 1-3 lines each, ~10 orders per member (guest emails), two years of dates; batches of "
        "500 with one commit each, then every member planned once, exactly as a first sync applies them."
    )
    table.note(
        "parse only: order_from_wc over the same documents, no database -- the floor of any apply that "
        "reads WooCommerce JSON in Python; 'raw time / parse time' is the ratio even a free engine and "
        "free writes could not beat."
    )
    return table
