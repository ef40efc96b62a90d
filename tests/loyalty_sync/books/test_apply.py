"""The apply service on a real database (SQLite and PostgreSQL): facts in,
books out, idempotent, explainable."""

from datetime import timedelta

import pytest
from sqlalchemy import func

from loyalty_sync.books.apply import apply_customers, apply_orders, apply_products, apply_with_retry, reevaluate
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, LedgerIsAppendOnly, Member, Order, RejectedRecord
from tests.support.books import books_of
from tests.support.stores import make_store
from tests.support.wc import customer, day, line, order, product, refund

NOW = day(30)


def apply(store, orders, **kw):
    return apply_with_retry(lambda: apply_orders(store, orders, now=NOW, **kw))


def ledger_sum(member_id):
    return db.session.execute(
        db.select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.member_id == member_id)
    ).scalar_one()


def test_order_earns_one_point_per_euro_and_balance_is_the_ledger(store):
    apply(store, [order(1, lines=[line(10, "42.90", tax="8.15")], shipping="4.90")])
    member = find_member(store, "anna@example.com")
    # 42.90 EUR net of tax, shipping excluded, floor -> 42 points
    assert member.points == 42 == ledger_sum(member.id)
    entry = db.session.execute(db.select(LedgerEntry)).scalar_one()
    assert (entry.kind, entry.order_wc_id, entry.rule_version) == ("earn", 1, 1)
    assert "order #1" in entry.reason


def test_applying_the_same_orders_twice_changes_nothing(store):
    orders = [order(i, lines=[line(i * 10, "180.00")], created=day(i)) for i in range(1, 8)]
    apply(store, orders)
    before = db.session.execute(db.select(LedgerEntry.key, LedgerEntry.points).order_by(LedgerEntry.key)).all()
    coupons = db.session.execute(db.select(Coupon.key).order_by(Coupon.key)).scalars().all()
    result = apply(store, orders)
    assert result.applied == 0 and result.unchanged == 7
    assert db.session.execute(db.select(LedgerEntry.key, LedgerEntry.points).order_by(LedgerEntry.key)).all() == before
    assert db.session.execute(db.select(Coupon.key).order_by(Coupon.key)).scalars().all() == coupons


def test_partial_refund_by_lines_reverses_the_refunded_share(store):
    apply(store, [order(1, lines=[line(10, "60.00"), line(11, "40.00", product_id=101)])])
    refunded = order(
        1,
        lines=[line(10, "60.00"), line(11, "40.00", product_id=101)],
        modified=day(3),
        refunds=[{"id": 77, "amount": "40.00"}],
    )
    apply(store, [refunded], refunds_by_order={1: [refund(77, "40.00", at=day(3), lines=[(11, 1, "40.00")])]})
    member = find_member(store, "anna@example.com")
    kinds = db.session.execute(db.select(LedgerEntry.kind, LedgerEntry.points).order_by(LedgerEntry.id)).all()
    assert kinds == [("earn", 100), ("reverse", -40)]
    assert member.points == 60


def test_refund_detail_is_kept_when_the_order_comes_back_without_it(store):
    """A webhook body only lists refund ids and totals: the stored line detail is re-used."""
    lines = [line(10, "60.00"), line(11, "40.00", product_id=101)]
    with_refund = order(1, lines=lines, modified=day(3), refunds=[{"id": 77, "amount": "47.60"}])
    apply(store, [with_refund], refunds_by_order={1: [refund(77, "47.60", at=day(3), lines=[(11, 1, "40.00")])]})
    edited_later = order(1, lines=lines, modified=day(4), refunds=[{"id": 77, "amount": "47.60"}])
    apply(store, [edited_later])
    assert find_member(store, "anna@example.com").points == 60
    assert db.session.execute(db.select(func.count()).select_from(LedgerEntry)).scalar_one() == 1


def test_cancel_after_completion_takes_back_exactly_what_was_earned(store):
    apply(store, [order(1, lines=[line(10, "99.99")])])
    apply(store, [order(1, lines=[line(10, "99.99")], status="cancelled", modified=day(5))])
    member = find_member(store, "anna@example.com")
    assert member.points == 0 == ledger_sum(member.id)
    assert db.session.execute(db.select(LedgerEntry.points).order_by(LedgerEntry.id)).scalars().all() == [99, -99]


def test_guest_history_becomes_the_registered_customers(store):
    apply(store, [order(1, email="Clara@Example.com", customer_id=0, lines=[line(10, "120.00")])])
    guest = find_member(store, "clara@example.com")
    assert guest.customer_id is None and guest.points == 120
    apply_with_retry(lambda: apply_customers(store, [customer(42, "clara@example.com", first_name="Clara")], now=NOW))
    apply(store, [order(2, customer_id=42, email="clara@example.com", lines=[line(20, "30.00")], created=day(6))])
    member = find_member(store, "42")
    assert member.id == guest.id and member.first_name == "Clara"
    assert member.points == 150
    assert db.session.execute(db.select(func.count()).select_from(Member)).scalar_one() == 1


def test_category_multiplier_from_the_catalogue(store):
    import dataclasses
    from decimal import Decimal

    from loyalty_sync.books.program_versions import program_in_force, save_program
    from loyalty_sync.engine.program import MultiplierRule

    apply_with_retry(lambda: apply_products(store, [product(100, categories=[7])]))
    _, program = program_in_force(store)
    save_program(
        store, dataclasses.replace(program, multipliers=(MultiplierRule(Decimal(2), category_id=7),)), actor="test"
    )
    db.session.commit()
    apply(store, [order(1, lines=[line(10, "30.00", product_id=100), line(11, "20.00", product_id=555)])])
    # 30 x2 (category 7) + 20 x1 = 80
    entry = db.session.execute(db.select(LedgerEntry)).scalar_one()
    assert entry.points == 80 and entry.rule_version == 2


def test_auto_redeem_issues_one_coupon_in_the_outbox(store):
    apply(store, [order(1, lines=[line(10, "1200.00")], status="completed")])
    member = find_member(store, "anna@example.com")
    reward = db.session.execute(db.select(Coupon).where(Coupon.source == "reward")).scalars().all()
    # 1200 points at Bronze... tier-up happens after this order, so 1200 points -> one 12-off, 200 left
    assert [(c.amount, c.points_cost, c.status, c.email) for c in reward] == [
        (__import__("decimal").Decimal("12.00"), 1000, "pending", "anna@example.com")
    ]
    assert member.points == 200 == ledger_sum(member.id)


def test_broken_orders_are_rejected_with_a_reason_and_the_rest_applied(store):
    broken = order(2)
    broken["total"] = "abc"
    result = apply(store, [order(1), broken, {"id": 3}, "not an order"])
    assert result.applied == 1 and len(result.rejected) == 3
    reasons = db.session.execute(db.select(RejectedRecord.ref, RejectedRecord.reason)).all()
    assert any(ref == "order 2" and "total" in reason for ref, reason in reasons)
    assert db.session.execute(db.select(func.count()).select_from(Order)).scalar_one() == 1


def test_ledger_rows_cannot_be_edited_or_deleted(store):
    apply(store, [order(1)])
    entry = db.session.execute(db.select(LedgerEntry)).scalar_one()
    entry.points = 1000
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    entry = db.session.execute(db.select(LedgerEntry)).scalar_one()
    db.session.delete(entry)
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_fifo_expiry_after_twelve_months_on_reevaluation(store):
    apply(store, [order(1, lines=[line(10, "80.00")], created=day(0))])
    member = find_member(store, "anna@example.com")
    apply_with_retry(lambda: reevaluate(store, [member], now=day(0) + timedelta(days=400)))
    kinds = db.session.execute(db.select(LedgerEntry.kind, LedgerEntry.points).order_by(LedgerEntry.id)).all()
    assert kinds == [("earn", 80), ("expire", -80)]
    assert find_member(store, "anna@example.com").points == 0


def test_a_refund_after_a_rate_change_is_reversed_at_the_rate_the_order_earned_with(store):
    import dataclasses
    from decimal import Decimal

    from loyalty_sync.books.program_versions import program_in_force, save_program

    lines = [line(10, "60.00"), line(11, "40.00", product_id=101)]
    apply(store, [order(1, lines=lines)])  # 100 points at rate 1 (version 1)
    _, program = program_in_force(store)
    save_program(store, dataclasses.replace(program, rate=Decimal(2)), actor="test")
    db.session.commit()
    refunded = order(1, lines=lines, modified=day(3), refunds=[{"id": 77, "amount": "40.00"}])
    apply(store, [refunded], refunds_by_order={1: [refund(77, "40.00", at=day(3), lines=[(11, 1, "40.00")])]})
    entries = db.session.execute(db.select(LedgerEntry.points, LedgerEntry.rule_version).order_by(LedgerEntry.id)).all()
    # version 1 rules: 60 left x rate 1 = 60 -> reverse 40 (not 60 x 2 = 120 -> +20)
    assert entries == [(100, 1), (-40, 1)]


def test_concurrent_writers_on_one_member_never_lose_a_ledger_line_in_the_balance(app, store):
    """Two workers apply different orders of the same member at the same time."""
    import threading

    apply(store, [order(1, lines=[line(10, "10.00")])])  # the member exists
    store_id = store.id
    barrier = threading.Barrier(4)
    errors = []

    def worker(first_order: int):
        try:
            with app.app_context():
                from loyalty_sync.models import Store

                mine = db.session.get(Store, store_id)
                barrier.wait()
                for n in range(first_order, first_order + 5):
                    apply(
                        mine, [order(n, lines=[line(n * 10, "20.00")], created=day(n % 100))]
                    )  # (not after the clock)
                db.session.remove()
        except Exception as exc:  # reported below, with the thread's exception
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(start,)) for start in (100, 200, 300, 400)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    db.session.expire_all()
    member = find_member(store, "anna@example.com")
    assert member.points == ledger_sum(member.id)
    earned = db.session.execute(
        db.select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "earn")
    ).scalar_one()
    assert earned == 21


def test_records_with_unhashable_or_odd_ids_are_rejected_not_crashing(store):
    weird = [dict(order(1), id=[1]), dict(order(2), id={"x": 1}), dict(order(4), id=None)]
    result = apply(store, weird + [order(5), dict(order(3), id="3")])  # a numeric string id is read as a number
    assert result.applied == 2 and len(result.rejected) == 3


@pytest.mark.parametrize("between", ["upkeep", "webhook"])
def test_a_member_a_pass_left_on_part_of_its_history_is_planned_once_the_next_pass_holds_all_of_it(app, between):
    """A pass that died after its first batch of orders left their members
    flagged `needs_plan`. Neither the daily upkeep (`reevaluate` of the
    whole store, sync_jobs/tasks.py) nor a webhook job for one of their
    newest orders plans them on that part: the next pass plans them once on
    the whole history. Planned on the part, they kept what the rest
    changes: anna's first 600 points were redeemed at once for 5 off and
    her next 500 for 5 off again (her 1100 points give one 12-off), and
    ben's Gold, found below its threshold only at the upkeep's `now` (or
    his newest order), never ran its grace period out in the orders stored
    after it (x1.5 Gold on an order he placed as Bronze, and Gold today)."""
    from loyalty_sync.books.apply import plan_pending_members

    now = day(600)
    history = [
        ("ben@example.com", 500, "1000.00"),
        ("ben@example.com", 100, "50.00"),
        ("anna@example.com", 60, "600.00"),
        ("ben@example.com", 50, "50.00"),
        ("anna@example.com", 30, "400.00"),
        ("ben@example.com", 20, "50.00"),
    ]
    orders = [
        order(number, email=email, created=now - timedelta(days=days_ago), lines=[line(number * 10, amount)])
        for number, (email, days_ago, amount) in enumerate(history, start=1)
    ]
    first_batch, rest = [o for o in orders if o["id"] in (1, 3)], [o for o in orders if o["id"] not in (1, 3)]

    def first_sync(name, died=False):
        store = make_store(name, f"http://{name}.test")
        apply_with_retry(lambda: apply_orders(store, first_batch, now=now, plan=False))
        if died and between == "upkeep":  # the pass died here, and the upkeep ran before the next pass
            apply_with_retry(lambda: reevaluate(store, now=now))
        elif died:  # ... and a webhook job brought ben's newest order
            apply_with_retry(lambda: apply_orders(store, [orders[-1]], now=now))
        apply_with_retry(lambda: apply_orders(store, rest, now=now, plan=False))
        plan_pending_members(store, now=now)
        return store

    whole, died = first_sync("whole"), first_sync("died", died=True)
    db.session.expire_all()
    books = books_of(whole)
    for part, rows in books_of(died).items():
        assert rows == books[part], part
    assert [c for c in books["coupons"] if c[1] == "reward"] == [("anna@example.com", "reward", 12, 1000)]
    assert ("ben@example.com", 200, "Bronze", False) in books["members"]
    assert ("ben@example.com", "earn", 50, 6, "order #6: 50.00 EUR eligible x1 Bronze = 50 points") in books["ledger"]
