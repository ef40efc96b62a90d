"""The rule preview in money in a real Chromium: the card, its before/after bars drawn by
static/whatif_chart.js under the Content-Security-Policy, and a screenshot of the preview card kept in
test-artifacts/rules-preview-money.png."""

from __future__ import annotations

import pytest

from tests.admin.conftest import REPO_ROOT
from tests.admin.factories import make_user, populate
from tests.admin.test_browser import _login, _no_outside_requests
from tests.support.members import make_member

pytestmark = pytest.mark.browser


def test_the_preview_in_money_draws_its_chart_and_a_screenshot_is_kept(app, live_server, page):
    make_user()
    data = populate()
    make_member(data["store"], "carla@example.com", ["600.00"], first_name="Carla", last_name="Rossi")
    outside = _no_outside_requests(page, live_server)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    _login(page, live_server)
    page.click("text=Program rules")
    page.fill("input[name='rate']", "2")
    page.click("[data-action=preview]")
    page.wait_for_selector("[data-testid=preview-money]")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.evaluate("Chart.getChart(document.getElementById('chart-whatif')).data.datasets.length") == 2
    card = page.locator("[data-testid=preview-money]")
    text = card.inner_text()
    assert "Saving would issue 1 more coupon" in text  # Carla's 1000 points buy a 12-off reward
    assert "Liability (points + unused coupons)" in text and "Sampled " in text and "every member replayed" in text
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("[data-testid=preview]").screenshot(path=str(artifacts / "rules-preview-money.png"))
    assert (artifacts / "rules-preview-money.png").stat().st_size > 10_000
    assert outside == [] and refused == []
