"""Every response says it may not be framed by another site (clickjacking)
and runs only scripts served by this app (stored XSS), and a real Chromium
obeys: the admin's login page never renders inside a frame of a foreign page,
and a script written into a page does not run.

Every admin and member page working under this policy: tests/admin/test_content_security_policy.py."""

import re

import pytest

from loyalty_sync.security_headers import DEFAULT_HEADERS
from tests.admin.conftest import login
from tests.admin.factories import ADMIN_PASSWORD, make_user
from tests.support.browser import new_page

PATHS = ["/admin/login/", "/admin/", "/api/v1/members/1", "/no-such-page", "/m/not-a-token"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_forbids_framing(client, path):
    response = client.get(path)
    assert response.status_code < 500
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_route_can_set_its_own_policy(app, client):
    """The embeddable widget to come sets its own policy; the default leaves it."""

    @app.get("/_test_embeddable")
    def embeddable():
        return "ok", 200, {"Content-Security-Policy": "frame-ancestors https://shop.example"}

    response = client.get("/_test_embeddable")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors https://shop.example"
    assert response.headers["X-Frame-Options"] == DEFAULT_HEADERS["X-Frame-Options"]


@pytest.mark.browser
def test_chromium_refuses_to_frame_the_admin(live_server, browser):
    context, page = new_page(browser)
    try:
        page.set_content(f'<iframe id="f" src="{live_server}/admin/login/" width="400" height="300"></iframe>')
        page.wait_for_timeout(1500)  # a frame load is not awaited by set_content
        frame = next(f for f in page.frames if f != page.main_frame)
        assert frame.query_selector("input[type=password]") is None
    finally:
        context.close()


def _directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("path", PATHS)
def test_every_response_runs_scripts_from_this_app_only(client, path):
    policy = _directives(client.get(path).headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert all(source == "'self'" or source.startswith("'nonce-") for source in policy["script-src"]), policy
    assert not {"script-src-elem", "script-src-attr"} & set(policy)  # nothing loosens script-src
    assert "'unsafe-inline'" not in policy["style-src"]  # only style attributes may be inline
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"] and policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


@pytest.fixture
def admin_client(app, client):
    """Logged in; the test's one app context is shared by its requests, so the
    cached user and CSRF token are dropped before each (as in tests/admin)."""
    from flask import g

    @app.before_request
    def _fresh_request():
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    make_user()
    assert login(client, "admin@example.com", ADMIN_PASSWORD).status_code == 302
    return client


def test_the_nonce_is_new_for_every_request_and_is_the_one_in_the_page(admin_client):
    nonces = []
    for _ in range(2):
        response = admin_client.get("/admin/")
        assert response.status_code == 200
        script_src = _directives(response.headers["Content-Security-Policy"])["script-src"]
        nonce = re.fullmatch(r"'nonce-([\w-]{22,})'", script_src[1]).group(1)  # 128 bits at least
        in_page = set(re.findall(r'nonce="([^"]*)"', response.get_data(as_text=True)))
        assert in_page == {nonce}  # Flask-Admin's script tags carry it
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert "nonce" not in admin_client.get("/admin/assets/panel.js").headers["Content-Security-Policy"]


# What an attacker might get into a page, and what the app itself serves.
INJECTED = """<!doctype html><html><head><title>injected</title></head><body>
<p id="inline">-</p><p id="handler">-</p><p id="link">-</p><p id="static">-</p>
<script>document.getElementById("inline").textContent = "ran";</script>
<img src="/no-such-image.png" alt="" onerror="document.getElementById('handler').textContent = 'ran'">
<a id="js-link" href="javascript:void(document.getElementById('link').textContent = 'ran')">link</a>
<script src="/_test/static.js"></script>
{extra}
</body></html>"""
_WATCH = "document.addEventListener('securitypolicyviolation', e => window.cspViolation(e.effectiveDirective), true);"


def _open(browser, url: str):
    context, page = new_page(browser)
    violations: list[str] = []
    page.expose_function("cspViolation", lambda directive: violations.append(directive))
    page.add_init_script(_WATCH)
    page.goto(url)
    page.wait_for_function("document.getElementById('static').textContent === 'ran'")
    return context, page, violations


def _serve_injected(app, extra: str = "") -> None:
    from flask import render_template_string

    app.add_url_rule(
        "/_test/injected", "test_injected", lambda: render_template_string(INJECTED.replace("{extra}", extra))
    )
    app.add_url_rule(
        "/_test/static.js",
        "test_static_js",
        lambda: ("document.getElementById('static').textContent = 'ran';", 200, {"Content-Type": "text/javascript"}),
    )


@pytest.mark.browser
def test_chromium_does_not_run_a_script_written_into_a_page(app, live_server, browser):
    _serve_injected(app)
    context, page, violations = _open(browser, f"{live_server}/_test/injected")
    try:
        page.click("#js-link")
        page.wait_for_timeout(300)
        assert page.inner_text("#static") == "ran"  # the app's own script file runs
        assert page.inner_text("#inline") == "-"
        assert page.inner_text("#handler") == "-"
        assert page.inner_text("#link") == "-"
        assert sorted(violations) == ["script-src-attr", "script-src-elem", "script-src-elem"], violations
    finally:
        context.close()


@pytest.mark.browser
def test_chromium_runs_an_inline_script_only_with_this_responses_nonce(app, live_server, browser):
    _serve_injected(
        app,
        """<p id="nonced">-</p><p id="guessed">-</p>
<script nonce="{{ csp_nonce() }}">document.getElementById("nonced").textContent = "ran";</script>
<script nonce="bm90LXRoZS1ub25jZS0xMjM0">document.getElementById("guessed").textContent = "ran";</script>""",
    )
    context, page, violations = _open(browser, f"{live_server}/_test/injected")
    try:
        assert page.inner_text("#nonced") == "ran"
        assert page.inner_text("#guessed") == "-"
        assert page.inner_text("#inline") == "-"
        assert "script-src-elem" in violations
    finally:
        context.close()
