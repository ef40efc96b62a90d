"""Every page under /admin needs a login; viewers read but never write."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest

from tests.admin.conftest import csrf_token, login, token_for
from tests.admin.factories import ADMIN_PASSWORD, populate

# Public by design: the login form itself and static files (CSS, Chart.js).
PUBLIC_ENDPOINTS = {"auth.login"}


def _is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def _a_kept_mail(app) -> str:
    """A demo mailbox with one email in it, so its pages have something to show (admin/views/mailbox.py)."""
    folder = Path(tempfile.mkdtemp(prefix="mailbox-"))
    name = f"{time.time_ns()}.eml"
    (folder / name).write_text(
        "From: shop@demo.local\nTo: anna@example.com\nSubject: Hello\n"
        "Content-Type: text/html; charset=utf-8\n\n<p>Hello Anna</p>\n"
    )
    app.config["MAILBOX_DIR"] = str(folder)
    return name


def admin_urls(app, data) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule under /admin, arguments filled with real ids."""
    values = {
        "member_id": data["anna"].id,
        "coupon_id": data["coupon"].id,
        "store_id": data["store"].id,
        "export_type": "csv",
        "campaign_id": data["campaign"].id,
        "file_name": _a_kept_mail(app),
    }
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or _is_static(rule.endpoint) or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(values[name]), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    assert len(found) > 25, found
    return found


def test_every_admin_url_redirects_anonymous_people_to_the_login(app, client):
    data = populate()
    token = csrf_token(client.get("/admin/login/").get_data(as_text=True))
    for endpoint, method, url in admin_urls(app, data):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (endpoint, method, url, response.status_code)
        assert "/admin/login/" in response.headers["Location"], (endpoint, url)


# GET pages that only make sense for someone who may change things (every
# model view has them, even where creating is switched off).
WRITE_PAGES = (".create_view", ".edit_view")


def test_viewer_reads_every_page_but_cannot_change_anything(app, viewer_client):
    data = populate()
    token = token_for(viewer_client)
    for endpoint, method, url in admin_urls(app, data):
        if method == "GET":
            response = viewer_client.get(url)
            if endpoint.endswith(WRITE_PAGES):
                assert response.status_code == 403, (endpoint, url, response.status_code)
            elif response.status_code == 302:  # a switched-off Flask-Admin page (details, export) -> its list
                assert "/login" not in response.headers["Location"], (endpoint, url)
            elif endpoint.endswith(".ajax_lookup"):  # no lookup fields configured: Flask-Admin answers 404
                assert response.status_code == 404
            else:
                assert response.status_code == 200, (endpoint, url, response.status_code)
            response.close()
        elif endpoint == "auth.logout":  # logging out changes nothing in the books
            continue
        else:
            response = viewer_client.open(
                url,
                method=method,
                data={
                    "csrf_token": token,
                    "reason": "x",
                    "amount": "5",
                    "action": "resend",
                    "rowid": str(data["coupon"].id),
                },
            )
            assert response.status_code == 403, (endpoint, method, url, response.status_code)


def test_admin_can_open_every_page(app, admin_client):
    data = populate()
    for endpoint, method, url in admin_urls(app, data):
        if method != "GET" or endpoint.endswith((".export", ".ajax_lookup")):
            continue
        if endpoint.endswith((".edit_view", ".details_view")):
            url += f"?id={data['store'].id}" if endpoint.startswith("stores") else "?id=1"
        response = admin_client.get(url)
        if response.status_code == 302:  # switched-off Flask-Admin features (create a coupon...) -> the list
            assert endpoint.endswith((".create_view", ".edit_view", ".details_view")), endpoint
            assert "/login" not in response.headers["Location"]
        else:
            assert response.status_code == 200, (endpoint, url, response.status_code)
        response.close()


def test_unknown_admin_page_is_404(admin_client, client):
    assert admin_client.get("/admin/no-such-page/").status_code == 404
    assert admin_client.get("/admin/members/999999/").status_code == 404
    assert client.get("/admin/no-such-page/").status_code == 404


def test_viewer_gets_403_on_member_actions_and_nothing_changes(app, viewer_client):
    from loyalty_sync.extensions import db
    from loyalty_sync.models import LedgerEntry

    data = populate()
    rows = db.session.execute(db.select(db.func.count()).select_from(LedgerEntry)).scalar_one()
    response = viewer_client.post(
        f"/admin/members/{data['anna'].id}/adjust",
        data={"csrf_token": token_for(viewer_client), "amount": "100", "reason": "gift"},
    )
    assert response.status_code == 403
    assert db.session.execute(db.select(db.func.count()).select_from(LedgerEntry)).scalar_one() == rows


def test_viewer_sees_no_action_buttons(viewer_client):
    data = populate()
    page = viewer_client.get(f"/admin/members/{data['anna'].id}/").get_data(as_text=True)
    assert "adjust-form" not in page
    assert "Anonymise" not in page
    stores = viewer_client.get("/admin/stores/").get_data(as_text=True)
    assert "Test connection" not in stores


def test_logout_ends_the_session(admin_client):
    token = token_for(admin_client)
    response = admin_client.post("/admin/logout/", data={"csrf_token": token})
    assert response.status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_login_redirects_to_next_but_never_to_another_site(app, admin_user, client):
    token = csrf_token(client.get("/admin/login/").get_data(as_text=True))
    response = client.post(
        "/admin/login/?next=https://evil.example/x",
        data={"email": "admin@example.com", "password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/admin/")
    other = app.test_client()
    token = csrf_token(other.get("/admin/login/").get_data(as_text=True))
    response = other.post(
        "/admin/login/?next=/admin/members/",
        data={"email": "admin@example.com", "password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/admin/members/")


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_role_is_shown_in_the_navigation(app, role, admin_user, viewer_user):
    client = app.test_client()
    from tests.admin.factories import VIEWER_PASSWORD

    login(client, f"{role}@example.com", ADMIN_PASSWORD if role == "admin" else VIEWER_PASSWORD)
    page = client.get("/admin/").get_data(as_text=True)
    assert f"{role}@example.com" in page and "Log out" in page
