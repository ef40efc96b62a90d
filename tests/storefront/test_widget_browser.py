"""The on-site widget in real Chromium, inside a shop's page on another
origin (a plain HTML page on its own local port with the one script tag),
talking to the app through CORS: opened and used with the keyboard,
a reward redeemed and its coupon code shown, the refusals in words, a
guest's "earn N points". Screenshots go to test-artifacts/."""

from __future__ import annotations

import html
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon
from loyalty_sync.signed_identity import sign_identity
from tests.support.browser import new_page
from tests.support.members import make_registered_member

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"


class ShopPages:
    """A stand-in for the shop's site: serves whatever page a test puts at a path."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not here").encode())

            def log_message(self, *args):
                return None

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.origin = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def put(self, path: str, app_url: str, lang: str = "en", **attributes) -> str:
        data = " ".join(
            f'data-loyalty-{name.replace("_", "-")}="{html.escape(str(value))}"' for name, value in attributes.items()
        )
        self.pages[path] = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Test shop</title>'
            f'</head><body><h1>The test shop</h1><p><a href="#top">A link of the shop</a></p>'
            f'<script src="{app_url}/widget/v1/widget.js" {data}></script></body></html>'
        )
        return self.origin + path

    def close(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def shop_site():
    site = ShopPages()
    yield site
    site.close()


@pytest.fixture
def shop(store, shop_site):
    store.url = shop_site.origin  # the shop's origin: the one the widget answers CORS for
    store.display_name = "Bean & Leaf"
    db.session.commit()
    return store


@pytest.fixture
def page(browser, live_server, shop_site):
    context, page = new_page(browser, viewport={"width": 1100, "height": 900}, device_scale_factor=1)
    outside = []
    allowed = (live_server, shop_site.origin)
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(allowed)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    yield page
    assert outside == []  # no CDN, nothing but the shop and this app
    context.close()


def signed(store, customer_id=7, email="anna@example.com", ts=None, secret=None) -> dict:
    ts = int(time.time()) if ts is None else ts
    return {
        "store": store.id,
        "customer": customer_id,
        "email": email,
        "ts": ts,
        "signature": sign_identity(secret or store.widget_secret, store.id, customer_id, email, ts),
    }


def _shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _tab_to(page, predicate_js: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!e && ({predicate_js}); }})()"):
            return
    raise AssertionError(f"Tab never reached {predicate_js}")


@pytest.mark.browser
def test_a_member_opens_the_widget_with_the_keyboard_and_redeems_a_reward(
    app, shop, anna, live_server, shop_site, page
):
    page.goto(shop_site.put("/account", live_server, color="#7a2e8e", **signed(shop)))
    launcher = page.locator(".lsw-launcher")
    page.wait_for_function("document.querySelector('.lsw-launcher').textContent.includes('1,087')")
    assert launcher.get_attribute("aria-expanded") == "false"
    _tab_to(page, "e.classList.contains('lsw-launcher')")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Your points at Bean & Leaf")
    dialog.wait_for()
    assert launcher.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Close"
    assert page.inner_text("[data-test=spendable]") == "1,087"
    assert "Spend €50.00 more to reach Gold" in dialog.inner_text()
    assert page.get_attribute("[role=progressbar][aria-label='Progress to the next tier']", "aria-valuenow") == "92"
    assert "Friends get 10% off their first order" in dialog.inner_text()
    _shoot(page, "widget-member.png")

    # the focus stays in the dialog, Esc closes it and gives the focus back to the launcher
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('#lsw-panel')")
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('lsw-launcher')")
    page.keyboard.press("Enter")
    dialog.wait_for()

    _tab_to(page, "e.dataset.reward === '500-points-5-off'")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Redeem 5 off the cart for 500 points"
    page.keyboard.press("Enter")
    notice = page.locator("[data-test=coupon]")
    notice.wait_for()
    coupon = db.session.execute(
        db.select(Coupon).where(Coupon.member_id == anna.id, Coupon.source == "reward")
    ).scalar_one()
    assert f"Your coupon code: {coupon.code}" in notice.inner_text()
    page.wait_for_function("document.querySelector('[data-test=spendable]').textContent === '587'")
    assert page.evaluate("document.activeElement.dataset.test") == "coupon"  # the news gets the focus
    assert coupon.code in page.inner_text("[role=status]")  # and is read out
    _shoot(page, "widget-redeemed.png")


@pytest.mark.browser
def test_an_expired_signature_asks_for_a_reload(app, shop, anna, live_server, shop_site, page):
    page.goto(shop_site.put("/old", live_server, **signed(shop, ts=int(time.time()) - 25 * 3600)))
    page.click(".lsw-launcher")
    refusal = page.locator("[data-test=refusal]")
    refusal.wait_for()
    assert "please reload the page" in refusal.inner_text()
    assert refusal.get_attribute("role") == "alert"
    _shoot(page, "widget-expired.png")


@pytest.mark.browser
def test_another_stores_signature_and_another_stores_member(app, shop, anna, other_store, live_server, shop_site, page):
    forged = signed(shop, secret=other_store.widget_secret)
    page.goto(shop_site.put("/forged", live_server, **forged))
    page.click(".lsw-launcher")
    page.locator("[data-test=refusal]").wait_for()
    assert "We could not confirm who you are" in page.inner_text("[data-test=refusal]")

    make_registered_member(other_store, 8, "bert@example.com", ["100.00"], first_order_id=5001, first_name="Bert")
    page.goto(shop_site.put("/bert", live_server, **signed(shop, customer_id=8, email="bert@example.com")))
    page.click(".lsw-launcher")
    page.get_by_role("dialog", name="Rewards at Bean & Leaf").wait_for()
    text = page.inner_text("#lsw-panel")
    assert "Your points appear here after your first order." in text
    assert "Bert" not in text and "Redeem" not in text


@pytest.mark.browser
def test_a_guest_sees_how_to_earn_and_the_points_of_the_cart(app, shop, live_server, shop_site, page):
    page.goto(shop_site.put("/cart", live_server, store=shop.id, cart_total="49.90"))
    launcher = page.locator(".lsw-launcher")
    page.wait_for_function("document.querySelector('.lsw-launcher').textContent.includes('earn 49 points')")
    launcher.focus()
    page.keyboard.press("Enter")
    assert page.inner_text("[data-test=cart-earn]") == "Earn 49 points with this cart."
    text = page.inner_text("#lsw-panel")
    assert "1 point per €1.00 spent" in text and "200 points for every friend who orders" in text
    assert "5 off the cart\n500 points · €5.00 off" in text
    assert "Gold: from €1,000.00, x1.5 points" in text and "free shipping once a month" in text
    assert page.locator("#lsw-panel button[data-reward]").count() == 0  # a guest has nothing to redeem
    _shoot(page, "widget-guest.png")

    page.goto(shop_site.put("/warenkorb", live_server, lang="de", store=shop.id, cart_total="49.90"))
    page.click(".lsw-launcher")
    page.get_by_role("dialog", name="Prämien bei Bean & Leaf").wait_for()
    assert page.inner_text("[data-test=cart-earn]") == "Mit diesem Warenkorb sammeln Sie 49 Punkte."
    assert "Gold: ab 1.000,00\xa0€, x1.5 Punkte" in page.inner_text("#lsw-panel")
    _shoot(page, "widget-guest-de.png")
    page.set_viewport_size({"width": 390, "height": 800})  # a phone: the panel fits, no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#lsw-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    _shoot(page, "widget-guest-phone.png")
