"""Idempotency keys of the storefront API's writes (`Idempotency-Key` header).

The row is inserted in the same transaction as the write it protects, and
(store, key) is unique: a concurrent request with the same key waits on the
unique index (PostgreSQL) or the write lock (SQLite), then fails on it and
answers with the stored answer instead of writing again. `state` is `booked`
once the write committed and `done` when the answer is final (after the
coupon push); `fingerprint` refuses a key reused for a different request.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, UTCDateTime, utcnow


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("store_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(120), default="")
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(20), default="booked")
    status_code: Mapped[int] = mapped_column(Integer, default=200)
    body: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
