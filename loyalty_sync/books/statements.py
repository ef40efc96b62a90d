"""A member's statement: status plus every ledger line that explains the
balance. One function feeds `members show`, the admin's member page and
exports, so they can never disagree."""

from loyalty_sync.engine.money import money_text
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import Badge, Coupon, LedgerEntry, Member, Store


def find_member(store: Store, ref: str) -> Member | None:
    """A member by email (case-insensitive) or by the store's customer id."""
    query = db.select(Member).where(Member.store_id == store.id, Member.merged_into_id.is_(None))
    if ref.isdigit():
        customer_id = parse_db_int(ref)
        if customer_id is None:  # more digits than any customer id: nobody (PostgreSQL would raise)
            return None
        query = query.where(Member.customer_id == customer_id)
    else:
        query = query.where(Member.email == ref.strip().lower())
    return db.session.execute(query.order_by(Member.customer_id.is_(None), Member.id).limit(1)).scalar_one_or_none()


def member_statement(store: Store, member: Member) -> dict:
    ledger = (
        db.session.execute(
            db.select(LedgerEntry).where(LedgerEntry.member_id == member.id).order_by(LedgerEntry.at, LedgerEntry.id)
        )
        .scalars()
        .all()
    )
    coupons = (
        db.session.execute(db.select(Coupon).where(Coupon.member_id == member.id).order_by(Coupon.issued_at, Coupon.id))
        .scalars()
        .all()
    )
    badges = (
        db.session.execute(db.select(Badge.name).where(Badge.member_id == member.id).order_by(Badge.awarded_at))
        .scalars()
        .all()
    )
    return {
        "email": member.email,
        "store": store.name,
        "points": member.points,
        "tier": member.tier,
        "vip": bool(member.vip),
        "vip_until": member.vip_until.date().isoformat() if member.vip_until else None,
        "ledger": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "points": e.points,
                "order_id": e.order_wc_id,
                "reason": e.reason,
                "rule_version": e.rule_version,
                "multiplier": str(e.multiplier) if e.multiplier is not None else None,
            }
            for e in ledger
        ],
        "coupons": [
            {
                "code": c.code,
                "discount_type": c.discount_type,
                "amount": money_text(c.amount),
                "status": c.status,
                "expires": c.expires_at.date().isoformat() if c.expires_at else None,
                "source": c.source,
            }
            for c in coupons
        ],
        "badges": list(badges),
    }
