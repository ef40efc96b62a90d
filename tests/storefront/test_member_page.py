"""The personal member page /m/<token> and the survey link /s/<token>:
signed, expiring links; the right numbers; nothing about other members;
clear pages for tampered or expired links; the links pushed as customer meta.
The browser tests run headless Chromium against a real server (SQLite only)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from loyalty_sync.books import member_links
from loyalty_sync.books.member_books import store_status
from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry, Member, NpsAnswer
from tests.support.browser import new_page
from tests.support.members import make_registered_member

REPO_ROOT = Path(__file__).resolve().parents[2]


def _page_path(member) -> str:
    return f"/m/{member_links.make_token(member.store_id, member.id, 'page')}"


# --- links ----------------------------------------------------------------------------------------


def test_links_are_signed_expiring_and_stable_within_a_renewal_period(app, store, anna):
    now = datetime.now(timezone.utc)
    token = member_links.make_token(store.id, anna.id, "page", now=now)
    assert member_links.read_token(token, "page").member_id == anna.id
    assert member_links.make_token(store.id, anna.id, "page", now=now + timedelta(seconds=5)) == token
    issued = member_links.issue_time(now)
    next_period = datetime.fromtimestamp(issued, timezone.utc) + timedelta(days=30)
    assert member_links.make_token(store.id, anna.id, "page", now=next_period) != token
    # valid for 90 days from its issue, then expired
    assert member_links.read_token(token, "page", now=datetime.fromtimestamp(issued, timezone.utc) + timedelta(days=89))
    with pytest.raises(member_links.LinkExpired):
        member_links.read_token(token, "page", now=datetime.fromtimestamp(issued, timezone.utc) + timedelta(days=91))
    with pytest.raises(member_links.LinkInvalid):
        member_links.read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "page")
    with pytest.raises(member_links.LinkInvalid):
        member_links.read_token(token, "survey")  # one kind of link cannot open the other
    with pytest.raises(member_links.LinkInvalid):
        member_links.read_token(token, "page", secret_key="another key")


def test_links_are_pushed_as_customer_meta_only_with_a_public_base_url(app, store, anna):
    assert "loyalty_page_url" not in store_status(anna)
    app.config["PUBLIC_BASE_URL"] = "https://loyalty.shop.example/"
    status = store_status(anna)
    assert re.fullmatch(r"https://loyalty\.shop\.example/m/[\w.-]+", status["loyalty_page_url"])
    assert re.fullmatch(r"https://loyalty\.shop\.example/s/[\w.-]+", status["loyalty_survey_url"])
    assert store_status(anna) == status  # stable: no push on every pass
    token = status["loyalty_page_url"].rsplit("/", 1)[1]
    assert member_links.read_token(token, "page").member_id == anna.id


def test_the_link_is_renewed_by_the_daily_reevaluation(app, store, anna):
    from loyalty_sync.books.apply import reevaluate

    app.config["PUBLIC_BASE_URL"] = "https://loyalty.shop.example"
    member = db.session.get(Member, anna.id)
    member.pushed_status = store_status(member)
    member.status_changed = False
    db.session.commit()
    reevaluate(store, [member], now=datetime.now(timezone.utc))
    assert member.status_changed is False  # same period, same link
    later = datetime.now(timezone.utc) + timedelta(days=31)
    import unittest.mock as mock

    with mock.patch("loyalty_sync.books.member_links.datetime") as clock:
        clock.now.return_value = later
        clock.fromtimestamp = datetime.fromtimestamp
        reevaluate(store, [member], now=later)
    assert member.status_changed is True  # a new period: the renewed link is pushed


# --- the page (test client) -----------------------------------------------------------------------


def test_member_page_shows_the_members_status(client, store, anna):
    response = client.get(_page_path(anna))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hello Anna" in html
    assert 'data-test="spendable">1,087<' in html
    assert "Silver" in html and "Spend €50.00 more to reach Gold" in html
    assert "€5.00 off" in html  # the Silver tier-up coupon, read from its `amount`
    assert "+400 points for order #1001" in html
    assert "+375 points for order #1002, x1.25 Silver" in html
    assert "How likely are you to recommend shop to a friend?" in html
    assert "bob@example.com" not in html


def test_member_page_reveals_nothing_about_other_members(client, store, other_store, anna):
    bob = make_registered_member(other_store, 8, "bob@example.com", ["100.00"], first_order_id=2001, first_name="Bob")
    html = client.get(_page_path(anna)).get_data(as_text=True)
    assert "bob" not in html.lower() and "Bob" not in html
    bob_html = client.get(_page_path(bob)).get_data(as_text=True)
    assert "Hello Bob" in bob_html and "Anna" not in bob_html and "1,087" not in bob_html


def test_tampered_and_expired_links_get_a_clear_page(client, app, store, anna):
    path = _page_path(anna)
    tampered = client.get(path[:-3] + "xyz")
    assert tampered.status_code == 404
    assert "This link is not valid" in tampered.get_data(as_text=True)
    assert "Traceback" not in tampered.get_data(as_text=True)
    forged = member_links.make_token(store.id, anna.id, "page", secret_key="not our key")
    assert client.get(f"/m/{forged}").status_code == 404
    old = member_links.make_token(store.id, anna.id, "page", now=datetime.now(timezone.utc) - timedelta(days=200))
    expired = client.get(f"/m/{old}")
    assert expired.status_code == 410 and "has expired" in expired.get_data(as_text=True)
    gone = member_links.make_token(store.id, 999, "page")
    assert client.get(f"/m/{gone}").status_code == 404
    wrong_store = member_links.make_token(store.id + 1, anna.id, "page")
    assert client.get(f"/m/{wrong_store}").status_code == 404


def test_answer_the_survey_on_the_page_and_by_the_survey_link(client, store, anna):
    path = _page_path(anna)
    answered = client.post(f"{path}/nps", data={"score": "8", "comment": "fine"})
    assert answered.status_code == 303
    html = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Thank you for your answer" in html and "+20 points for answering the survey" in html
    assert 'data-test="spendable">1,107<' in html
    survey = f"/s/{member_links.make_token(store.id, anna.id, 'survey')}"
    again = client.get(survey).get_data(as_text=True)
    assert "You have answered already" in again
    client.post(survey, data={"score": "2"})
    assert db.session.execute(db.select(db.func.count()).select_from(NpsAnswer)).scalar() == 1
    assert "How likely" not in client.get(path).get_data(as_text=True)  # asked at most once per period


def test_the_survey_link_alone(client, store, anna):
    survey = f"/s/{member_links.make_token(store.id, anna.id, 'survey')}"
    assert "0 = not at all likely" in client.get(survey).get_data(as_text=True)
    assert client.post(survey, data={"score": "eleven"}).status_code == 303
    assert db.session.execute(db.select(NpsAnswer)).first() is None
    client.post(survey, data={"score": "10"})
    answer = db.session.execute(db.select(NpsAnswer)).scalar_one()
    assert answer.score == 10 and answer.source == "survey"
    page_token = member_links.make_token(store.id, anna.id, "page")
    assert client.get(f"/s/{page_token}").status_code == 404


def test_the_page_speaks_the_stores_language_and_currency(client, app, store, anna):
    app.config["STOREFRONT_LANGUAGES"] = {"shop": "de"}
    html = client.get(_page_path(anna)).get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Punkte" in html and "1.087" in html and "50,00\xa0€" in html
    english = client.get(_page_path(anna) + "?lang=en").get_data(as_text=True)
    assert "points you can spend now" in english


# --- the page in a real browser -------------------------------------------------------------------


@pytest.fixture
def page(browser, live_server):
    context, page = new_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=1)  # a phone
    yield page
    context.close()


@pytest.mark.browser
def test_member_page_in_chromium(app, store, anna, live_server, page):
    outside = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page.goto(live_server + _page_path(anna))
    assert page.inner_text("[data-test=spendable]") == "1,087"
    assert page.inner_text("[data-test=pending]") == "0"
    assert "Spend €50.00 more to reach Gold" in page.inner_text("[data-test=next-tier]")
    assert page.get_attribute("[role=progressbar]", "aria-valuenow") == "92"
    ledger = page.inner_text("[data-test=ledger]")
    assert "+312 points for order #1003, x1.25 Silver" in ledger
    page.click("button.copy >> nth=0")
    page.wait_for_function("document.getElementById('copy-status').textContent.startsWith('Copied')")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    out = REPO_ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "member-page.png"), full_page=True)
    page.check("input[name=score][value='9']", force=True)
    page.click("form button[type=submit]")
    page.wait_for_selector("text=Thank you for your answer")
    assert page.inner_text("[data-test=spendable]") == "1,107"
    assert outside == []


@pytest.mark.browser
def test_tampered_link_in_chromium(app, store, anna, live_server, page):
    page.goto(live_server + _page_path(anna)[:-4] + "abcd")
    assert "This link is not valid" in page.inner_text("main")
    expired = member_links.make_token(store.id, anna.id, "page", now=datetime.now(timezone.utc) - timedelta(days=120))
    page.goto(f"{live_server}/m/{expired}")
    assert "This personal link has expired" in page.inner_text("main")


def test_member_page_names_the_shop_and_dates_its_lines_by_the_shops_calendar(client, store, anna):
    store.display_name, store.timezone = "Bean & Leaf", "Asia/Tokyo"
    late_evening_utc = datetime(2026, 12, 8, 20, 0, tzinfo=timezone.utc)  # already 9 December in Tokyo
    db.session.add(
        LedgerEntry(
            store_id=store.id,
            member_id=anna.id,
            kind="adjust",
            points=10,
            key="tz-test",
            at=late_evening_utc,
            reason="a gesture",
        )
    )
    db.session.commit()
    html = client.get(_page_path(anna)).get_data(as_text=True)
    assert "Your points at Bean &amp; Leaf" in html and "shop to a friend" not in html
    assert "Bean &amp; Leaf to a friend" in html
    assert "Dec 9, 2026" in html and "Dec 8, 2026" not in html
