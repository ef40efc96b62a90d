"""Dashboard numbers, the member list (search, filters, paging) and CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event

from loyalty_sync.analysis import dashboard
from loyalty_sync.engine.program import DEFAULT_PROGRAM, CouponTemplate, Reward
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.extensions import db
from loyalty_sync.models import Member
from tests.admin.factories import populate
from tests.support.members import NOW, make_member
from tests.support.stores import make_store


def test_point_value_is_the_best_fixed_reward_ratio():
    assert point_value(DEFAULT_PROGRAM.rewards) == Decimal("0.012")  # 12 off for 1000 beats 5 off for 500
    from dataclasses import replace

    percent_only = replace(DEFAULT_PROGRAM, rewards=(Reward("p", "10%", 100, CouponTemplate("percent", Decimal(10))),))
    assert point_value(percent_only.rewards) == 0


def test_dashboard_numbers(app):
    data = populate()
    store = data["store"]
    make_member(store, "old@example.com", ["90.00"], days_ago=400)  # not active: last order > 365 days ago
    numbers = dashboard.dashboard(store.id, now=NOW)
    assert numbers["counts"]["members"] == 3 and numbers["counts"]["active"] == 2
    months = numbers["months"]
    assert len(months) == 12 and months[-1]["month"] == f"{NOW.year:04d}-{NOW.month:02d}"
    assert sum(m["earned"] for m in months) == 120 + 250 + 40  # the 400-day-old order is outside the chart
    assert dict(numbers["tiers"]) == {"Bronze": 2, "Silver": 1}
    liability = numbers["liability"][0]
    total_points = db.session.execute(db.select(db.func.sum(Member.points))).scalar_one()
    assert liability["points"] == total_points and liability["money"] == (total_points * Decimal("0.012")).quantize(
        Decimal("0.01")
    )
    assert numbers["coupons"]["by_status"]["failed"] == 1
    assert numbers["syncs"][0]["run"].status == "failed"


def test_dashboard_page_shows_money_in_the_store_currency(admin_client):
    store = make_store("uk-shop", currency="GBP")
    make_member(store, "a@example.com", ["300.00"])
    page = admin_client.get(f"/admin/?store={store.id}").get_data(as_text=True)
    assert "£3.60" in page  # 300 points x 0.012
    assert "/admin/assets/vendor/chartjs/chart.umd.min.js" in page
    assert "cdn" not in page.lower()


def test_chartjs_is_served_locally_with_its_licence(client):
    script = client.get("/admin/assets/vendor/chartjs/chart.umd.min.js")
    assert script.status_code == 200 and b"Chart.js v4" in script.data[:200]
    assert b"MIT" in client.get("/admin/assets/vendor/chartjs/LICENSE.md").data


def test_member_search_filters_and_paging(admin_client):
    store = make_store()
    other = make_store("other")
    make_member(store, "anna@example.com", ["500.00"], first_name="Anna", last_name="Schmidt")
    make_member(store, "bert@example.com", ["20.00"], first_name="Bert", last_name="Klein")
    make_member(other, "anna@other.example", ["10.00"])
    for i in range(60):
        db.session.add(Member(store_id=store.id, email=f"bulk{i:03d}@example.com", points=i, tier="Bronze"))
    db.session.commit()

    def emails(query: str) -> list[str]:
        page = admin_client.get(f"/admin/members/?{query}").get_data(as_text=True)
        import re

        return re.findall(r'/admin/members/\d+/">([^<]+)</a>', page)

    assert emails("q=anna@") == ["anna@other.example", "anna@example.com"] or sorted(emails("q=anna@")) == [
        "anna@example.com",
        "anna@other.example",
    ]
    assert emails(f"q=anna&store={store.id}") == ["anna@example.com"]
    assert emails("q=klein") == ["bert@example.com"]
    assert emails(f"tier=Silver&store={store.id}") == ["anna@example.com"]
    assert emails(f"store={store.id}&min_points=55&max_points=57&sort=points&dir=asc") == [
        "bulk055@example.com",
        "bulk056@example.com",
        "bulk057@example.com",
    ]
    first = emails(f"store={store.id}&sort=email&dir=asc")
    second = emails(f"store={store.id}&sort=email&dir=asc&page=2")
    assert len(first) == 50 and len(second) == 12 and not set(first) & set(second)
    assert emails("vip=yes") == []


def test_member_list_pages_in_the_database(app, admin_client):
    store = make_store()
    db.session.add_all(Member(store_id=store.id, email=f"m{i:04d}@example.com", points=i) for i in range(300))
    db.session.commit()
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        admin_client.get(f"/admin/members/?store={store.id}&page=3")
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    member_selects = [s for s in statements if "FROM members" in s and "count(" not in s.lower()]
    assert member_selects and all("LIMIT" in s.upper() for s in member_selects if "members.points" in s)


def test_csv_exports_are_streamed(admin_client):
    data = populate()
    response = admin_client.get(f"/admin/export/members.csv?store={data['store'].id}")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["email"] for r in rows} == {"anna@example.com", "ben@example.com"}
    ledger = admin_client.get("/admin/export/ledger.csv")
    lines = list(csv.DictReader(io.StringIO(ledger.get_data(as_text=True))))
    assert lines and {"kind", "points", "rule_version", "multiplier"} <= set(lines[0])
    assert (
        sum(int(line["points"]) for line in lines)
        == db.session.execute(db.select(db.func.sum(Member.points))).scalar_one()
    )


def test_csv_cells_cannot_become_spreadsheet_formulas(admin_client):
    store = make_store()
    db.session.add(Member(store_id=store.id, email="x@example.com", first_name='=HYPERLINK("evil")', points=-5))
    db.session.commit()
    text = admin_client.get("/admin/export/members.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and ",-5," in text


def test_sync_log_shows_failed_passes_and_rejected_records(admin_client):
    from loyalty_sync.models import RejectedRecord, SyncRun

    data = populate()
    db.session.add(
        RejectedRecord(
            store_id=data["store"].id,
            resource="order",
            ref="order 77",
            reason="order 77: currency: 'XX' is not a currency code",
            at=NOW - timedelta(hours=1),
        )
    )
    db.session.commit()
    db.session.add(
        SyncRun(
            store_id=data["store"].id,
            kind="manual",
            status="ok",
            started_at=NOW,
            finished_at=NOW,
            counts={
                "pulled": {"orders": 12, "customers": 1},
                "applied": 13,
                "applied_by": {"orders": 12, "customers": 1},
                "pushed_coupons": 2,
            },
        )
    )
    db.session.commit()
    page = admin_client.get("/admin/sync-log/").get_data(as_text=True)
    assert 'data-status="failed"' in page and "rejected the REST API keys" in page
    assert "Read 12 orders and 1 customer." in page and "2 coupons written to the store." in page
    assert "{'orders'" not in page and "{&#39;orders" not in page
    assert "not a currency code" in admin_client.get("/admin/rejected/").get_data(as_text=True)
