"""The rules editor: errors at the field, preview of the impact, versioning."""

from __future__ import annotations

import html
import re
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from admin import rules_form
from loyalty_sync.analysis import whatif
from loyalty_sync.engine.program import DEFAULT_PROGRAM, program_to_dict
from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, LedgerEntry, Member, ProgramVersion
from tests.admin.conftest import token_for
from tests.admin.factories import make_catalogue
from tests.support.members import NOW, make_member
from tests.support.stores import make_store


def _form(program=DEFAULT_PROGRAM, **changes) -> MultiDict:
    values = rules_form.form_values(program)
    values.pop("_rows")
    statuses = values.pop("earning_statuses")
    values.update(changes)
    form = MultiDict([(k, v) for k, v in values.items() if v not in ("", None) or k.endswith(".amount")])
    for status in statuses:
        form.add("earning_statuses", status)
    return form


def _post(client, path, store, form, extra=None):
    data = MultiDict(form)
    data["csrf_token"] = token_for(client, f"/admin/rules/?store={store.id}")
    data["store"] = str(store.id)
    data.setdefault("base_version", "1")
    for key, value in (extra or {}).items():
        data[key] = value
    return client.post(path, data=data)


def _error_at(page: str, field: str) -> str:
    match = re.search(rf'data-error-for="{re.escape(field)}">([^<]+)<', page)
    assert match, f"no error shown at {field}"
    return html.unescape(match.group(1))


def test_form_round_trip_gives_back_the_same_program(app):
    store = make_store()
    make_catalogue(store)
    parsed = rules_form.parse_form(_form(), DEFAULT_PROGRAM, store)
    assert parsed.errors == {}
    assert program_to_dict(parsed.program) == program_to_dict(DEFAULT_PROGRAM)


def test_errors_are_shown_at_the_field(admin_client):
    store = make_store()
    form = _form(
        **{"tiers.2.threshold": "200", "tiers.1.multiplier": "0", "rate": "abc", "vip_membership_sku": "NO-SUCH-SKU"}
    )
    response = _post(admin_client, "/admin/rules/preview", store, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is not a number" in _error_at(page, "rate")
    form["rate"] = "1"
    page = _post(admin_client, "/admin/rules/preview", store, form).get_data(as_text=True)
    assert _error_at(page, "tiers.2.threshold") == "Thresholds must rise."
    assert _error_at(page, "tiers.1.multiplier") == "Must be more than 0."
    assert "No product with SKU 'NO-SUCH-SKU'" in _error_at(page, "vip_membership_sku")
    # The typed values are kept, so the admin fixes them instead of retyping.
    assert 'value="200"' in page and 'value="NO-SUCH-SKU"' in page
    assert db.session.execute(db.select(db.func.count()).select_from(ProgramVersion)).scalar_one() == 1


def test_multiplier_errors_point_at_the_row(admin_client):
    store = make_store()
    make_catalogue(store)
    form = _form(
        **{
            "multipliers.0.label": "double coffee",
            "multipliers.0.target": "category:5",
            "multipliers.0.factor": "0",
            "multipliers.0.starts": "2026-06-10",
            "multipliers.0.ends": "2026-06-01",
        }
    )
    page = _post(admin_client, "/admin/rules/preview", store, form).get_data(as_text=True)
    assert _error_at(page, "multipliers.0.factor") == "Must be more than 0."
    assert _error_at(page, "multipliers.0.ends") == "Must be after the start."
    form["multipliers.0.target"] = "product:4242"
    form["multipliers.0.factor"] = "2"
    form["multipliers.0.ends"] = "2026-06-30"
    page = _post(admin_client, "/admin/rules/preview", store, form).get_data(as_text=True)
    assert "not in the catalogue" in _error_at(page, "multipliers.0.target")


def test_preview_then_save_creates_version_n_plus_1_with_an_audit_row(admin_client):
    store = make_store()
    make_catalogue(store)
    make_member(store, "small@example.com", ["100.00"])
    make_member(store, "mid@example.com", ["200.00"])
    make_member(store, "big@example.com", ["400.00"])
    form = _form(**{"tiers.1.threshold": "150", "vip_membership_sku": "VIP-MEMBERSHIP"})
    response = _post(admin_client, "/admin/rules/preview", store, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-2000:]
    assert re.search(r'data-impact="tier-moves">1<', page)
    assert 'data-move="Bronze-&gt;Silver"' in page
    assert "Tier 2 (Silver) · threshold" in page
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', page).group(1)
    # Nothing is written by a preview.
    assert db.session.execute(db.select(db.func.count()).select_from(ProgramVersion)).scalar_one() == 1

    response = _post(admin_client, "/admin/rules/save", store, form, {"previewed": digest, "note": "easier Silver"})
    assert response.status_code == 302
    versions = db.session.execute(db.select(ProgramVersion).order_by(ProgramVersion.number)).scalars().all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].rules["tiers"][1]["threshold"] == "150"
    assert versions[1].created_by == "admin@example.com" and versions[1].note == "easier Silver"
    audit = db.session.execute(db.select(AuditEntry).filter_by(action="program.save")).scalar_one()
    assert audit.before["tiers"][1]["threshold"] == "300" and audit.after["tiers"][1]["threshold"] == "150"
    assert audit.actor == "admin@example.com" and audit.target == "program:v2"
    assert "Saved as version 2" in admin_client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_unknown_membership_sku_is_saved_only_with_save_anyway_ticked(admin_client):
    """The same rule as `program save --allow-unknown-sku` (tests/loyalty_sync/analysis/test_membership_sku.py)."""
    store = make_store()
    make_catalogue(store)
    form = _form(**{"vip_membership_sku": "VIP-GOLD"})
    response = _post(admin_client, "/admin/rules/preview", store, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No product with SKU 'VIP-GOLD' in" in _error_at(page, "vip_membership_sku")
    assert 'name="allow_unknown_sku"' in page and "Save anyway: the product will be created later" in page
    form["allow_unknown_sku"] = "1"
    page = _post(admin_client, "/admin/rules/preview", store, form).get_data(as_text=True)
    assert 'data-testid="preview"' in page
    assert re.search(r'name="allow_unknown_sku" value="1"\s+checked', page)  # carried to the save
    assert "VIP-GOLD" in page.split('data-warning-for="vip_membership_sku"')[1][:300]  # still said
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', page).group(1)
    response = _post(admin_client, "/admin/rules/save", store, form, {"previewed": digest})
    assert response.status_code == 302
    latest = db.session.execute(db.select(ProgramVersion).order_by(ProgramVersion.number.desc())).scalars().first()
    assert latest.number == 2 and latest.rules["vip_membership_sku"] == "VIP-GOLD"


def test_save_refuses_rules_that_were_not_previewed_or_are_stale(admin_client):
    store = make_store()
    make_catalogue(store)
    form = _form(**{"rate": "2"})
    page = _post(admin_client, "/admin/rules/save", store, form, {"previewed": "nope"}).get_data(as_text=True)
    assert "changed since the preview" in page
    digest = re.search(r'name="previewed" value="([0-9a-f]+)"', page).group(1)
    response = _post(admin_client, "/admin/rules/save", store, form, {"previewed": digest, "base_version": "0"})
    assert response.status_code == 409 and "meanwhile" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(ProgramVersion)).scalar_one() == 1


def test_viewer_sees_the_rules_but_cannot_preview_or_save(viewer_client):
    store = make_store()
    page = viewer_client.get(f"/admin/rules/?store={store.id}").get_data(as_text=True)
    assert "only administrators can change them" in page and 'data-action="save"' not in page
    assert _post(viewer_client, "/admin/rules/preview", store, _form()).status_code == 403
    assert _post(viewer_client, "/admin/rules/save", store, _form()).status_code == 403


def test_help_texts_explain_each_rule(admin_client):
    store = make_store()
    page = admin_client.get(f"/admin/rules/?store={store.id}").get_data(as_text=True)
    for name, _label, _kind, help_text in [f for _, _, fields in rules_form.SECTIONS for f in fields]:
        assert help_text.replace("'", "&#39;").split(".")[0][:40] in page, name


def test_whatif_counts_moves_and_never_writes(app):
    store = make_store()
    members = [
        make_member(store, f"m{i}@example.com", [amount])
        for i, amount in enumerate(["100.00", "200.00", "350.00", "1200.00"])
    ]
    counts = {
        table: db.session.execute(db.select(db.func.count()).select_from(table)).scalar_one()
        for table in (LedgerEntry, Member, ProgramVersion)
    }
    proposed = rules_form.parse_form(
        _form(**{"tiers.1.threshold": "150", "tiers.2.threshold": "300", "vip_membership_sku": ""}),
        DEFAULT_PROGRAM,
        None,
    ).program
    impact = whatif.preview_change(store, proposed, now=NOW)
    assert impact.members == 4
    assert impact.tier_moves == {"Bronze->Silver": 1, "Silver->Gold": 1}
    assert impact.vip_in == 0 and impact.vip_out == 0
    # One order each: the tier multiplier is the one *before* the order, so points do not move.
    assert impact.points_delta == 0
    assert {m.email for m in impact.top} == {"m1@example.com", "m2@example.com"}
    assert impact.failures == []
    for table, count in counts.items():
        assert db.session.execute(db.select(db.func.count()).select_from(table)).scalar_one() == count
    assert [m.tier for m in members] == ["Bronze", "Bronze", "Silver", "Gold"]
    double = rules_form.parse_form(_form(rate="2", vip_membership_sku=""), DEFAULT_PROGRAM, None).program
    impact = whatif.preview_change(store, double, now=NOW)
    # Balances after auto-redeem: now 100, 200, 350, 1200-1000; doubled 200, 400, 700-500, 2400-2000.
    assert impact.points_delta == (200 + 400 + 200 + 400) - (100 + 200 + 350 + 200)


def test_whatif_sees_vip_moves(app):
    store = make_store()
    make_member(store, "loyal@example.com", ["300.00"] * 5)  # 1500 in 5 orders: VIP under the defaults
    make_member(store, "new@example.com", ["300.00", "300.00"])
    stricter = rules_form.parse_form(
        _form(**{"vip_min_orders": "6", "vip_membership_sku": ""}), DEFAULT_PROGRAM, None
    ).program
    impact = whatif.preview_change(store, stricter, now=NOW)
    assert (impact.vip_in, impact.vip_out) == (0, 1)
    looser = rules_form.parse_form(
        _form(**{"vip_min_orders": "2", "vip_min_spend": "500", "vip_membership_sku": ""}), DEFAULT_PROGRAM, None
    ).program
    impact = whatif.preview_change(store, looser, now=NOW)
    assert (impact.vip_in, impact.vip_out) == (1, 0)


def test_changes_lists_before_and_after_per_setting():
    proposed = rules_form.parse_form(_form(**{"rate": "2", "tiers.0.name": "Starter"}), DEFAULT_PROGRAM, None).program
    rows = rules_form.changes(DEFAULT_PROGRAM, proposed)
    assert ("Points per 1 of your currency", "1", "2") in rows
    assert ("Tier 1 (Starter) · name", "Bronze", "Starter") in rows
    assert Decimal(proposed.rate) == 2


def test_whatif_on_a_big_store_replays_an_even_sample_and_scales_up(app):
    store = make_store()
    for i in range(8):
        make_member(store, f"m{i}@example.com", ["200.00"])
    proposed = rules_form.parse_form(
        _form(**{"tiers.1.threshold": "150", "vip_membership_sku": ""}), DEFAULT_PROGRAM, None
    ).program
    full = whatif.preview_change(store, proposed, now=NOW)
    sampled = whatif.preview_change(store, proposed, now=NOW, max_members=4)
    assert full.tier_moves == {"Bronze->Silver": 8} and not full.estimated
    assert sampled.estimated and sampled.sample_every == 2 and sampled.replayed == 4
    assert sampled.tier_moves == {"Bronze->Silver": 8} and sampled.members == 8
