"""The Content-Security-Policy (loyalty_sync/security_headers.py) in a real
headless Chromium: every page a logged-in admin reaches, and the member's own
pages, work under it without one violation or console error; the charts are
drawn, the confirm dialogs still ask, and the pickers, filters, bulk actions
and double-submit guard still work with their inline handlers gone.

SQLite only (the `live_server` fixture skips the PostgreSQL parameter).
"""

from __future__ import annotations

import re

import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Coupon, Store
from tests.admin.conftest import REPO_ROOT
from tests.admin.factories import ADMIN_PASSWORD, make_user
from tests.admin.test_extras_pages import shop
from tests.support.members import make_member
from tests.support.stores import make_store

pytestmark = pytest.mark.browser

# Reports every violation and uncaught error to the test (an exposed binding
# survives navigations; an init script is not subject to the page's policy).
_WATCH = """
document.addEventListener('securitypolicyviolation', function (e) {
  window.cspViolation({directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
                       line: e.lineNumber, page: document.location.pathname});
}, true);
"""
# Script the policy would refuse, left in a page: any inline on...= handler
# (after panel.js replaced Flask-Admin's known ones) and any inline script that
# is neither a JSON data island nor carrying this response's nonce.
_INLINE_SCRIPT = """(nonce) => {
  const handlers = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) { handlers.push(el.tagName + ' ' + attr.name + '=' + attr.value); }
    }
  }
  // (without the response at hand, after a click, the nonce'd scripts are taken as they are)
  const scripts = [...document.scripts].filter(s => !s.src && s.type !== 'application/json' &&
                                                    (nonce === null ? !s.nonce : s.nonce !== nonce))
                                       .map(s => s.textContent.slice(0, 80));
  return handlers.concat(scripts);
}"""
# Every chart canvas is a Chart.js chart and has pixels drawn on it.
_CHARTS_DRAWN = """() => [...document.querySelectorAll('canvas')].map(c => {
  const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { drawn++; } }
  return {id: c.id, chart: Chart.getChart(c) !== undefined, drawn: drawn, width: c.width};
})"""


class Watch:
    """What the browser reported on the pages visited: policy violations,
    console errors, uncaught exceptions, dialogs, requests leaving the server."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.violations: list[dict] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.visited: list[str] = []
        self.answer_dialogs = "dismiss"
        page.expose_function("cspViolation", lambda violation: self.violations.append(violation))
        page.add_init_script(_WATCH)
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{m.text} ({m.location})"))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept() if self.answer_dialogs == "accept" else dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def visit(self, path: str) -> None:
        response = self.page.goto(self.base + path if path.startswith("/") else path)
        self.check_page(response)

    def check_page(self, response=None) -> None:
        """The page came with the strict policy, left no inline script, and its charts are drawn."""
        self.page.wait_for_load_state("load")
        path = self.page.url.replace(self.base, "")
        self.visited.append(path.split("?")[0])
        nonce = None
        if response is not None:
            assert response.status == 200, (path, response.status)
            policy = response.headers["content-security-policy"]
            script_src = re.search(r"script-src ([^;]*)", policy)
            assert script_src and "'self'" in script_src.group(1), (path, policy)
            assert "unsafe" not in script_src.group(1), (path, policy)
            nonce = re.search(r"'nonce-([^']+)'", script_src.group(1))
            nonce = nonce.group(1) if nonce else ""
        assert self.page.evaluate(_INLINE_SCRIPT, nonce) == [], path
        if self.page.locator("canvas").count():
            self.page.wait_for_selector("body[data-charts-ready='1']")
            for chart in self.page.evaluate(_CHARTS_DRAWN):
                assert chart["chart"] and chart["width"] > 0 and chart["drawn"] > 500, (path, chart)

    def assert_clean(self) -> None:
        self.page.wait_for_timeout(300)  # reports of the last page arrive asynchronously
        assert self.violations == [], "\n".join(map(str, self.violations))
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside


def _login(watch: Watch) -> None:
    page = watch.page
    page.goto(f"{watch.base}/admin/")
    page.fill("#email", "admin@example.com")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    watch.check_page()


def _menu_pages(page) -> list[str]:
    return page.eval_on_selector_all(
        "#admin-navbar-collapse a[href^='/admin']", "links => links.map(a => a.getAttribute('href'))"
    )


def _ask(watch: Watch, click: str, question: str) -> None:
    """Clicking asks `question`; cancelling it sends nothing."""
    page = watch.page
    posts: list[str] = []

    def note_post(request):
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", note_post)
    url, asked = page.url, len(watch.dialogs)
    page.click(click)
    page.wait_for_timeout(200)
    page.remove_listener("request", note_post)
    assert watch.dialogs[asked:] == [question]
    assert page.url == url and posts == []


@pytest.fixture
def two_stores(app, sim_store):
    """The demo data (members, orders, coupons, campaigns, sync runs) in a store
    that is not reachable, an empty woosim store, and a store in review with
    members read (its first-sync plan, with charts)."""
    make_user()
    data = shop()
    data["sim"] = sim_store
    review = make_store("review-shop")
    review.history_mode = "review"
    db.session.commit()
    make_member(review, "rita@example.com", ["700.00"], first_name="Rita")
    data["review"] = review
    return data


def test_every_admin_page_works_under_the_policy(app, live_server, page, two_stores, monkeypatch):
    data = two_stores
    store, anna = data["store"], data["anna"]
    watch = Watch(page, live_server)
    _login(watch)

    # every page of the menu, then the pages behind them
    menu = _menu_pages(page)
    for path in menu:
        watch.visit(path)
    for path in [
        f"/admin/members/{anna.id}/",
        f"/admin/campaigns/{data['campaign'].id}/",
        "/admin/campaigns/new/",
        f"/admin/at-risk/?store={store.id}&kind=expiry",
        f"/admin/at-risk/?store={store.id}&kind=churn",
        "/admin/stores/new/",
        f"/admin/stores/edit/?id={store.id}",
        "/admin/audit/",
        "/admin/connect/",
        f"/admin/connect/{data['sim'].id}/webhooks",
        f"/admin/first-sync/?store={data['sim'].id}",
        f"/admin/api-tokens/?store={store.id}",
        "/admin/kpis/?preset=30d",
        f"/admin/email-settings/?store={store.id}&kind=coupon_ready&lang=de",
    ]:
        watch.visit(path)
    assert {
        "/admin/",
        "/admin/kpis/",
        "/admin/members/",
        "/admin/campaigns/",
        "/admin/expiring/",
        "/admin/at-risk/",
        "/admin/liability/",
        "/admin/rules/",
        "/admin/coupons/",
        "/admin/nps/",
        "/admin/stores/",
        "/admin/api-tokens/",
        "/admin/reconcile/",
        "/admin/first-sync/",
        "/admin/sync-log/",
        "/admin/rejected/",
        "/admin/audit/",
        "/admin/export/",
        "/admin/email-settings/",
    } <= set(watch.visited)
    watch.visit("/admin/")
    page.screenshot(path=str(_artifacts() / "csp-dashboard.png"), full_page=True)
    watch.visit(f"/admin/kpis/?store={store.id}")
    page.screenshot(path=str(_artifacts() / "csp-kpis.png"), full_page=True)

    # the navbar's menus (links to javascript:void(0)) open and lead on
    watch.visit("/admin/")
    page.click("#admin-navbar-collapse a.dropdown-toggle:has-text('Logs')")
    page.click("#admin-navbar-collapse a.dropdown-item:has-text('Sync log')")
    page.wait_for_url("**/admin/sync-log/")
    watch.check_page()
    page.click("a.nav-link.active:has-text('List')")  # a javascript:void(0) tab: nothing happens, nothing refused

    # the store picker sends its form when another store is picked
    watch.visit(f"/admin/kpis/?store={store.id}")
    with page.expect_navigation():
        page.select_option("#store-picker", str(data["sim"].id))
    assert f"store={data['sim'].id}" in page.url
    watch.check_page()

    # confirm dialogs: cancelling sends nothing
    watch.visit(f"/admin/reconcile/?store={store.id}")
    _ask(watch, "[data-action=fix]", f"Heal every drift of {store.name} now?")
    watch.visit(f"/admin/at-risk/?store={store.id}&kind=expiry&days=365")
    count = page.inner_text("[data-testid=at-risk-count]")
    assert int(count) > 0
    page.fill("[data-testid=campaign-form] input[name=amount]", "5")
    _ask(
        watch,
        "[data-testid=campaign-form] [data-action=send]",
        f"Send a coupon to each of the {count} {'member' if count == '1' else 'members'} on this list?",
    )
    review = data["review"]
    watch.visit(f"/admin/first-sync/?store={review.id}&since=2020-01-01")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.evaluate("Chart.getChart(document.getElementById('chart-plan-money')) !== undefined")
    _ask(
        watch,
        "[data-action=choose-award]",
        "Book review-shop's history as “Award points for the past”: every past order earns its points, as if the "
        "shop had been connected when it was placed? The next pass books it and sends 1 coupon and every "
        "member's points and tier to the shop. This is chosen once.",
    )

    # Flask-Admin's list: filters, the bulk action with its confirmation, a row's delete button
    watch.visit("/admin/coupons/")
    page.click("a.dropdown-toggle:has-text('Add Filter')")
    page.click("a.filter >> nth=0")
    page.wait_for_selector("#filter_form table.filters tr")
    page.check("input.action-checkbox >> nth=0")
    page.click("a.dropdown-toggle:has-text('With selected')")
    watch.answer_dialogs = "accept"
    with page.expect_navigation():
        page.click("a.dropdown-item:has-text('Re-send to the store')")
    watch.answer_dialogs = "dismiss"
    assert watch.dialogs[-1] == "Put the selected failed coupons back in the outbox?"
    page.wait_for_selector("text=1 coupon will be sent to the store again.")
    watch.check_page()
    db.session.expire_all()
    assert db.session.get(Coupon, data["coupon"].id).status == "pending"
    stores_view = next(v for v in app.extensions["loyalty_admin"]._views if v.endpoint == "stores")
    monkeypatch.setattr(stores_view, "_allow_delete", True)  # no view deletes today; its button must still ask
    watch.visit("/admin/stores/")
    _ask(watch, "form[action$='/admin/stores/delete/'] button >> nth=0", "Are you sure you want to delete this record?")
    assert db.session.execute(db.select(db.func.count()).select_from(Store)).scalar_one() == 3

    # the campaign confirmation can be sent once: its button is disabled by the first click
    watch.visit(f"/admin/campaigns/new/?store={store.id}")
    page.select_option("#f-segment", "")
    page.fill("#f-min_points", "0")  # every member with points
    page.fill("[data-testid=campaign-form] input[name=amount]", "5")
    page.click("[data-action=confirm-campaign]")
    page.wait_for_selector("[data-testid=confirmation]")
    watch.check_page()
    sent: list[str] = []
    page.route("**/admin/campaigns/new/send", lambda route: (sent.append(route.request.method), route.abort("aborted")))
    page.click("[data-action=send-campaign]", no_wait_after=True)
    page.wait_for_function("document.querySelector('[data-action=send-campaign]').disabled")
    page.click("[data-action=send-campaign]", force=True, no_wait_after=True)  # a second press does nothing
    page.wait_for_timeout(200)
    assert sent == ["POST"]

    # the member's own pages, by the link the panel gives
    watch.visit(f"/admin/members/{anna.id}/")
    page.click("[data-testid=member-link-form] button")
    page.wait_for_selector("[data-testid=link-page]")
    watch.check_page()
    member_page, survey_page = page.input_value("#link-page"), page.input_value("#link-survey")
    watch.visit(member_page)
    page.click("button.copy >> nth=0")
    page.wait_for_function("document.getElementById('copy-status').textContent.startsWith('Copied: ')")
    assert page.inner_text("button.copy >> nth=0") == "Copied"
    watch.visit(survey_page)
    watch.visit("/api/v1/docs")
    entry = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
    watch.visit(f"/admin/audit/details/?id={entry.id}")  # the link copy just audited

    watch.assert_clean()


# Our files over Flask-Admin's of the same name, and the macros each replaces.
REPLACED = {
    "admin/actions.html": {"dropdown"},
    "admin/model/layout.html": {"filter_options"},
    "admin/model/row_actions.html": {"delete_row"},
}


@pytest.mark.parametrize("path", sorted(REPLACED))
def test_our_copies_of_flask_admin_templates_replace_only_the_macros_with_inline_handlers(app, path):
    """admin/templates/admin/ stands over Flask-Admin's files: each of ours offers
    every macro of the original (an upgrade that adds one fails here), defines
    only those whose inline handler the policy refuses, and is the one rendered.
    When Flask-Admin drops its inline handlers (pallets-eco/flask-admin#2556)
    the last assertion fails: our copy can then go."""
    from jinja2 import nodes

    env = app.jinja_env
    ours = (REPO_ROOT / "admin" / "templates" / path).read_text()
    original = env.loader.get_source(env, f"flask_admin/{path}")[0]
    tree = env.parse(ours)
    defined = {macro.name for macro in tree.find_all(nodes.Macro)}
    passed_on = {assign.target.name for assign in tree.find_all(nodes.Assign)}
    assert defined == REPLACED[path]
    assert defined | passed_on == {macro.name for macro in env.parse(original).find_all(nodes.Macro)}
    assert env.get_template(path).filename == str(REPO_ROOT / "admin" / "templates" / path)
    assert not re.search(r"\son[a-z]+=", re.sub(r"{#.*?#}", "", ours, flags=re.DOTALL))
    assert re.search(r"\son[a-z]+=", original)


def _artifacts():
    out = REPO_ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    return out
