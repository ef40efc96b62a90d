"""The VIP top-N% cut-off (books/vip_cutoff.py): apply and what-if put the same members in the club,
and merged members count for neither."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from loyalty_sync.analysis.whatif import whatif_report
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.vip_cutoff import vip_spend_cutoff
from loyalty_sync.extensions import db
from loyalty_sync.models import Member
from tests.loyalty_sync.program.helpers import member, orders, replan, set_program
from tests.support import wc

NOW = wc.T0 + timedelta(days=100)
SPENDS = {"a": "100.00", "b": "200.00", "c": "300.00", "d": "400.00", "old1": "900.00", "old2": "800.00"}


def _store_with_merged_members(store):
    """Four members and two (the biggest spenders) merged into a; each spent once, far below vip_min_spend."""
    orders(
        store,
        [
            wc.order(i, lines=[wc.line(i, total)], email=f"{name}@example.com", created=NOW - timedelta(days=10 + i))
            for i, (name, total) in enumerate(SPENDS.items(), start=1)
        ],
        NOW,
    )
    survivor = member(store, "a@example.com")
    for name in ("old1", "old2"):
        member(store, f"{name}@example.com").merged_into_id = survivor.id
    db.session.commit()


def _apply_vip_set(store) -> set[str]:
    return set(
        db.session.execute(
            db.select(Member.email).where(
                Member.store_id == store.id, Member.merged_into_id.is_(None), Member.vip.is_(True)
            )
        ).scalars()
    )


def test_apply_and_whatif_give_the_same_top_share_vips_with_merged_members(store):
    _store_with_merged_members(store)
    _, without_share = program_in_force(store)
    top_half = replace(without_share, vip_top_percent=Decimal(50))
    # The four members who are members: the top half is c and d (cut-off 300).
    assert vip_spend_cutoff(db.session, store.id, top_half) == Decimal("300.00")
    report = whatif_report(store, top_half, current=without_share, now=NOW)
    whatif_vips = {m["email"] for m in report["members"] if m["vip_after"]}
    set_program(store, vip_top_percent=Decimal(50))
    replan(store, NOW)
    assert whatif_vips == _apply_vip_set(store) == {"c@example.com", "d@example.com"}


def test_no_cutoff_without_a_share_rule_or_with_too_few_members(store):
    _store_with_merged_members(store)
    _, program = program_in_force(store)
    assert vip_spend_cutoff(db.session, store.id, program) is None
    assert vip_spend_cutoff(db.session, store.id, replace(program, vip_top_percent=Decimal(20))) is None  # 0.8 of 4
    assert vip_spend_cutoff(db.session, store.id, replace(program, vip_top_percent=Decimal(25))) == Decimal("400.00")
