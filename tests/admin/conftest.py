"""Fixtures for the admin panel: logged-in clients and a live server for the
browser tests (real werkzeug server in a thread, real headless Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.admin.factories import ADMIN_PASSWORD, VIEWER_PASSWORD, make_user
from tests.support.browser import new_page

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
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, email: str, password: str):
    page = client.get("/admin/login/")
    return client.post(
        "/admin/login/",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )


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
def page(browser, live_server):
    context, page = new_page(browser, viewport={"width": 1400, "height": 1000})
    yield page
    context.close()
