"""The one reader of the rules in force, and the re-plan of the members
behind them after a save (loyalty_sync/books/program_versions.py)."""

from dataclasses import replace
from decimal import Decimal

from loyalty_sync.books.apply import plan_pending_members, replan_behind_rules
from loyalty_sync.books.program_versions import ensure_program, members_behind, program_in_force
from loyalty_sync.books.replan_status import replan_status
from loyalty_sync.engine.program import DEFAULT_PROGRAM
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, ProgramVersion, Store
from tests.loyalty_sync.program.helpers import member, orders, set_program
from tests.support.wc import day, line, order

NOW = day(40)


def _versions(store) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(ProgramVersion).where(ProgramVersion.store_id == store.id)
    ).scalar_one()


def _spent(store, email: str, order_id: int, total: str):
    orders(store, [order(order_id, email=email, customer_id=0, created=day(1), lines=[line(order_id, total)])], NOW)


def _books(store):
    lines = db.session.execute(db.select(LedgerEntry.key, LedgerEntry.points).order_by(LedgerEntry.key)).all()
    coupons = db.session.execute(db.select(Coupon.key).order_by(Coupon.key)).scalars().all()
    return lines, coupons


def test_a_store_that_never_saved_rules_reads_the_defaults_as_version_1_and_writes_nothing(app):
    store = Store(name="fresh", url="http://fresh.test")
    db.session.add(store)
    db.session.commit()
    assert program_in_force(store) == (1, DEFAULT_PROGRAM)
    assert _versions(store) == 0
    ensure_program(store)  # what a writer saves is what the readers read
    assert _versions(store) == 1 and program_in_force(store) == (1, DEFAULT_PROGRAM)


def test_the_reader_reads_the_version_saved_last(store):
    set_program(store, rate=Decimal(2))
    number, program = program_in_force(store)
    assert number == 2 and program == replace(DEFAULT_PROGRAM, rate=Decimal(2))


def test_a_saved_version_leaves_every_member_behind_until_replanned_once(store):
    _spent(store, "anna@example.com", 1, "250.00")
    _spent(store, "ben@example.com", 2, "100.00")
    assert member(store, "anna@example.com").planned_version == 1
    assert replan_behind_rules(store, now=NOW).members == set()  # nobody behind: nothing to do
    assert replan_status(store).state == "done"

    set_program(
        store,
        tiers=(
            DEFAULT_PROGRAM.tiers[0],
            replace(DEFAULT_PROGRAM.tiers[1], threshold=Decimal(200)),
            DEFAULT_PROGRAM.tiers[2],
        ),
    )
    status = replan_status(store)
    assert (status.version, status.behind, status.members, status.state) == (2, 2, 2, "queued")
    assert member(store, "anna@example.com").tier == "Bronze"  # the books move with the re-plan, not the save

    progress = []
    result = replan_behind_rules(store, now=NOW, chunk=1, on_chunk=lambda done, total: progress.append((done, total)))
    assert len(result.members) == 2 and progress == [(1, 2), (2, 2)]
    assert member(store, "anna@example.com").tier == "Silver"
    assert member(store, "ben@example.com").tier == "Bronze"
    assert replan_status(store).state == "done"
    books = _books(store)
    assert replan_behind_rules(store, now=NOW).members == set()
    assert _books(store) == books


def test_members_with_facts_waiting_are_planned_by_the_pass_first_not_by_the_replan(store):
    _spent(store, "anna@example.com", 1, "250.00")
    set_program(store, rate=Decimal(2))
    anna = member(store, "anna@example.com")
    anna.needs_plan = True  # a pass died between two batches of her orders
    db.session.commit()
    assert db.session.execute(members_behind(store, 2)).scalars().all() == []
    assert replan_behind_rules(store, now=NOW).members == set()
    assert plan_pending_members(store, now=NOW).members == {anna.id}
    assert db.session.get(Member, anna.id).planned_version == 2
