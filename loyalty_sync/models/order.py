"""Order facts as the store last reported them, plus what the books decided.

Line items, refunds and coupon lines are kept as JSON documents on the order
row: they are always read and written with their order, and one row per order
keeps the apply path fast on big stores.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import Factor, JSONDoc, Money, UTCDateTime


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("store_id", "wc_id"),
        Index("ix_orders_member_created", "member_id", "created"),
        Index("ix_orders_store_created", "store_id", "created"),
        Index("ix_orders_store_status_created", "store_id", "status", "created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    wc_id: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    customer_id: Mapped[int] = mapped_column(Integer, default=0)
    email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(30))
    currency: Mapped[str] = mapped_column(String(3), default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    modified: Mapped[datetime] = mapped_column(UTCDateTime)
    paid: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed: Mapped[datetime | None] = mapped_column(UTCDateTime)
    total: Mapped[Decimal] = mapped_column(Money)
    total_tax: Mapped[Decimal] = mapped_column(Money)
    shipping_total: Mapped[Decimal] = mapped_column(Money)
    shipping_tax: Mapped[Decimal] = mapped_column(Money)
    discount_total: Mapped[Decimal] = mapped_column(Money)
    refunded_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # Negative fee lines as a positive discount on the items (engine.facts.OrderFacts.fee_discount).
    fee_discount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"), server_default="0")
    lines: Mapped[list] = mapped_column(JSONDoc, default=list)
    refunds: Mapped[list] = mapped_column(JSONDoc, default=list)
    coupon_codes: Mapped[list] = mapped_column(JSONDoc, default=list)
    billing_address: Mapped[str] = mapped_column(String(1000), default="")
    digest: Mapped[str] = mapped_column(String(64), default="")  # of the facts; unchanged orders are skipped
    # What the books decided (fixed at first earn, kept on re-evaluation):
    earned: Mapped[int] = mapped_column(Integer, default=0)
    ledger_rows: Mapped[int] = mapped_column(Integer, default=0)
    tier_multiplier: Mapped[Decimal | None] = mapped_column(Factor)
    vip_multiplier: Mapped[Decimal | None] = mapped_column(Factor)
    program_version: Mapped[int | None] = mapped_column(Integer)
