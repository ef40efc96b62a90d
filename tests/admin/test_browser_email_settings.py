"""Settings > Member emails in a real headless Chromium: the preview frame
shows the sample email under its sandbox policy and follows the form as the
owner types (admin/static/email_settings.js); a screenshot is kept in
test-artifacts/email_settings.png. SQLite only (`live_server`)."""

from __future__ import annotations

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import EmailSettings
from tests.admin.conftest import REPO_ROOT
from tests.admin.factories import make_user
from tests.admin.test_browser import _login
from tests.support.stores import make_store

pytestmark = pytest.mark.browser

LOGO = "https://kaffee.example/logo.svg"
_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48"><rect width="160" height="48" rx="8" '
    'fill="#3b2414"/><text x="80" y="31" font-family="Arial" font-size="18" fill="#ffd500" '
    'text-anchor="middle">Kaffee</text></svg>'
)


def test_the_preview_follows_the_form_and_a_screenshot_is_kept(app, live_server, page):
    make_user()
    store = make_store()
    db.session.add(
        EmailSettings(
            store_id=store.id,
            enabled=True,
            shop_name="Kaffee Klatsch",
            logo_url=LOGO,
            brand_colour="#ffd500",
            footer_text="Kaffee Klatsch GmbH · Hauptstr. 1 · 10115 Berlin",
        )
    )
    db.session.commit()
    page.route(LOGO, lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=_SVG))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    _login(page, live_server)
    page.goto(f"{live_server}/admin/email-settings/?store={store.id}&kind=points_earned&lang=en")
    preview = page.frame_locator("#email-preview")
    assert "You earned 40 points" in preview.locator("h1").inner_text()
    assert preview.locator("img[alt='Kaffee Klatsch']").evaluate("img => img.naturalWidth") == 160

    page.fill("#f-subject", "{points} for you, {first_name}")
    page.fill("#f-intro", "Welcome back, {first_name}! You now have {balance} at {shop}.")
    page.fill("#f-brand_colour", "#1a237e")
    page.wait_for_function("() => document.getElementById('email-preview').src.includes('%231a237e')")
    page.wait_for_load_state("load")
    preview.locator("text=Welcome back, Anna! You now have 120 points at Kaffee Klatsch.").wait_for()
    button = preview.locator("a.button")
    assert button.evaluate("a => getComputedStyle(a).backgroundColor") == "rgb(26, 35, 126)"
    assert button.evaluate("a => getComputedStyle(a).color") == "rgb(255, 255, 255)"
    assert "Hauptstr. 1" in preview.locator(".footer").inner_text()
    # the frame is sandboxed: its document has an opaque origin and may run nothing
    assert page.get_attribute("#email-preview", "sandbox") == ""
    # a full-page capture resizes the page and Chromium paints the frame half; a tall viewport shows all
    page.set_viewport_size({"width": 1400, "height": 1700})
    preview.locator("a.button").wait_for()
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "email_settings.png"))
    assert (artifacts / "email_settings.png").stat().st_size > 10_000
    assert errors == []
