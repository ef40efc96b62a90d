"""Referral, review and birthday bonuses."""

from dataclasses import replace
from datetime import datetime, timezone

from engine_factories import day, line, order

from loyalty_sync.engine.bonuses import birthday_gifts, parse_birthday, referral_bonus_line, review_bonus_lines
from loyalty_sync.engine.facts import ReviewFacts, review_from_wc
from loyalty_sync.engine.program import DEFAULT_PROGRAM as P

UTC = timezone.utc


def test_referral_bonus_and_self_referral():
    friend = replace(order(9, line(1, "30.00"), email="ben@example.com"), billing_address="ring 1, 10115, berlin, de")
    bonus = referral_bonus_line("m1", "anna@example.com", "hauptstrasse 5, berlin", friend, True, P, day(1))
    assert (bonus.key, bonus.kind, bonus.points) == ("referral:9", "bonus", 200)
    # same email, same address, not the first order, not completed: nothing
    assert referral_bonus_line("m1", "Ben@Example.com", "", friend, True, P, day(1)) is None
    assert referral_bonus_line("m1", "anna@example.com", "ring 1, 10115, berlin, de", friend, True, P, day(1)) is None
    assert referral_bonus_line("m1", "anna@example.com", "", friend, False, P, day(1)) is None
    assert (
        referral_bonus_line("m1", "anna@example.com", "", replace(friend, status="processing"), True, P, day(1)) is None
    )


def review(rid, product, at, status="approved", verified=True):
    return ReviewFacts(rid, product, "anna@example.com", status, verified, at)


def test_review_bonus_once_per_product_four_per_month():
    reviews = [review(i, 100 + i, day(i)) for i in range(1, 7)]  # six products in January
    reviews += [
        review(20, 101, day(2)),
        review(21, 200, day(3), status="hold"),
        review(22, 201, day(3), verified=False),
    ]
    lines = review_bonus_lines("m1", reviews, [], P, day(40))
    # products 101..104 (the first four in January), 50 each; 105, 106 over the monthly limit
    assert [(ln.key, ln.points) for ln in lines] == [(f"review:m1:{p}", 50) for p in (101, 102, 103, 104)]
    assert review_bonus_lines("m1", reviews, lines, P, day(40)) == []


def test_review_from_capture_shape():
    r = review_from_wc(
        {
            "id": 9,
            "date_created_gmt": "2026-11-23T17:13:41",
            "product_id": 11,
            "status": "approved",
            "reviewer_email": "Anna.Schmidt@example.com",
            "verified": True,
        }
    )
    assert r == ReviewFacts(
        9, 11, "anna.schmidt@example.com", "approved", True, datetime(2026, 11, 23, 17, 13, 41, tzinfo=UTC)
    )


def test_birthday_week_once_a_year():
    assert parse_birthday("1990-05-17") == (5, 17) and parse_birthday("--02-29") == (2, 29)
    assert parse_birthday("17.05.1990") is None and parse_birthday("") is None
    # 17 May 2026 is a Sunday: its week runs Monday 11 May 00:00 to Monday 18 May 00:00 UTC
    program = replace(P, birthday_bonus=100)
    before = datetime(2026, 5, 10, 23, 59, tzinfo=UTC)
    inside = datetime(2026, 5, 11, 0, 0, tzinfo=UTC)
    assert birthday_gifts("m1", "1990-05-17", [], [], program, before) == (None, None)
    line_, coupon = birthday_gifts("m1", "1990-05-17", [], [], program, inside)
    assert (line_.key, line_.points, coupon.key, coupon.source) == (
        "birthday:m1:2026",
        100,
        "birthday:m1:2026",
        "birthday",
    )
    assert birthday_gifts("m1", "1990-05-17", [line_], [coupon], program, inside) == (None, None)
