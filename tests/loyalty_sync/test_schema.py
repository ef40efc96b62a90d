"""The schema: what the migrations build is what the models describe, and a
pass's per-member lookups are served by per-member indexes.

The second part guards against a quiet kind of slowness: a query that
filters by store AND by a few members (or emails) can be answered through
the store's index, reading every order of the store for each batch. SQLite
without statistics prefers that index, so an incremental pass grew with the
size of the store instead of the size of the change.
"""

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event

from loyalty_sync.books.apply import apply_customers, apply_orders, plan_pending_members
from loyalty_sync.extensions import db
from tests.support.wc import customer, day, line, order

# Tables that grow with the store's history; a pass must never read all of a store's rows in them.
HISTORY_TABLES = ("orders", "ledger_entries", "coupons", "reviews", "vip_periods", "badges")


def _ours(obj, name, type_, reflected, compare_to):
    """Procrastinate's own tables (its migration) are not our models'."""
    return not (type_ == "table" and reflected and compare_to is None and name.startswith("procrastinate"))


def test_the_migrations_build_the_schema_the_models_describe(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _ours})
        assert compare_metadata(context, db.metadata) == []


def test_a_pass_reads_members_histories_through_member_indexes(app, store, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("query plans are read from SQLite's EXPLAIN QUERY PLAN")
    apply_customers(store, [customer(i, f"c{i}@example.com") for i in range(1, 40)], now=day(400))
    orders = [
        order(
            i,
            customer_id=1 + i % 39,
            email=f"c{1 + i % 39}@example.com",
            lines=[line(i * 10, "120.00")],
            created=day(i % 300),
        )
        for i in range(1, 400)
    ]
    apply_orders(store, orders, now=day(400), plan=False)
    db.session.commit()
    statements = {}

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.setdefault(statement, parameters)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        plan_pending_members(store, now=day(400))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    connection = db.session.connection().connection.driver_connection
    whole_store = []
    for statement, parameters in statements.items():
        plan = " | ".join(row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + statement, parameters))
        for table in HISTORY_TABLES:
            if re.search(
                rf"(SCAN {table}\b(?! USING COVERING)|SEARCH {table} USING (COVERING )?INDEX \w+ \(store_id=\?\))", plan
            ):
                whole_store.append(f"{plan}\n    {' '.join(statement.split())[:200]}")
    assert len(statements) > 5
    assert whole_store == []
