"""The panel in a real headless Chromium (Debian's), against a real server.

SQLite only (the `live_server` fixture skips the PostgreSQL parameter) to keep
the suite fast. A missing /usr/bin/chromium FAILS these tests: `make browser`
installs it.
"""

from __future__ import annotations

import re

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry
from tests.admin.conftest import REPO_ROOT
from tests.admin.factories import ADMIN_PASSWORD, make_user, populate
from tests.support.members import make_member

pytestmark = pytest.mark.browser


def _login(page, base: str) -> None:
    page.goto(f"{base}/admin/")
    assert "/admin/login/" in page.url
    page.fill("#email", "admin@example.com")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def _no_outside_requests(page, base: str) -> list[str]:
    """Fail any request that leaves the test server (no CDN anywhere)."""
    outside: list[str] = []

    def check(route):
        if route.request.url.startswith(base) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", check)
    return outside


def test_change_tier_thresholds_and_see_the_impact_preview(app, live_server, page):
    make_user()
    data = populate()
    make_member(data["store"], "carla@example.com", ["200.00"], first_name="Carla", last_name="Rossi")
    outside = _no_outside_requests(page, live_server)
    _login(page, live_server)
    page.click("text=Program rules")
    page.wait_for_selector("[data-testid=tiers]")
    page.fill("input[name='tiers.1.threshold']", "150")
    page.click("[data-action=preview]")
    page.wait_for_selector("[data-testid=preview]")
    # anna (370 spent) is Silver either way, ben (40) Bronze either way; carla (200) moves up.
    assert page.inner_text("[data-impact=tier-moves]") == "1"
    assert "Bronze → Silver: 1" in page.inner_text("[data-testid=preview]")
    assert "Tier 2 (Silver) · threshold" in page.inner_text("[data-testid=changes]")
    page.fill("#f-note", "easier Silver")
    page.click("[data-action=save]")
    page.wait_for_selector("text=Saved as version 2")
    assert outside == []


def test_rules_error_is_shown_at_the_field_in_the_browser(app, live_server, page):
    make_user()
    populate()
    _login(page, live_server)
    page.goto(f"{live_server}/admin/rules/")
    page.fill("input[name='tiers.2.threshold']", "100")
    page.click("[data-action=preview]")
    error = page.wait_for_selector("[data-error-for='tiers.2.threshold']")
    assert error.inner_text() == "Thresholds must rise."
    assert "is-invalid" in page.get_attribute("input[name='tiers.2.threshold']", "class")


def test_adjust_a_balance_and_see_the_new_ledger_line(app, live_server, page):
    make_user()
    data = populate()
    anna = data["anna"]
    _login(page, live_server)
    page.goto(f"{live_server}/admin/members/?q=anna")
    page.click("text=anna@example.com")
    page.wait_for_selector("[data-testid=ledger]")
    before = int(re.sub(r"\D", "", page.inner_text("[data-testid=balance]")))
    form = page.locator("[data-testid=adjust-form]")
    form.locator("input[name=amount]").fill("25")
    form.locator("input[name=reason]").fill("apology for a broken parcel")
    form.locator("button").click()
    page.wait_for_selector("text=+25 points booked")
    last_row = page.locator("[data-testid=ledger] tbody tr").last
    assert "apology for a broken parcel" in last_row.inner_text()
    assert "+25" in last_row.inner_text()
    after = int(re.sub(r"\D", "", page.inner_text("[data-testid=balance]")))
    assert after == before + 25
    db.session.expire_all()
    assert (
        db.session.execute(db.select(LedgerEntry).where(LedgerEntry.member_id == anna.id, LedgerEntry.kind == "adjust"))
        .scalar_one()
        .points
        == 25
    )


def test_dashboard_renders_its_charts_and_a_screenshot_is_kept(app, live_server, page):
    make_user()
    populate()
    outside = _no_outside_requests(page, live_server)
    _login(page, live_server)
    page.goto(f"{live_server}/admin/")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.inner_text("[data-kpi=members]") == "2"
    assert page.evaluate("typeof Chart") == "function"
    assert page.evaluate("Chart.getChart(document.getElementById('chart-points')) !== undefined")
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    assert (artifacts / "dashboard.png").stat().st_size > 10_000
    assert outside == []


def test_kpis_page_change_the_period_and_the_numbers_follow(app, live_server, page):
    from tests.admin.test_extras_pages import shop

    make_user()
    shop()
    outside = _no_outside_requests(page, live_server)
    _login(page, live_server)
    page.click("text=KPIs")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.evaluate("Chart.getChart(document.getElementById('chart-monthly')) !== undefined")
    assert page.evaluate("Chart.getChart(document.getElementById('chart-side-0')) !== undefined")
    year_orders = page.inner_text("[data-kpi=orders]")
    year_aov = page.inner_text("[data-kpi=aov]")
    page.click("[data-preset='30d']")
    page.wait_for_selector("[data-preset='30d'].btn-secondary")
    page.wait_for_selector("body[data-charts-ready='1']")
    month_orders = page.inner_text("[data-kpi=orders]")
    assert int(month_orders) < int(year_orders), (month_orders, year_orders)
    assert page.inner_text("[data-kpi=aov]") != year_aov
    # typed dates: a period with no order at all
    page.fill("#period-start", "2001-01-01")
    page.fill("#period-end", "2001-12-31")
    page.click("[data-action=apply-period]")
    page.wait_for_selector("text=From 2001-01-01 to 2001-12-31")
    assert page.inner_text("[data-kpi=orders]") == "0" and page.inner_text("[data-kpi=aov]") == "–"
    page.click("[data-preset='12m']")
    page.wait_for_selector("[data-preset='12m'].btn-secondary")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.inner_text("[data-kpi=orders]") == year_orders
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "kpis.png"), full_page=True)
    assert (artifacts / "kpis.png").stat().st_size > 10_000
    assert outside == []
