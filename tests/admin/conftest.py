"""Fixtures for the admin panel: logged-in clients and a live server for the
browser tests (real werkzeug server in a thread, real headless Chromium)."""
from __future__ import annotations

import re
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.admin.factories import ADMIN_PASSWORD, VIEWER_PASSWORD, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_login_per_request(app):
    """The `app` fixture keeps one app context open for the whole test, so
    Flask's `g` (where Flask-Login caches the current user and Flask-WTF the
    CSRF token) would outlive a request and leak one client's login into
    another client's request. In production every request has its own app
    context; reproduce that."""
    from flask import g

    @app.before_request
    def _forget_cached_user():
        g.pop("_login_user", None)
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, email: str, password: str):
    page = client.get("/admin/login/")
    return client.post("/admin/login/", data={"email": email, "password": password,
                                               "csrf_token": csrf_token(page.get_data(as_text=True))})


@pytest.fixture
def admin_user(app):
    return make_user("admin@example.com", ADMIN_PASSWORD, "admin")


@pytest.fixture
def viewer_user(app):
    return make_user("viewer@example.com", VIEWER_PASSWORD, "viewer")


@pytest.fixture
def admin_client(app, admin_user):
    client = app.test_client()
    response = login(client, "admin@example.com", ADMIN_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def viewer_client(app, viewer_user):
    client = app.test_client()
    response = login(client, "viewer@example.com", VIEWER_PASSWORD)
    assert response.status_code == 302
    return client


def token_for(client, path: str = "/admin/") -> str:
    return csrf_token(client.get(path).get_data(as_text=True))


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run on SQLite only, to keep the suite fast")


@pytest.fixture
def live_server(app, sqlite_only):
    """The app served by a real werkzeug server on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
                    "(`make browser`, or `apt-get install -y chromium`)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
