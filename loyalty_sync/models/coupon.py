"""Coupons we issue, as an outbox: a row is written with its ledger debit in
one transaction (status pending) and pushed to the store later; the push is
idempotent because the code is unique and an existing code is linked, never
created twice."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import Money, UTCDateTime, utcnow

COUPON_STATUSES = ("pending", "pushed", "used", "expired", "failed")


class Coupon(db.Model):
    __tablename__ = "coupons"
    __table_args__ = (
        UniqueConstraint("store_id", "key"),
        Index("ix_coupons_store_status", "store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(60), unique=True)
    source: Mapped[str] = mapped_column(String(30))
    discount_type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    minimum_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    free_shipping: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str] = mapped_column(String(254), default="")
    points_cost: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    wc_id: Mapped[int | None] = mapped_column(Integer)
    push_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_order_wc_id: Mapped[int | None] = mapped_column(Integer)
