"""Birthday gifts once a year in the birthday week; badges once each and in
the pushed meta."""

from datetime import datetime, timezone

import pytest

from loyalty_sync.actions.birthdays import birthday_gifts_due, in_birthday_week
from loyalty_sync.books.apply import apply_with_retry
from loyalty_sync.books.badges import badges_earned
from loyalty_sync.books.member_books import store_status
from loyalty_sync.engine.facts import order_from_wc
from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Badge, RejectedRecord
from tests.loyalty_sync.program.helpers import badges, coupons, customers, lines, member, orders, replan, set_program
from tests.support.wc import customer, day, line, order

UTC = timezone.utc


def utc(*a):
    return datetime(*a, tzinfo=UTC)


# 17 May 2026 is a Sunday: the birthday week is Mon 11 May .. Sun 17 May.
IN_WEEK = utc(2026, 5, 13, 9)


@pytest.mark.parametrize("raw", ["1990-05-17", "17.05.1990", "17/05/1990", "05/17/1990", "19900517", "May 17, 1990"])
def test_birthday_formats_are_read(store, raw):
    customers(store, [customer(2, "anna@example.com", birthday=raw)], IN_WEEK)
    anna = member(store, "anna@example.com")
    assert (anna.birthday.month, anna.birthday.day) == (5, 17)
    [coupon] = coupons(anna, "birthday")
    assert coupon.key == f"birthday:m{anna.id}:2026" and coupon.email == "anna@example.com"


@pytest.mark.parametrize("raw", ["31.02.1990", "soon", "642902400"])
def test_a_bad_birthday_is_reported_not_fatal(store, raw):
    result = customers(store, [customer(2, "anna@example.com", birthday=raw), customer(3, "bob@example.com")], IN_WEEK)
    assert result.applied == 2
    assert member(store, "anna@example.com").birthday is None
    [reason] = db.session.execute(db.select(RejectedRecord.reason)).scalars().all()
    assert "birthday" in reason


def test_birthday_week_bounds():
    b = datetime(1990, 5, 17).date()
    assert in_birthday_week(b, utc(2026, 5, 11, 0)) and in_birthday_week(b, utc(2026, 5, 17, 23, 59))
    assert not in_birthday_week(b, utc(2026, 5, 10, 23, 59)) and not in_birthday_week(b, utc(2026, 5, 18))


def test_once_a_year_across_reruns_and_the_daily_entry_point(store):
    customers(store, [customer(2, "anna@example.com", birthday="1990-05-17", created=utc(2026, 1, 1))], utc(2026, 3, 1))
    anna = member(store, "anna@example.com")
    assert coupons(anna, "birthday") == []  # not the birthday week
    result = apply_with_retry(lambda: birthday_gifts_due(store, IN_WEEK))
    assert result.members == {anna.id}
    apply_with_retry(lambda: birthday_gifts_due(store, utc(2026, 5, 16)))
    replan(store, utc(2026, 5, 17))
    assert [c.key for c in coupons(member(store, "anna@example.com"), "birthday")] == [f"birthday:m{anna.id}:2026"]
    assert apply_with_retry(lambda: birthday_gifts_due(store, utc(2026, 6, 1))).members == set()
    apply_with_retry(lambda: birthday_gifts_due(store, utc(2027, 5, 12)))  # 2027: Mon 17 May -> week 17..23
    assert len(coupons(member(store, "anna@example.com"), "birthday")) == 1
    apply_with_retry(lambda: birthday_gifts_due(store, utc(2027, 5, 18)))
    assert [c.key for c in coupons(member(store, "anna@example.com"), "birthday")] == [
        f"birthday:m{anna.id}:2026",
        f"birthday:m{anna.id}:2027",
    ]


def test_birthday_bonus_points_instead_of_a_coupon(store):
    set_program(store, birthday_bonus=75, birthday_coupon=None)
    customers(store, [customer(2, "anna@example.com", birthday="17.05.1990")], IN_WEEK)
    replan(store, IN_WEEK)
    anna = member(store, "anna@example.com")
    assert [(k, kind, p) for k, kind, p, _ in lines(anna)] == [(f"birthday:m{anna.id}:2026", "bonus", 75)]
    assert coupons(anna, "birthday") == []


def test_badges_pure():
    p = Program()
    five = [order_from_wc(order(i, created=day(i))) for i in range(1, 6)]
    assert badges_earned(five[:1], (), "Bronze", False, p) == ["First order", "Bronze tier"]
    assert badges_earned(five, (), "Silver", True, p) == ["First order", "5 orders", "VIP", "Silver tier"]
    assert badges_earned([], (), "Bronze", False, p) == []


def test_badges_awarded_once_and_pushed_as_meta(store):
    customers(store, [customer(2, "anna@example.com")], day(1))
    orders(
        store, [order(i, customer_id=2, lines=[line(i * 10, "80.00")], created=day(i)) for i in range(1, 6)], day(10)
    )
    anna = member(store, "anna@example.com")
    # five orders in one batch: the member is Silver (400 spent) when planned, Bronze was only passed through
    assert badges(anna) == ["First order", "5 orders", "Silver tier"]
    assert store_status(anna)["loyalty_badges"].split(",") == badges(anna)
    assert anna.status_changed
    # a full refund of everything does not take badges away, and nothing is awarded twice
    orders(
        store,
        [
            order(i, customer_id=2, status="refunded", lines=[line(i * 10, "80.00")], created=day(i), modified=day(11))
            for i in range(1, 6)
        ],
        day(12),
    )
    replan(store, day(13))
    assert db.session.execute(db.select(db.func.count()).select_from(Badge)).scalar_one() == 3
