"""The audit log and the coupons list in a real headless Chromium: rule
changes as sentences, coupons with their kind's name and their member.
Screenshots go to test-artifacts/ (look at them)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.extensions import db
from tests.admin.conftest import REPO_ROOT
from tests.admin.factories import make_user, populate
from tests.admin.test_browser import _login

pytestmark = pytest.mark.browser


def _screenshot(page, name: str) -> None:
    artifacts = REPO_ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / name), full_page=True)
    assert (artifacts / name).stat().st_size > 10_000


def test_audit_log_and_coupons_list_read_as_words(app, live_server, page):
    make_user()
    data = populate()
    store = data["store"]
    _, program = program_in_force(store)
    bronze, silver, gold = program.tiers
    save_program(
        store,
        replace(program, tiers=(bronze, replace(silver, threshold=Decimal(200)), gold), auto_redeem=False),
        actor="admin@example.com",
        note="easier Silver",
    )
    db.session.commit()
    _login(page, live_server)

    page.goto(f"{live_server}/admin/audit/")
    lines = page.locator("[data-testid=audit-change] li").all_inner_texts()
    assert lines == ["Silver threshold: 300 → 200", "Turn points into coupons automatically: on → off"]
    _screenshot(page, "audit-log.png")

    page.goto(f"{live_server}/admin/coupons/")
    kinds = {text.strip() for text in page.locator("td.col-source").all_inner_texts()}
    assert {"tier-up reward", "points reward"} <= kinds and "tierup" not in kinds
    member = page.locator("[data-testid=coupon-member]").first
    assert member.inner_text() in ("Anna Schmidt", "Ben Meyer")
    with page.expect_navigation():
        member.click()
    assert "/admin/members/" in page.url
    page.go_back()
    page.wait_for_selector("td.col-source")
    _screenshot(page, "coupons-list.png")
