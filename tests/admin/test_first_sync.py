"""The first-sync plan page (issue 19): for a store in review it shows, per
history mode, the numbers `stores plan --json` gives (members, points, tiers
in rank order, VIP, coupons by kind with count and money, reward coupons
first, the liability), in the store's currency; choosing a mode is
confirmed, audited and queues the pass that books exactly that; a refused
change is said in words. It takes the old backfill page's place: the one way
to choose how history counts in the panel, with the import progress of
`sync backfill`."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal

from admin.formatting import format_money, format_points
from loyalty_sync.books.apply import plan_pending_members
from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Coupon, LedgerEntry, Member, Store, SyncRun
from loyalty_sync.wording import count_of
from tests.admin.conftest import token_for
from tests.support.members import make_member
from tests.support.requested_pass import pass_is_requested
from tests.support.stores import OFFLINE, make_store


def _review_shop(currency: str = "EUR") -> Store:
    store = make_store("shop", currency=currency)  # keys set, never called: a pass can be queued
    store.history_mode = "review"
    db.session.commit()
    make_member(store, "anna@example.com", ["700.00", "380.00"])  # Gold on spend; 1,080 points in award
    make_member(store, "ben@example.com", ["40.00"], first_name="Ben")
    make_member(store, "carla@example.com", ["350.00"], first_name="Carla")  # Silver
    return store


def _cells(page: str) -> dict[str, str]:
    return {
        key: html.unescape(re.sub(r"<[^>]+>", " ", value)).split("  ")[0].strip()
        for key, value in re.findall(r'data-plan="([^"]+)">(.*?)</td>', page, flags=re.DOTALL)
    }


def _cli_plan(app, *since) -> dict:
    result = app.test_cli_runner().invoke(args=["stores", "plan", "shop", "--json", *since])
    assert result.exit_code == 0, result.output
    return {m["mode"]: m for m in json.loads(result.stdout)["modes"]}


def _writes() -> tuple[int, int]:
    return tuple(
        db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one() for m in (LedgerEntry, Coupon)
    )


def test_the_page_shows_the_plan_stores_plan_json_gives_and_writes_nothing(app, admin_client):
    store = _review_shop(currency="CHF")
    expected = _cli_plan(app, "--since", "2020-01-01")
    page = admin_client.get(f"/admin/first-sync/?store={store.id}&since=2020-01-01").get_data(as_text=True)
    assert _writes() == (0, 0)
    cells = _cells(page)
    assert set(expected) == {"award", "tiers-only", "since:2020-01-01"}
    for mode, plan in expected.items():
        assert cells[f"{mode}:members"] == format_points(plan["members"])
        assert cells[f"{mode}:points"] == format_points(plan["points"])
        assert cells[f"{mode}:vip"] == format_points(plan["vip"])
        assert cells[f"{mode}:liability"] == format_money(Decimal(plan["liability"]), "CHF")
        for tier, count in plan["tiers"].items():
            assert cells[f"{mode}:tier:{tier}"] == format_points(count)
        for kind in plan["coupons"]:
            assert cells[f"{mode}:coupons:{kind['kind']}"] == (
                f"{count_of(kind['count'], 'coupon')} · {format_money(Decimal(kind['value']), 'CHF')}"
            )
    award = expected["award"]
    assert award["points"] > 0 and [k["kind"] for k in award["coupons"]][:1] == ["reward"]
    assert expected["tiers-only"]["points"] == 0 and expected["tiers-only"]["coupons"] == []
    # tiers lowest first, reward coupons named and first
    assert re.findall(r'<tr data-tier="([^"]+)"', page) == ["Bronze", "Silver", "Gold"]
    assert re.findall(r'<tr data-kind="([^"]+)"><td class="pl-3">([^<]+)<', page)[0] == ("reward", "points reward")
    # words: a sentence per mode, plurals and money
    assert f"3 members would hold {award['points']:,} points" in html.unescape(page)
    assert "no coupon would go to the shop" in page
    # the chart's data, loaded by a script file (no inline script)
    chart = json.loads(html.unescape(re.search(r'id="chart-data">(.*?)</script>', page, re.DOTALL).group(1)))
    assert chart["currency"] == "CHF" and chart["liability"][0] == award["liability"]
    assert [t["label"] for t in chart["tiers"]] == ["Bronze", "Silver", "Gold"]
    assert "first_sync.js" in page and "chart.umd.min.js" in page


def test_choosing_a_mode_is_confirmed_audited_and_the_next_pass_books_the_plan(app, admin_client):
    store = _review_shop()
    plan = _cli_plan(app)["award"]
    page = admin_client.get(f"/admin/first-sync/?store={store.id}").get_data(as_text=True)
    assert re.search(
        r'data-action="choose-award"\s+data-confirm="Book shop\'s history as “Award points for the past”', page
    )
    token = token_for(admin_client, f"/admin/first-sync/?store={store.id}")
    done = admin_client.post(
        "/admin/first-sync/choose",
        data={"csrf_token": token, "store": store.id, "mode": "award"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "the history is now award (points for every past order)" in text and "queued" in text
    db.session.expire_all()
    store = db.session.get(Store, store.id)
    assert store.history_mode == "award" and store.connected_at is not None
    audit = db.session.execute(db.select(AuditEntry).filter_by(action="store.history")).scalar_one()
    assert audit.before == {"history_mode": "review"} and audit.after["history_mode"] == "award"
    assert pass_is_requested(store.id)
    assert 'data-testid="live-mode"' in text  # the plan and its buttons are gone: chosen once

    plan_pending_members(store)  # what the queued pass does with the members it pulled in review
    db.session.commit()
    members = db.session.execute(db.select(Member)).scalars().all()
    assert sum(m.points for m in members) == plan["points"]
    coupons = db.session.execute(db.select(Coupon.source, db.func.count()).group_by(Coupon.source)).all()
    assert sorted(coupons) == sorted((k["kind"], k["count"]) for k in plan["coupons"])


def test_refused_changes_and_bad_input_are_said_in_words(app, admin_client):
    live = make_store("live", **OFFLINE)  # award, with booked points
    make_member(live, "dora@example.com", ["120.00"])
    token = token_for(admin_client, f"/admin/first-sync/?store={live.id}")

    def choose(store, mode):
        return admin_client.post(
            "/admin/first-sync/choose",
            data={"csrf_token": token, "store": store.id, "mode": mode},
            follow_redirects=True,
        ).get_data(as_text=True)

    page = html.unescape(choose(live, "tiers-only"))
    assert "Not changed: store live already booked points or coupons in mode award" in page
    assert "The history mode is chosen once." in page
    assert "is not a history mode" in html.unescape(choose(live, "review"))
    assert "must be YYYY-MM-DD" in html.unescape(choose(live, "since:2024-13-01"))
    db.session.expire_all()
    assert db.session.get(Store, live.id).history_mode == "award"
    store = _review_shop()
    page = admin_client.get(f"/admin/first-sync/?store={store.id}&since=someday").get_data(as_text=True)
    assert 'data-error-for="since"' in page and "is not a date" in html.unescape(page)


def test_a_store_with_nothing_read_yet_offers_the_first_pass(app, admin_client, viewer_user):
    store = make_store("new")
    store.history_mode = "review"
    db.session.commit()
    page = admin_client.get(f"/admin/first-sync/?store={store.id}").get_data(as_text=True)
    assert 'data-testid="nothing-pulled"' in page and 'data-action="pull"' in page
    token = token_for(admin_client, f"/admin/first-sync/?store={store.id}")
    page = admin_client.post(
        "/admin/first-sync/pull", data={"csrf_token": token, "store": store.id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "A pass of new is queued" in page and "In review it only reads the shop: nothing is booked" in page
    assert pass_is_requested(store.id)


def test_viewers_read_the_plan_without_the_buttons(app, viewer_client):
    store = _review_shop()
    page = viewer_client.get(f"/admin/first-sync/?store={store.id}").get_data(as_text=True)
    assert 'data-plan="award:points"' in page and 'data-action="choose-award"' not in page


def test_the_import_progress_of_sync_backfill_comes_from_its_run_row(admin_client):
    store = make_store()
    db.session.add(
        SyncRun(
            store_id=store.id,
            kind="backfill",
            status="running",
            counts={"mode": "history", "done": 300, "total": 1200, "rate": 150.0, "eta": 6.0},
        )
    )
    db.session.commit()
    page = admin_client.get(f"/admin/first-sync/?store={store.id}").get_data(as_text=True)
    assert 'data-running="1"' in page and 'data-field="rate">150.0<' in page and 'data-field="eta">6 s<' in page
    assert 'data-field="done">300<' in page and "import_progress.js" in page
    progress = admin_client.get(f"/admin/first-sync/progress.json?store={store.id}").get_json()["progress"]
    assert (progress["done"], progress["total"], progress["percent"]) == (300, 1200, 25.0)
