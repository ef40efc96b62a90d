"""Review bonuses: approved + verified buyer, once per product, at most N a
month, taken back when unapproved."""

from datetime import datetime, timezone

from loyalty_sync.books.reviews import review_lines
from loyalty_sync.engine.facts import ReviewFacts
from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import RejectedRecord, Review
from tests.loyalty_sync.program.helpers import customers, lines, member, review, reviews, set_program
from tests.support.wc import customer, day

NOW = day(60)


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def R(rid, pid, *, status="approved", verified=True, created="2026-01-10T10:00:00"):
    return ReviewFacts(rid, pid, "anna@example.com", status, verified, at(created))


def test_review_lines_pure_once_per_product_and_four_a_month():
    p = Program()
    rs = [R(i, 100 + i, created=f"2026-01-{10 + i}T10:00:00") for i in range(1, 7)]  # six products in January
    rs += [R(20, 101, created="2026-01-25T10:00:00")]  # second review, same product
    rs += [R(21, 200, status="hold"), R(22, 201, verified=False)]  # never earn
    rs += [R(23, 300, created="2026-02-02T10:00:00")]  # February: own cap
    got = review_lines("m1", rs, (), p, at("2026-03-01T00:00:00"))
    assert [(ln.key, ln.points) for ln in got] == [
        ("review:m1:101", 50),
        ("review:m1:102", 50),
        ("review:m1:103", 50),
        ("review:m1:104", 50),
        ("review:m1:300", 50),
    ]
    # planning again on the booked lines: nothing new (the January cap is full)
    assert review_lines("m1", rs, tuple(got), p, at("2026-03-01T00:00:00")) == []


def test_unapproved_review_takes_the_bonus_back_and_reapproval_gives_it_again():
    p = Program()
    now = at("2026-03-01T00:00:00")
    [bonus] = review_lines("m1", [R(1, 101)], (), p, now)
    [back] = review_lines("m1", [R(1, 101, status="spam")], (bonus,), p, now)
    assert (back.key, back.kind, back.points) == ("review:m1:101:2", "reverse", -50)
    assert "spam" in back.reason
    [again] = review_lines("m1", [R(1, 101)], (bonus, back), p, now)
    assert (again.key, again.points) == ("review:m1:101:3", 50)
    assert review_lines("m1", [R(1, 101)], (bonus, back, again), p, now) == []


def test_reviews_through_the_apply_service(store):
    customers(store, [customer(2, "anna@example.com")], NOW)
    reviews(
        store,
        [
            review(5, 101, "anna@example.com"),
            review(6, 102, "anna@example.com", verified=False),
            review(7, 103, "nobody@example.com"),
            {"id": 8, "product_id": "x"},
        ],
        NOW,
    )
    anna = member(store, "anna@example.com")
    assert [(k, p) for k, _, p, _ in lines(anna, "review:")] == [(f"review:m{anna.id}:101", 50)]
    assert anna.points == 50
    assert db.session.execute(db.select(db.func.count()).select_from(Review)).scalar_one() == 3
    assert db.session.execute(db.select(RejectedRecord.resource)).scalars().all() == ["review"]
    # unapproved later: taken back
    reviews(store, [review(5, 101, "anna@example.com", status="hold")], NOW)
    anna = member(store, "anna@example.com")
    assert [p for _, _, p, _ in lines(anna, "review:")] == [50, -50] and anna.points == 0
    # same data again: nothing new
    reviews(store, [review(5, 101, "anna@example.com", status="hold")], NOW)
    assert len(lines(member(store, "anna@example.com"), "review:")) == 2


def test_the_monthly_cap_is_the_programs(store):
    set_program(store, reviews_per_month=1, review_bonus=30)
    customers(store, [customer(2, "anna@example.com")], NOW)
    reviews(store, [review(5, 101, "anna@example.com"), review(6, 102, "anna@example.com")], NOW)
    assert [p for _, _, p, _ in lines(member(store, "anna@example.com"), "review:")] == [30]
