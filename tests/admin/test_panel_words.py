"""Words people read in the panel: coupon kinds by name, the member on every
coupon, rule changes as sentences, tiers in ladder order, counted nouns."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from loyalty_sync.wording import count_of
from loyalty_sync.analysis import dashboard
from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon
from tests.admin.factories import make_member, make_store, populate


def test_count_of():
    assert [count_of(n, "member") for n in (0, 1, 2)] == ["0 members", "1 member", "2 members"]
    assert count_of(-1, "point") == "-1 point" and count_of(3, "more coupon", "more coupons") == "3 more coupons"


def test_coupons_list_names_the_kind_and_links_the_member(admin_client):
    data = populate()
    anna = data["anna"]
    kinds = {c.source for c in db.session.execute(db.select(Coupon)).scalars()}
    assert {"tierup", "reward"} <= kinds
    page = admin_client.get("/admin/coupons/").get_data(as_text=True)
    cells = [re.sub(r"\s+", " ", c).strip() for c in re.findall(r'<td class="col-source">(.*?)</td>', page, re.S)]
    assert "tier-up reward" in cells and "points reward" in cells
    assert not {"tierup", "reward", "referral"} & set(cells)
    members = re.findall(
        r'<a href="/admin/members/(\d+)/" data-testid="coupon-member">([^<]+)</a>'
        r'<br><span class="small text-muted">([^<]+)</span>',
        page,
    )
    assert (str(anna.id), "Anna Schmidt", "anna@example.com") in members
    # the filter offers the kinds by name, and filters by the stored value
    assert '["tierup", "tier-up reward"]' in page
    arg = re.search(r'"Kind": \[\{"arg": "(\d+)"', page).group(1)
    only = admin_client.get(f"/admin/coupons/?flt0_{arg}=tierup").get_data(as_text=True)
    kinds_shown = {re.sub(r"\s+", " ", c).strip() for c in re.findall(r'<td class="col-source">(.*?)</td>', only, re.S)}
    assert kinds_shown == {"tier-up reward"}


def test_member_page_names_coupon_kinds(admin_client):
    data = populate()
    page = admin_client.get(f"/admin/members/{data['anna'].id}/").get_data(as_text=True)
    assert "tier-up reward" in page and "<td>tierup" not in page


def test_audit_log_shows_each_changed_rule_before_and_after(admin_client):
    store = make_store()
    _, program = program_in_force(store)
    bronze, silver, gold = program.tiers
    save_program(
        store,
        replace(program, tiers=(bronze, replace(silver, threshold=Decimal(200)), gold), coupon_expiry_days=60),
        actor="admin@example.com",
        note="easier Silver",
    )
    db.session.commit()
    page = admin_client.get("/admin/audit/").get_data(as_text=True)
    change = re.search(r"<ul class='list-unstyled mb-0 small' data-testid='audit-change'>(.*?)</ul>", page, re.S).group(
        1
    )
    text = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", change)]
    assert text == ["Silver threshold: 300 → 200", "Coupons are valid for (days): 90 → 60"]
    assert "..." not in change and "{" not in change


def _ladder_store():
    store = make_store()
    make_member(store, "gold1@example.com", ["1200.00"])
    make_member(store, "gold2@example.com", ["1300.00"])
    make_member(store, "silver@example.com", ["400.00"])
    make_member(store, "bronze@example.com", ["50.00"])
    return store


def test_tiers_in_ladder_order_on_the_dashboard_and_the_members_filter(admin_client):
    store = _ladder_store()
    # neither by head count (Gold has most) nor alphabetically (Gold before Silver)
    assert dashboard.tier_distribution(store.id) == [("Bronze", 1), ("Silver", 1), ("Gold", 2)]
    assert dashboard.tier_distribution() == [("Bronze", 1), ("Silver", 1), ("Gold", 2)]
    members = admin_client.get(f"/admin/members/?store={store.id}").get_data(as_text=True)
    select = re.search(r'<select id="f-tier".*?</select>', members, re.S).group(0)
    assert re.findall(r"<option [^>]*>([^<]+)</option>", select) == ["Any tier", "Bronze", "Silver", "Gold"]
    assert '"tiers": ["Bronze", "Silver", "Gold"]' in admin_client.get(f"/admin/?store={store.id}").get_data(
        as_text=True
    )
