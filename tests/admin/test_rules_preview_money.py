"""The rule preview in money (issue #19, item 5): the card says, in the store's currency, what the books
hold now and what saving would make of it, when it sampled (in the shop's zone) and whom; the chart's
figures travel as JSON for static/whatif_chart.js (no inline script)."""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal

from admin.formatting import format_money
from loyalty_sync.extensions import db
from tests.admin.test_rules import _form, _post
from tests.support.members import make_member
from tests.support.stores import make_store


def _shop():
    """A: 600.00 -> Silver (tier-up coupon, 5 off) and 600 points, 500 auto-redeemed (5 off): 100 left.
    B: 150.00 -> 150 points. Both coupons are open (not pushed yet)."""
    store = make_store()
    store.timezone = "Europe/Berlin"
    db.session.commit()
    make_member(store, "a@example.com", ["600.00"])
    make_member(store, "b@example.com", ["150.00"])
    return store


def _table(page: str) -> dict[str, list[str]]:
    rows = re.findall(
        r'<tr data-money-row="\d+"><td>([^<]*)</td><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>',
        page,
    )
    return {html.unescape(what): [html.unescape(cell) for cell in cells] for what, *cells in rows}


def test_the_preview_card_says_the_books_now_and_after_saving_in_money(admin_client):
    store = _shop()
    page = _post(admin_client, "/admin/rules/preview", store, _form(rate="2", vip_membership_sku="")).get_data(
        as_text=True
    )
    assert 'data-testid="preview-money"' in page and "In money (EUR)" in page
    table = _table(page)

    def eur(amount: str) -> str:
        return format_money(Decimal(amount), "EUR")

    # Now = the books: 250 points x 0.012 = 3.00, plus the two open coupons (10.00).
    assert table["Coupons issued"][0] == "2 coupons"
    assert table["Value of the coupons issued"][0] == eur("10.00")
    assert table["Liability (points + unused coupons)"][0] == eur("13.00")
    assert table["· outstanding points"][0] == f"250 points = {eur('3.00')}"
    assert table["· unused coupons"][0] == eur("10.00")
    # 750 points given x 0.012 + the tier-up coupon = 14.00 on 750.00 of revenue.
    assert table["Earn cost (points given + free coupons)"][0] == eur("14.00")
    assert table[f"Earn cost as a share of revenue ({eur('750.00')})"][0] == "1.87%"
    # After, twice the points: B 300; A 1200, auto-redeemed into the 12-off reward (1000 points) instead of
    # the 5-off one: still 2 coupons, worth 17.00, both open; 500 points = 6.00; liability 23.00;
    # earn cost 1500 x 0.012 + 5.00 = 23.00, 3.07% of revenue.
    assert table["Coupons issued"][1:] == ["2 coupons", "no change"]
    assert table["Value of the coupons issued"][1:] == [eur("17.00"), "+" + eur("7.00")]
    assert table["Liability (points + unused coupons)"][1:] == [eur("23.00"), "+" + eur("10.00")]
    assert table["· outstanding points"][1] == f"500 points = {eur('6.00')}"
    assert table["Earn cost (points given + free coupons)"][1:] == [eur("23.00"), "+" + eur("9.00")]
    assert table[f"Earn cost as a share of revenue ({eur('750.00')})"][1:] == ["3.07%", "+1.20%"]
    summary = html.unescape(re.search(r'data-money="summary">([^<]+)<', page).group(1))
    assert summary == (
        f"Saving would issue the same number of coupons (+{eur('7.00')} in value); the liability "
        f"goes from {eur('13.00')} to {eur('23.00')}, and the earn cost from 1.87% to 3.07% of "
        "revenue."
    )
    sampled = html.unescape(re.search(r'data-money="sampled">([^<]+)<', page).group(1))
    assert re.match(r"Sampled \d{4}-\d\d-\d\d \d\d:\d\d CET: every member replayed \(2 members\)\.", sampled)
    chart = json.loads(
        html.unescape(
            re.search(
                r'<script type="application/json" id="whatif-chart-data">(.*?)'
                r"</script>",
                page,
                re.S,
            ).group(1)
        )
    )
    assert chart["before"] == ["13.00", "10.00"] and chart["before_shown"] == [eur("13.00"), eur("10.00")]
    assert chart["currency"] == "EUR" and chart["after"] == ["23.00", "17.00"]
    assert "whatif_chart.js" in page and "chart.umd.min.js" in page
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert all('type="application/json"' in attributes for attributes in scripts)  # no inline script


def test_a_sampled_preview_says_whom_it_replayed(admin_client, app):
    store = _shop()
    make_member(store, "c@example.com", ["20.00"])
    make_member(store, "d@example.com", ["30.00"])
    app.config["WHATIF_MAX_MEMBERS"] = 2
    page = _post(admin_client, "/admin/rules/preview", store, _form(rate="2", vip_membership_sku="")).get_data(
        as_text=True
    )
    sampled = html.unescape(re.search(r'data-money="sampled">([^<]+)<', page).group(1))
    assert "a sample of 2 of 4 members (every 2nd) replayed, the change scaled up to all" in sampled
    # the books' side stays exact: 250 + 20 + 30 points, two open coupons
    assert _table(page)["Liability (points + unused coupons)"][0] == format_money(Decimal("13.60"), "EUR")


def test_a_store_without_revenue_says_the_earn_cost_in_money(admin_client):
    store = make_store()
    page = _post(admin_client, "/admin/rules/preview", store, _form(rate="2", vip_membership_sku="")).get_data(
        as_text=True
    )
    summary = html.unescape(re.search(r'data-money="summary">([^<]+)<', page).group(1))
    zero = format_money(Decimal(0), "EUR")
    assert summary == (
        f"Saving would issue the same number of coupons; the liability goes from {zero} to {zero}, "
        f"and the earn cost from {zero} to {zero} (no paid revenue yet)."
    )
