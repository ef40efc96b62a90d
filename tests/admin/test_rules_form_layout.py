"""The rules form in Chromium: no checkbox sits on top of its help text (it did: Bootstrap places a
lone `.form-check-input` absolutely, over the text that followed it)."""

from tests.admin.factories import populate
from tests.admin.conftest import REPO_ROOT
from tests.admin.test_browser import _login
from tests.support.browser import new_page

OVERLAPS = """() => [...document.querySelectorAll('input[type=checkbox]')].flatMap(box => {
  const b = box.getBoundingClientRect();
  const texts = [...(box.closest('.col-md-8') || box.parentElement).querySelectorAll('label, small')];
  return texts.filter(t => [...t.getClientRects()].some(r =>   // one rectangle per line of text
    r.width && b.left < r.right && r.left < b.right && b.top < r.bottom && r.top < b.bottom))
    .map(t => box.id + ': ' + t.textContent.trim().slice(0, 40));
})"""


def test_no_checkbox_covers_its_help_text(live_server, browser, admin_user):
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    populate()
    context, page = new_page(browser, viewport={"width": 1280, "height": 900})
    try:
        _login(page, live_server)
        page.goto(f"{live_server}/admin/rules/")
        assert page.locator("input[type=checkbox]").count() >= 5
        assert page.evaluate(OVERLAPS) == []
        page.locator("#f-include_tax").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "rules-checkboxes.png"))
        page.get_by_text("on the tax part of an order too").click()  # the help text is the box's label
        assert page.locator("#f-include_tax").is_checked()
    finally:
        context.close()
