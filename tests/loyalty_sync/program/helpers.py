"""Shared helpers of the program tests: apply facts at a fixed clock, read the books."""

from dataclasses import replace

from loyalty_sync.books.apply import apply_customers, apply_orders, apply_reviews, apply_with_retry, reevaluate
from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Badge, Coupon, LedgerEntry, Member


def orders(store, records, now, **kw):
    return apply_with_retry(lambda: apply_orders(store, records, now=now, **kw))


def customers(store, records, now):
    return apply_with_retry(lambda: apply_customers(store, records, now=now))


def reviews(store, records, now):
    return apply_with_retry(lambda: apply_reviews(store, records, now=now))


def replan(store, now, members=None):
    return apply_with_retry(lambda: reevaluate(store, members, now=now))


def member(store, ref) -> Member:
    db.session.expire_all()
    return find_member(store, ref)


def lines(m: Member, prefix: str = ""):
    return db.session.execute(
        db.select(LedgerEntry.key, LedgerEntry.kind, LedgerEntry.points, LedgerEntry.reason)
        .where(LedgerEntry.member_id == m.id, LedgerEntry.key.startswith(prefix))
        .order_by(LedgerEntry.at, LedgerEntry.id)
    ).all()


def coupons(m: Member, source: str | None = None):
    query = db.select(Coupon).where(Coupon.member_id == m.id)
    if source:
        query = query.where(Coupon.source == source)
    return db.session.execute(query.order_by(Coupon.id)).scalars().all()


def badges(m: Member):
    return (
        db.session.execute(db.select(Badge.name).where(Badge.member_id == m.id).order_by(Badge.awarded_at, Badge.id))
        .scalars()
        .all()
    )


def set_program(store, **changes):
    _, program = program_in_force(store)
    save_program(store, replace(program, **changes), actor="test", note="test")
    db.session.commit()


def review(review_id, product_id, email, *, status="approved", verified=True, created="2026-01-10T10:00:00"):
    return {
        "id": review_id,
        "product_id": product_id,
        "reviewer_email": email,
        "status": status,
        "verified": verified,
        "date_created_gmt": created,
        "review": "Nice",
        "rating": 5,
    }
