"""The append-only points ledger: the only source of truth for balances.

Rows are never updated or deleted (a guard below refuses it at the ORM level);
corrections are new rows. Each row has an idempotency key unique in its store, so applying
the same facts twice, or two workers racing, can never book twice: the second
insert fails on the key and its transaction is retried on fresh books.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import Factor, UTCDateTime, utcnow

LEDGER_KINDS = ("earn", "reverse", "redeem", "expire", "restore", "bonus", "adjust")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("store_id", "key"),
        Index("ix_ledger_member_at", "member_id", "at"),
        Index("ix_ledger_store_kind_at", "store_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    order_wc_id: Mapped[int | None] = mapped_column(Integer)
    coupon_key: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    rule_version: Mapped[int | None] = mapped_column(Integer)
    multiplier: Mapped[Decimal | None] = mapped_column(Factor)
    actor: Mapped[str] = mapped_column(String(254), default="system")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerIsAppendOnly(Exception):
    pass


@event.listens_for(LedgerEntry, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise LedgerIsAppendOnly(f"ledger row {target.key} cannot be changed; book a correction")


@event.listens_for(LedgerEntry, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise LedgerIsAppendOnly(f"ledger row {target.key} cannot be deleted; book a correction")
