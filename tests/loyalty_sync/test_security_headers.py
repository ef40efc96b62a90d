"""Every response says it may not be framed by another site (clickjacking),
and a real Chromium obeys: the admin's login page never renders inside a
frame of a foreign page."""
import pytest

from loyalty_sync.security_headers import DEFAULT_HEADERS
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
