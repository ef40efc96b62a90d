"""A loyalty member: one per store customer, or per billing email for guests.

`points` is a cache of the ledger, written in the same transaction as its
ledger rows (tests prove they agree); tier and VIP columns are the last
status the engine decided, kept for fast lists and the push to the store.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, Money, UTCDateTime, utcnow


class Member(db.Model):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("store_id", "customer_id"),
        Index("ix_members_store_email", "store_id", "email"),
        Index("ix_members_store_points", "store_id", "points"),
        Index("ix_members_store_tier", "store_id", "tier"),
        Index("ix_members_store_planned_version", "store_id", "planned_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(Integer)  # None: a guest, known by email
    email: Mapped[str] = mapped_column(String(254), default="")
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    billing_address: Mapped[str] = mapped_column(Text, default="")
    # The store's date_modified of the customer copy last applied: an older copy changes nothing.
    customer_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    birthday: Mapped[date | None] = mapped_column(Date)
    meta: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    points: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str] = mapped_column(String(60), default="")
    tier_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tier_below_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tiers_rewarded: Mapped[list] = mapped_column(JSONDoc, default=list)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    vip_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    spend_12m: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    orders_count: Mapped[int] = mapped_column(Integer, default=0)
    last_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referral_code: Mapped[str | None] = mapped_column(String(60), unique=True)
    pushed_status: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    status_changed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # New facts stored, books not yet re-planned (a pass plans each member once, at the end)
    needs_plan: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # The program version the books were last planned under; behind the one in
    # force after a rule save, the next pass re-plans the member (program_versions.py).
    planned_version: Mapped[int | None] = mapped_column(Integer)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_guest(self) -> bool:
        return self.customer_id is None

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.email}>"


class VipPeriod(db.Model):
    __tablename__ = "vip_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # qualified / paid / invited
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    order_wc_id: Mapped[int | None] = mapped_column(Integer)


class Badge(db.Model):
    __tablename__ = "badges"
    __table_args__ = (UniqueConstraint("member_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
