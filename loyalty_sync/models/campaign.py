"""A coupon campaign: one personal coupon per member of a segment (or a
member filter), sent through the coupon outbox. The row tracks progress:
`total` members targeted, `issued` coupons written, `pushed` coupons the store
has (refreshed by campaigns.refresh_progress)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, Money, UTCDateTime, utcnow

CAMPAIGN_STATUSES = ("issuing", "pushing", "done")


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    segment: Mapped[str] = mapped_column(String(40), default="")  # RFM segment, or "" with a filter
    member_filter: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    discount_type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    minimum_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    free_shipping: Mapped[bool] = mapped_column(default=False)
    expires_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="issuing")
    total: Mapped[int] = mapped_column(Integer, default=0)
    issued: Mapped[int] = mapped_column(Integer, default=0)
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
