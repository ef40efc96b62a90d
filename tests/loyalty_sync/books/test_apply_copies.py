"""Copies of store records as the apply service meets them (issue 16/17): old
copies after newer ones (an old export, a replayed webhook), order lines of a
product deleted since, orders whose negative fee takes the total to 0 or
below, and dates far in the future."""

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from loyalty_sync.books.apply import apply_customers, apply_orders, apply_products, apply_with_retry
from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.books.statements import find_member
from loyalty_sync.engine.program import MultiplierRule
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order, RejectedRecord
from tests.support.wc import customer, day, gmt, line, order, product, refund

NOW = day(30)
REAL_FEE_ORDERS = json.loads((Path(__file__).parent / "data" / "real_store_fee_orders.json").read_text())


def apply(store, orders, **kw):
    return apply_with_retry(lambda: apply_orders(store, orders, now=NOW, **kw))


def points(email="anna@example.com"):
    db.session.expire_all()
    return find_member(_store(), email).points


def _store():
    from loyalty_sync.models import Store

    return db.session.execute(db.select(Store)).scalars().first()


# --- stale copies --------------------------------------------------------------------------------


def _earned_then_refunded(store):
    lines = [line(10, "60.00"), line(11, "40.00", product_id=101)]
    old = order(1, lines=lines, created=day(1), modified=day(1))
    apply(store, [old])
    refunded = order(1, lines=lines, created=day(1), modified=day(3), refunds=[{"id": 77, "amount": "40.00"}])
    apply(store, [refunded], refunds_by_order={1: [refund(77, "40.00", at=day(3), lines=[(11, 1, "40.00")])]})
    assert points() == 60
    return old


def test_an_old_export_after_a_sync_does_not_restore_refunded_points(store):
    old = _earned_then_refunded(store)
    result = apply(store, [old])
    assert (result.stale, result.applied, result.unchanged) == (1, 0, 0)
    assert points() == 60
    stored = db.session.execute(db.select(Order).filter_by(wc_id=1)).scalar_one()
    assert stored.modified == day(3) and stored.refunded_total == Decimal("40.00")


def test_a_copy_of_the_same_date_with_other_content_is_applied(store):
    """Refunds on some stores do not move date_modified: equal is not older."""
    lines = [line(10, "60.00"), line(11, "40.00", product_id=101)]
    apply(store, [order(1, lines=lines, modified=day(1), created=day(1))])
    same_date = order(1, lines=lines, created=day(1), modified=day(1), refunds=[{"id": 77, "amount": "40.00"}])
    result = apply(store, [same_date], refunds_by_order={1: [refund(77, "40.00", at=day(1), lines=[(11, 1, "40.00")])]})
    assert (result.stale, result.applied) == (0, 1)
    assert points() == 60


def test_of_two_copies_in_one_batch_the_newer_wins_wherever_it_is_listed(store):
    lines = [line(10, "100.00")]
    newer = order(1, lines=lines, created=day(1), modified=day(4), status="cancelled")
    older = order(1, lines=lines, created=day(1), modified=day(2))
    result = apply(store, [newer, older])
    assert result.stale == 1
    assert db.session.execute(db.select(Order.status).filter_by(wc_id=1)).scalar_one() == "cancelled"
    assert points() == 0


def test_the_webhook_check_is_the_apply_rule(store):
    from loyalty_sync.books.apply import is_stale_order

    old = _earned_then_refunded(store)
    assert is_stale_order(store, old)
    assert not is_stale_order(store, {**old, "date_modified_gmt": gmt(day(3))})
    assert not is_stale_order(store, {**old, "date_modified_gmt": None})  # no date: cannot be judged
    assert not is_stale_order(store, {**old, "id": 999})


def test_a_replayed_old_customer_copy_does_not_revert_name_and_email(store):
    newer = {**customer(5, "anna.new@example.com", first_name="Annabel"), "date_modified_gmt": gmt(day(5))}
    older = {**customer(5, "anna@example.com", first_name="Anna"), "date_modified_gmt": gmt(day(1))}
    apply_with_retry(lambda: apply_customers(store, [newer], now=NOW))
    result = apply_with_retry(lambda: apply_customers(store, [older], now=NOW))
    assert (result.stale, result.applied) == (1, 0)
    member = db.session.execute(db.select(Member).filter_by(customer_id=5)).scalar_one()
    assert (member.email, member.first_name, member.customer_modified) == ("anna.new@example.com", "Annabel", day(5))
    same_date = {**newer, "last_name": "Neu"}
    assert apply_with_retry(lambda: apply_customers(store, [same_date], now=NOW)).applied == 1
    db.session.expire_all()
    assert db.session.get(Member, member.id).last_name == "Neu"


def test_import_cli_counts_stale_copies(runner, store, tmp_path):
    old = _earned_then_refunded(store)
    db.session.commit()
    path = tmp_path / "old.json"
    path.write_text(json.dumps([old]))
    result = runner.invoke(args=["import", "orders", str(path), "--store", "shop"])
    assert result.exit_code == 0, result.output
    assert "0 applied, 0 unchanged, 1 stale" in result.output
    assert points() == 60


# --- lines keep the product they were earned with -------------------------------------------------


def _double_points_on(store, category: int):
    _, program = program_in_force(store)
    save_program(
        store,
        dataclasses.replace(program, multipliers=(MultiplierRule(Decimal(2), category_id=category),)),
        actor="test",
    )
    db.session.commit()


def test_deleting_a_product_does_not_take_points_back(store):
    apply_with_retry(lambda: apply_products(store, [product(100, sku="BEANS", categories=[7])]))
    _double_points_on(store, 7)
    earned = order(1, lines=[line(10, "30.00", product_id=100, sku="BEANS")], created=day(1))
    apply(store, [earned])
    assert points() == 60
    # After DELETE products/100 the store answers the line with product_id 0 and sku null, same date_modified
    gone = json.loads(json.dumps(earned))
    gone["line_items"][0].update(product_id=0, sku=None)
    result = apply(store, [gone])
    assert result.unchanged == 1
    assert points() == 60
    stored = db.session.execute(db.select(Order).filter_by(wc_id=1)).scalar_one()
    assert (stored.lines[0]["product_id"], stored.lines[0]["sku"], stored.lines[0]["categories"]) == (100, "BEANS", [7])


def test_recategorising_a_product_is_not_a_change_of_the_order(store):
    apply_with_retry(lambda: apply_products(store, [product(100, categories=[7])]))
    _double_points_on(store, 7)
    earned = order(1, lines=[line(10, "30.00", product_id=100)], created=day(1))
    apply(store, [earned])
    apply_with_retry(lambda: apply_products(store, [product(100, categories=[8])]))
    edited = order(
        1, lines=[line(10, "30.00", product_id=100), line(11, "5.00", product_id=100)], created=day(1), modified=day(2)
    )
    apply(store, [edited])
    assert points() == 60 + 5  # the old line keeps category 7, the new line reads today's catalogue


# --- negative fees --------------------------------------------------------------------------------


def test_an_order_whose_fee_is_below_the_items_is_accepted_and_earns_nothing(store):
    zero = REAL_FEE_ORDERS["negative_total"]  # 20.00 of items, fee -20.00 (capped), total 0.00
    negative = {**zero, "id": 900, "total": "-5.00", "fee_lines": [{**zero["fee_lines"][0], "total": "-25.00"}]}
    result = apply(store, [zero, negative])
    assert (result.applied, result.rejected) == (2, [])
    assert points("engine-fee@example.com") == 0


def test_a_negative_fee_lowers_what_the_order_earns(store):
    result = apply(store, [REAL_FEE_ORDERS["partial_fee"]])  # 40.00 of items, fee -10.00
    assert result.rejected == []
    assert points("engine-fee@example.com") == 30


# --- dates far in the future -----------------------------------------------------------------------


def test_orders_refunds_and_customers_dated_far_ahead_are_refused_by_name(store):
    future = order(1, lines=[line(10, "100.00")])
    future.update(date_created_gmt="9999-12-31T23:59:59", date_modified_gmt="9999-12-31T23:59:59")
    late_refund = order(2, lines=[line(20, "100.00")], refunds=[{"id": 5, "amount": "10.00"}])
    ahead = datetime.now(timezone.utc) + timedelta(days=3)
    result = apply(store, [future, late_refund], refunds_by_order={2: [refund(5, "10.00", at=ahead)]})
    assert result.applied == 0
    reasons = dict(result.rejected)
    assert "date_created_gmt" in reasons["order 1"] and "in the future" in reasons["order 1"]
    assert "refunds.0.date_created_gmt" in reasons["order 2"] and "in the future" in reasons["order 2"]
    broken = {**customer(5, "anna@example.com"), "date_modified_gmt": "9999-12-31T23:59:59"}
    result = apply_with_retry(lambda: apply_customers(store, [broken], now=NOW))
    assert result.applied == 0 and "in the future" in result.rejected[0][1]
    assert db.session.execute(db.select(db.func.count()).select_from(RejectedRecord)).scalar_one() == 3


def test_a_date_within_a_day_of_the_clock_is_accepted(store):
    soon = datetime.now(timezone.utc) + timedelta(hours=2)  # a store clock a little ahead of ours
    assert apply(store, [order(1, lines=[line(10, "100.00")], created=soon)]).applied == 1
