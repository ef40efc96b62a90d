"""What the books hold today, in the terms of the what-if (`engine.replay.Figures`):
the 'before' side of a rule change is the books, not a replay of them.

- outstanding points: the positive balances of the store's members (merged
  ones left out), as the dashboard and `liability.py` count them;
- coupons: every coupon of the store, as the dashboard counts "issued";
  their money value is that of the fixed-amount ones (`coupon_money`); the
  open ones (pending or pushed: not used, not expired) are owed too;
- points given: the earn, reverse and bonus lines (what the program gave;
  restores and an admin's adjustments are not a rule's cost);
- revenue: paid orders (`PAID_STATUSES`) net of refunds, of the members'
  orders, as the replay counts it.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import Session

from loyalty_sync.engine.ledger import CouponStatus, LedgerKind
from loyalty_sync.engine.program import PAID_STATUSES, CouponTemplate
from loyalty_sync.engine.replay import Figures, coupon_money
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order

_GIVEN = (LedgerKind.EARN, LedgerKind.REVERSE, LedgerKind.BONUS)


def books_figures(session: Session, store_id: int) -> tuple[Figures, Decimal]:
    """The store's books as Figures, and its paid revenue."""
    outstanding = session.execute(
        db.select(func.coalesce(func.sum(Member.points), 0)).where(
            Member.store_id == store_id, Member.merged_into_id.is_(None), Member.points > 0
        )
    ).scalar_one()
    given = session.execute(
        db.select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.store_id == store_id, LedgerEntry.kind.in_(_GIVEN)
        )
    ).scalar_one()
    count, value, open_value, free_value = 0, Decimal(0), Decimal(0), Decimal(0)
    rows = session.execute(
        db.select(Coupon.discount_type, Coupon.amount, Coupon.free_shipping, Coupon.status, Coupon.points_cost).where(
            Coupon.store_id == store_id
        )
    )
    for discount_type, amount, free_shipping, status, points_cost in rows:
        money = coupon_money(CouponTemplate(discount_type, Decimal(amount), free_shipping=bool(free_shipping)))
        count += 1
        value += money
        open_value += money if status in CouponStatus.OPEN else 0
        free_value += money if (points_cost or 0) <= 0 else 0
    figures = Figures(
        coupons=count,
        coupon_money=value,
        points_issued=int(given),
        outstanding=int(outstanding),
        open_coupon_money=open_value,
        free_coupon_money=free_value,
    )
    return figures, paid_revenue(session, store_id)


def paid_revenue(session: Session, store_id: int) -> Decimal:
    """What the members paid, net of refunds (never below 0 per order)."""
    members = db.select(Member.id).where(Member.store_id == store_id, Member.merged_into_id.is_(None))
    rows = session.execute(
        db.select(Order.total, Order.refunded_total).where(
            Order.store_id == store_id, Order.status.in_(PAID_STATUSES), Order.member_id.in_(members)
        )
    )
    return sum((max(Decimal(total) - Decimal(refunded or 0), Decimal(0)) for total, refunded in rows), Decimal(0))
