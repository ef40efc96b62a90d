"""Owner analysis pages: reconciliation, members at risk, liability forecast,
the first-sync page (its own tests: test_first_sync.py), and the rule warnings in the rules editor. Each page shows what
its service function returns; viewers read but never act; POSTs need CSRF."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timezone

from admin.formatting import format_money
from loyalty_sync.analysis import at_risk
from loyalty_sync.analysis.liability import liability_forecast
from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Campaign, Coupon, Member, ProgramVersion, SyncRun
from tests.admin.conftest import csrf_token, token_for
from tests.admin.factories import make_catalogue, populate
from tests.admin.test_rules import _form, _post
from tests.support.members import make_member
from tests.support.stores import make_store, quick_retries


def _text(response) -> str:
    return response.get_data(as_text=True)


def _audit(action: str) -> list[AuditEntry]:
    return db.session.execute(db.select(AuditEntry).filter_by(action=action)).scalars().all()


def _synced_shop(shop, store):
    from loyalty_sync.store_sync.sync_pass import run_pass

    beans = shop.product("Beans", "100.00")
    anna = shop.customer("anna@example.com", "Anna")
    bob = shop.customer("bob@example.com", "Bob")
    for _ in range(4):
        shop.order([(beans["id"], 1)], customer_id=anna["id"], email="anna@example.com")
    shop.order([(beans["id"], 1)], customer_id=bob["id"], email="bob@example.com")
    return beans, anna, bob, run_pass


# --- access and CSRF for every action of these pages ------------------------------------------------

ACTIONS = (
    "/admin/reconcile/check",
    "/admin/reconcile/fix",
    "/admin/at-risk/campaign",
    "/admin/first-sync/choose",
    "/admin/first-sync/pull",
)
PAGES = (
    "/admin/reconcile/",
    "/admin/at-risk/",
    "/admin/at-risk/at-risk.csv",
    "/admin/liability/",
    "/admin/first-sync/",
    "/admin/first-sync/progress.json",
)


def test_anonymous_people_are_sent_to_the_login(client):
    store = make_store()
    for url in PAGES:
        response = client.get(f"{url}?store={store.id}")
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"], url
    token = csrf_token(_text(client.get("/admin/login/")))
    for url in ACTIONS:
        response = client.post(url, data={"store": store.id, "csrf_token": token})
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"], url


def test_viewer_reads_the_pages_but_gets_403_on_every_action(viewer_client):
    data = populate()
    store = data["store"]
    for url in PAGES:
        assert viewer_client.get(f"{url}?store={store.id}").status_code == 200, url
    token = token_for(viewer_client)
    for url in ACTIONS:
        response = viewer_client.post(
            url,
            data={
                "csrf_token": token,
                "store": store.id,
                "kind": "churn",
                "amount": "5",
                "discount_type": "fixed_cart",
                "mode": "award",
            },
        )
        assert response.status_code == 403, url
    page = _text(viewer_client.get(f"/admin/reconcile/?store={store.id}"))
    assert 'data-action="check"' not in page and 'data-action="fix"' not in page
    assert 'data-action="send"' not in _text(viewer_client.get(f"/admin/at-risk/?store={store.id}&kind=churn"))
    assert (
        db.session.execute(
            db.select(db.func.count()).select_from(SyncRun).where(SyncRun.kind.in_(("reconcile", "backfill", "manual")))
        ).scalar_one()
        == 0
    )


def test_every_action_needs_the_csrf_token(admin_client):
    store = make_store()
    for url in ACTIONS:
        response = admin_client.post(url, data={"store": store.id, "kind": "churn", "amount": "5", "mode": "award"})
        assert response.status_code == 400, url
    assert db.session.execute(db.select(db.func.count()).select_from(SyncRun)).scalar_one() == 0
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 0


# --- reconciliation --------------------------------------------------------------------------------


def test_reconcile_check_shows_the_drift_table_and_fix_heals_it(admin_client, sim_store, shop, woosim):
    from loyalty_sync.store_sync.reconcile import reconcile

    _beans, anna, _bob, run_pass = _synced_shop(shop, sim_store)
    assert run_pass(sim_store.id).status == "ok"
    woosim.control.set_customer_meta_silently(anna["id"], [{"key": "loyalty_tier", "value": "Platinum"}])
    token = token_for(admin_client, "/admin/reconcile/")
    response = admin_client.post("/admin/reconcile/check", data={"csrf_token": token, "store": sim_store.id})
    assert response.status_code == 302
    page = _text(admin_client.get(response.headers["Location"]))
    expected = reconcile(sim_store, record=False)["drift"]  # the service, once more, without recording
    assert expected and {d["kind"] for d in expected} == {"meta_changed"}
    rows = re.findall(r'<tr data-kind="([a-z_]+)" data-ref="([^"]*)">', page)
    assert rows == [(d["kind"], html.escape(d["ref"])) for d in expected]
    assert f'data-kind-count="meta_changed">meta_changed: {len(expected)}<' in page
    assert "Platinum" in page  # the store's value in the table
    [check_audit] = _audit("reconcile.check")
    assert check_audit.actor == "admin@example.com" and check_audit.after["drift"] == len(expected)

    response = admin_client.post("/admin/reconcile/fix", data={"csrf_token": token, "store": sim_store.id})
    assert response.status_code == 302
    [fix_audit] = _audit("reconcile.fix")
    assert fix_audit.after["fixed"] >= 1
    assert reconcile(sim_store, record=False)["drift"] == []
    admin_client.post("/admin/reconcile/check", data={"csrf_token": token, "store": sim_store.id})
    page = _text(admin_client.get(f"/admin/reconcile/?store={sim_store.id}"))
    assert "No drift: the store and the books agree." in page
    history = re.findall(r'<tr data-run="(\d+)">', page)
    runs = (
        db.session.execute(db.select(SyncRun.id).where(SyncRun.kind == "reconcile").order_by(SyncRun.id.desc()))
        .scalars()
        .all()
    )
    assert [int(r) for r in history] == runs and len(runs) == 3


def test_reconcile_failure_is_shown_without_secrets(app, admin_client):
    quick_retries(app)
    app.config["STORE_MAX_ATTEMPTS"] = 1
    data = populate()
    store = data["store"]
    store.url = "http://127.0.0.1:9"
    db.session.commit()
    token = token_for(admin_client, "/admin/reconcile/")
    response = admin_client.post(
        "/admin/reconcile/check", data={"csrf_token": token, "store": store.id}, follow_redirects=True
    )
    page = _text(response)
    assert "reconciliation failed" in page and store.consumer_secret not in page
    run = db.session.execute(db.select(SyncRun).filter_by(kind="reconcile")).scalar_one()
    assert run.status == "failed"


# --- members at risk ---------------------------------------------------------------------------------


def _at_risk_store():
    store = make_store()
    make_catalogue(store)
    # Silver from 300 in 12 months: these orders leave the window within ~2 months (and the grace period).
    make_member(store, "slipping@example.com", ["400.00"], days_ago=340)
    make_member(store, "steady@example.com", ["400.00"], days_ago=5)
    make_member(store, "old@example.com", ["60.00", "50.00", "70.00"], days_ago=200)
    return store


def test_at_risk_lists_equal_the_service_and_export_as_csv(admin_client):
    store = _at_risk_store()
    now = datetime.now(timezone.utc)
    seen_rows = 0
    for kind in at_risk.KINDS:
        days = 120
        expected = at_risk.at_risk(store, kind, now=now, days=days)
        seen_rows += len(expected)
        page = _text(admin_client.get(f"/admin/at-risk/?store={store.id}&kind={kind}&days={days}"))
        assert f'data-testid="at-risk-count">{len(expected)}<' in page, kind
        assert [int(i) for i in re.findall(r'<tr data-member="(\d+)">', page)] == [r["member_id"] for r in expected]
        for row in expected:
            assert html.escape(row["detail"]) in page
        response = admin_client.get(f"/admin/at-risk/at-risk.csv?store={store.id}&kind={kind}&days={days}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        body = _text(response)
        assert body == at_risk.write_csv(expected)
        parsed = list(csv.DictReader(io.StringIO(body)))
        assert [int(r["member_id"]) for r in parsed] == [r["member_id"] for r in expected]
    assert seen_rows > 0
    slipping = db.session.execute(db.select(Member).filter_by(email="slipping@example.com")).scalar_one()
    tier_rows = at_risk.at_risk(store, "tier", now=now, days=120)
    assert [r["member_id"] for r in tier_rows] == [slipping.id]


def test_send_a_campaign_to_an_at_risk_list_in_one_step(admin_client):
    store = _at_risk_store()
    expected = at_risk.at_risk(store, "tier", days=120)
    assert expected
    token = token_for(admin_client, f"/admin/at-risk/?store={store.id}&kind=tier&days=120")
    response = admin_client.post(
        "/admin/at-risk/campaign",
        data={
            "csrf_token": token,
            "store": store.id,
            "kind": "tier",
            "days": "120",
            "discount_type": "fixed_cart",
            "amount": "5",
            "expires_days": "14",
            "name": "keep your Silver",
        },
    )
    assert response.status_code == 302
    campaign = db.session.execute(db.select(Campaign)).scalar_one()
    assert response.headers["Location"].endswith(f"/admin/campaigns/{campaign.id}/")
    assert campaign.name == "keep your Silver" and campaign.member_filter == {
        "member_ids": [r["member_id"] for r in expected]
    }
    coupons = db.session.execute(db.select(Coupon).where(Coupon.key.like(f"campaign:{campaign.id}:%"))).scalars().all()
    assert sorted(c.member_id for c in coupons) == sorted(r["member_id"] for r in expected)
    assert all(c.amount == 5 for c in coupons)
    [audit] = _audit("at_risk.campaign")
    assert audit.after["kind"] == "tier" and audit.after["members"] == len(expected)
    # A bad amount sends nothing.
    response = admin_client.post(
        "/admin/at-risk/campaign",
        data={
            "csrf_token": token,
            "store": store.id,
            "kind": "tier",
            "days": "120",
            "discount_type": "fixed_cart",
            "amount": "abc",
        },
        follow_redirects=True,
    )
    assert "Enter the coupon amount" in _text(response)
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 1


# --- liability -----------------------------------------------------------------------------------------


def test_liability_page_shows_the_forecast(admin_client):
    data = populate()
    store = data["store"]
    forecast = liability_forecast(store)
    assert forecast["points"] > 0
    page = _text(admin_client.get(f"/admin/liability/?store={store.id}"))
    for key in ("money", "spendable_money", "pending_money", "expected_breakage"):
        assert f'data-liability="{key}">{format_money(forecast[key], forecast["currency"])}<' in page, key
    for key in ("points", "spendable_points", "pending_points"):
        assert f'data-liability="{key}">{forecast[key]}<' in page, key
    months = re.findall(r'<tr data-month="([0-9-]+)"><td>[0-9-]+</td><td class="num">(-?\d+)</td>', page)
    assert months == [(m["month"], str(m["points"])) for m in forecast["expiry_schedule"]] and len(months) == 12
    assert "vendor/chartjs/chart.umd.min.js" in page and 'id="chart-expiry"' in page
    # Linked from the dashboard.
    dashboard = _text(admin_client.get("/admin/"))
    assert re.search(rf'data-testid="liability-link" href="/admin/liability/\?store={store.id}"', dashboard)


# --- rule warnings in the rules editor -------------------------------------------------------------------


def test_rule_warning_is_shown_at_the_field_and_saving_still_works(admin_client):
    store = make_store()
    make_catalogue(store)
    form = _form(**{"pending_days": "60", "expiry_months": "2"})
    response = _post(admin_client, "/admin/rules/preview", store, form)
    page = _text(response)
    assert response.status_code == 200
    match = re.search(r'data-warning-for="expiry_months">(?:<i[^>]*></i>)?\s*([^<]+)<', page)
    assert match and "expire before they can be spent" in html.unescape(match.group(1))
    assert 'data-error-for="expiry_months"' not in page  # a warning, not an error
    assert 'data-testid="rule-warnings"' in page
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', page).group(1)
    response = _post(admin_client, "/admin/rules/save", store, form, {"previewed": digest})
    assert response.status_code == 302
    versions = db.session.execute(db.select(ProgramVersion).order_by(ProgramVersion.number)).scalars().all()
    assert [v.number for v in versions] == [1, 2] and versions[1].rules["expiry_months"] == 2
    after = _text(admin_client.get(response.headers["Location"]))
    assert "Saved with" in after and "Saved as version 2" in after


def test_row_warnings_land_on_their_form_row(admin_client):
    store = make_store()
    make_catalogue(store)
    form = _form(
        **{
            "multipliers.3.label": "old promo",
            "multipliers.3.target": "all",
            "multipliers.3.factor": "2",
            "multipliers.3.starts": "2020-01-01",
            "multipliers.3.ends": "2020-01-31",
        }
    )
    page = _text(_post(admin_client, "/admin/rules/preview", store, form))
    assert re.search(r'data-warning-for="multipliers\.3">', page), "the warning is not at the row it is about"
