"""Connecting a store with two years of history in a real Chromium (issue 19):
keys (a wrong secret first), the webhooks installed from the panel (woosim
pings this live server), the first pass in review, the first-sync plan with
its charts, and the choice with its confirmation. Nothing but the webhooks
reaches the shop before the choice. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Store
from loyalty_sync.store_sync.sync_pass import run_pass
from tests.admin.conftest import REPO_ROOT
from tests.admin.factories import make_user
from tests.admin.test_browser import _login, _no_outside_requests
from tests.support.stores import quick_retries
from woosim.testing import WooSimServer

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded():
    with WooSimServer(seed="demo", customers=30, orders=300, webhook_delay=0.05) as sim:
        yield sim


def _shot(page, name: str) -> None:
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / name), full_page=True)
    assert (artifacts / name).stat().st_size > 10_000


def _writes(sim) -> set[str]:
    return {k for k, n in sim.control.request_counts().items() if not k.startswith("GET")}


def test_connect_a_store_see_the_plan_and_choose(app, live_server, page, seeded):
    quick_retries(app)
    app.config["PUBLIC_BASE_URL"] = live_server
    make_user()
    outside = _no_outside_requests(page, live_server)
    _login(page, live_server)
    seeded.control.clear_requests()

    page.goto(f"{live_server}/admin/stores/")
    page.click("[data-action=connect-store]")
    page.fill("#f-url", seeded.url)
    page.fill("#f-key", seeded.key)
    page.fill("#f-secret", "cs_not-the-right-one-0123456789")
    page.fill("#f-name", "demo")
    page.click("[data-action=connect]")
    failure = page.wait_for_selector("[data-testid=connect-failure]")
    assert "rejected the API keys" in failure.inner_text()
    assert page.input_value("#f-secret") == "" and page.input_value("#f-key") == seeded.key
    _shot(page, "connect-wrong-keys.png")

    page.fill("#f-secret", seeded.secret)
    page.click("[data-action=connect]")
    page.wait_for_selector("[data-testid=webhooks-step]")
    assert page.inner_text("[data-testid=delivery-url]") == f"{live_server}/webhooks/woocommerce/demo"
    _shot(page, "connect-webhooks.png")
    page.click("[data-action=install-webhooks]")
    page.wait_for_selector("[data-testid=nothing-pulled]")
    assert "6 webhooks installed, 0 already there. The shop now tells this app" in page.inner_text("body")
    assert all(w["status"] == "active" for w in seeded.state.webhooks.values())

    page.click("[data-action=pull]")
    page.wait_for_selector("text=In review it only reads the shop")
    store = db.session.execute(db.select(Store).filter_by(name="demo")).scalar_one()
    assert run_pass(store.id).status == "ok"  # the worker's job, run here
    page.reload()
    page.wait_for_selector("body[data-charts-ready='1']")
    for chart in ("chart-plan-money", "chart-plan-tiers"):
        assert page.evaluate(f"Chart.getChart(document.getElementById('{chart}')) !== undefined")
    award = page.inner_text("[data-mode=award] [data-testid=plan-sentence]")
    assert "members would hold" in award and "points" in award
    _shot(page, "first-sync-plan.png")
    assert _writes(seeded) <= {"POST /wp-json/wc/v3/webhooks"}  # nothing but the webhooks reached the shop
    assert db.session.execute(db.select(db.func.count()).select_from(LedgerEntry)).scalar_one() == 0

    page.fill("#f-since", "2026-01-01")
    page.click("[data-action=compare-since]")
    page.wait_for_selector("[data-mode='since:2026-01-01']")
    page.wait_for_selector("body[data-charts-ready='1']")
    _shot(page, "first-sync-compare.png")
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.click("[data-action=choose-tiers-only]")
    page.wait_for_selector("[data-testid=live-mode]")
    assert questions and questions[0].startswith("Book demo's history as “Tiers only”")
    assert "the history is now tiers-only" in page.inner_text("body")
    assert "Last pass:" in page.inner_text("[data-testid=live-mode]")
    _shot(page, "first-sync-chosen.png")
    db.session.expire_all()
    assert db.session.get(Store, store.id).history_mode == "tiers-only"
    assert db.session.execute(db.select(db.func.count()).select_from(Coupon)).scalar_one() == 0
    assert outside == []
