"""Webhook deliveries as received: a durable intake, so the web process can
answer WooCommerce at once (it never retries, FACTS.md) and the worker
applies the change. Deliveries are deduplicated on (store, resource, id,
date_modified), never on WooCommerce's delivery id (not unique)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, UTCDateTime, utcnow


class WebhookEvent(db.Model):
    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("store_id", "resource", "resource_id", "modified"),
        Index("ix_webhook_events_pending", "processed_at", "store_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(60))
    resource: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[int] = mapped_column(Integer)
    modified: Mapped[str] = mapped_column(String(40), default="")
    payload: Mapped[dict] = mapped_column(JSONDoc)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
