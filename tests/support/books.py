"""One store's books seen without row ids or random coupon codes, to compare
two stores that were fed the same history in different ways."""

from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Store


def books_of(store: Store) -> dict[str, list]:
    """Ledger lines, coupons and each member's points, tier and VIP, by email."""
    ledger = db.session.execute(
        db.select(Member.email, LedgerEntry.kind, LedgerEntry.points, LedgerEntry.order_wc_id, LedgerEntry.reason)
        .join(Member, Member.id == LedgerEntry.member_id)
        .where(LedgerEntry.store_id == store.id)
    ).all()
    coupons = db.session.execute(
        db.select(Member.email, Coupon.source, Coupon.amount, Coupon.points_cost)
        .join(Member, Member.id == Coupon.member_id)
        .where(Coupon.store_id == store.id)
    ).all()
    members = db.session.execute(
        db.select(Member.email, Member.points, Member.tier, Member.vip).where(Member.store_id == store.id)
    ).all()
    return {
        "ledger": sorted(map(tuple, ledger)),
        "coupons": sorted(map(tuple, coupons)),
        "members": sorted(map(tuple, members)),
    }
