"""A saved rule version is in force at once (issue #19, item 4), end to end:
a woosim store over HTTP, the rules saved in the panel (or with `program
save`), the pass the save queued run by the worker's own job, and then the
members' tiers, the ledger, the store's coupons and meta, and the pages.

Silver goes from 300 to 200: Anna (250.00 spent) moves up, Ben (100.00)
and Clara (400.00, Silver already) do not."""

from __future__ import annotations

import re

from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, ProgramVersion, Store, SyncRun
from loyalty_sync.store_sync.sync_pass import run_pass
from tests.support.requested_pass import run_requested_pass
from tests.admin.test_rules import _form, _post


def _shop_with_history(store, shop) -> dict:
    beans = shop.product("Beans", "50.00")
    shop.product("VIP membership", "99.00", sku="VIP-MEMBERSHIP")  # the defaults name it
    people = {}
    for email, quantity in (("anna@example.com", 5), ("ben@example.com", 2), ("clara@example.com", 8)):
        customer = shop.customer(email, email.split("@")[0].title())
        shop.order([(beans["id"], quantity)], customer_id=customer["id"], email=email)
        people[email] = customer
    assert run_pass(store.id).status == "ok"
    return people


def _tiers(store) -> dict[str, str]:
    db.session.expire_all()
    return {
        email: find_member(store, email).tier for email in ("anna@example.com", "ben@example.com", "clara@example.com")
    }


def _books(store):
    """Every ledger line and coupon key of the store, to see nothing is booked twice."""
    lines = db.session.execute(
        db.select(LedgerEntry.key, LedgerEntry.points).where(LedgerEntry.store_id == store.id).order_by(LedgerEntry.key)
    ).all()
    coupons = (
        db.session.execute(db.select(Coupon.key).where(Coupon.store_id == store.id).order_by(Coupon.key))
        .scalars()
        .all()
    )
    return lines, coupons


def _assert_balances_are_their_ledgers(store):
    for member in db.session.execute(db.select(Member).where(Member.store_id == store.id)).scalars():
        total = db.session.execute(
            db.select(db.func.coalesce(db.func.sum(LedgerEntry.points), 0)).where(LedgerEntry.member_id == member.id)
        ).scalar_one()
        assert member.points == total, member.email


def _save_in_the_panel(client, store, **changes):
    form = _form(**changes)
    page = _post(client, "/admin/rules/preview", store, form).get_data(as_text=True)
    found = re.search(r'name="previewed" value="([0-9a-f]+)"', page)
    assert found, re.findall(r'data-error-for="([^"]+)">([^<]+)<', page)
    digest = found.group(1)
    response = _post(client, "/admin/rules/save", store, form, {"previewed": digest, "note": "easier Silver"})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_rule_saved_in_the_panel_moves_every_affected_member_within_one_pass(admin_client, sim_store, shop):
    store = sim_store
    people = _shop_with_history(store, shop)
    assert _tiers(store) == {"anna@example.com": "Bronze", "ben@example.com": "Bronze", "clara@example.com": "Silver"}
    assert 'data-replan="done"' in admin_client.get(f"/admin/rules/?store={store.id}").get_data(as_text=True)
    before_lines, before_coupons = _books(store)

    page = _save_in_the_panel(admin_client, store, **{"tiers.1.threshold": "200"})
    assert "Saved as version 2; every page reads it now." in page
    assert "3 of 3 members are re-planned under it by a sync pass" in page and "is queued" in page
    assert "version 2 in force" in page and 'data-replan="queued"' in page
    run_requested_pass(store.id)  # the worker's job for the requested pass: one real pass

    assert _tiers(store) == {"anna@example.com": "Silver", "ben@example.com": "Bronze", "clara@example.com": "Silver"}
    run = db.session.execute(
        db.select(SyncRun).where(SyncRun.store_id == store.id).order_by(SyncRun.id.desc()).limit(1)
    ).scalar_one()
    assert run.status == "ok" and run.counts["members_replanned_for_new_rules"] == 3
    anna = find_member(store, "anna@example.com")
    assert anna.planned_version == 2
    # Booked as the engine books a tier change: one tier-up coupon for Anna, pushed; nothing else new.
    lines, coupons = _books(store)
    assert lines == before_lines
    [tierup] = [
        c
        for c in db.session.execute(db.select(Coupon).where(Coupon.member_id == anna.id)).scalars()
        if c.key not in before_coupons
    ]
    assert tierup.source == "tierup" and tierup.status == "pushed"
    assert sorted(set(coupons) - set(before_coupons)) == [tierup.key]
    assert [c["code"] for c in shop.coupons() if c["code"] == tierup.code.lower()]
    assert shop.customer_meta(people["anna@example.com"]["id"])["loyalty_tier"] == "Silver"
    _assert_balances_are_their_ledgers(store)
    page = admin_client.get(f"/admin/rules/?store={store.id}").get_data(as_text=True)
    assert 'data-replan="done"' in page and "Every member (3) is planned under version 2." in page

    # Idempotent: the next pass books nothing more, re-plans nobody, pushes no second coupon.
    after = _books(store)
    run = run_pass(store.id)
    assert run.status == "ok" and "members_replanned_for_new_rules" not in run.counts
    assert _books(store) == after
    assert len([c for c in shop.coupons() if c["code"] == tierup.code.lower()]) == 1


def test_program_save_on_the_command_line_queues_the_replan_and_sync_run_does_it(runner, sim_store, shop):
    store = sim_store
    _shop_with_history(store, shop)
    saved = runner.invoke(args=["program", "save", "--store", store.name, "--set", "tiers.Silver.threshold=200"])
    assert saved.exit_code == 0, saved.output
    assert "saved version 2 of the program of sim; it is in force now" in saved.output
    assert "3 of 3 members are re-planned under it by a sync pass: A pass of sim is queued" in saved.output
    shown = runner.invoke(args=["program", "show", "--store", store.name])
    assert "version 2" in shown.output and "3 members of 3 still to re-plan under version 2" in shown.output

    synced = runner.invoke(args=["sync", "run", "--store", store.name])
    assert synced.exit_code == 0, synced.output
    assert "members re-planned for the new rules: 3/3" in synced.output
    assert _tiers(store)["anna@example.com"] == "Silver"
    shown = runner.invoke(args=["program", "show", "--store", store.name])
    assert "Every member (3) is planned under version 2." in shown.output


def test_a_store_that_never_saved_rules_shows_and_saves_from_version_1(admin_client, app):
    """The rules page reads what every other reader reads: the defaults as
    version 1 (it said "version 0" and offered "Save as version 1", then saved 2)."""
    store = Store(name="fresh", url="http://fresh.test")
    db.session.add(store)
    db.session.commit()
    page = admin_client.get(f"/admin/rules/?store={store.id}").get_data(as_text=True)
    assert "version 1 in force" in page
    assert 'name="base_version" value="1"' in page
    page = _save_in_the_panel(admin_client, store, **{"rate": "2", "vip_membership_sku": ""})
    assert "Saved as version 2" in page and "version 2 in force" in page
    numbers = (
        db.session.execute(
            db.select(ProgramVersion.number).where(ProgramVersion.store_id == store.id).order_by(ProgramVersion.number)
        )
        .scalars()
        .all()
    )
    assert numbers == [1, 2]
