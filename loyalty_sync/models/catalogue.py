"""The store's catalogue as the rules need it: order line items carry no
categories (FACTS.md), so products map lines to categories and SKUs."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, Money, UTCDateTime


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("store_id", "wc_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    wc_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    parent_wc_id: Mapped[int] = mapped_column(Integer, default=0)


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("store_id", "wc_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    wc_id: Mapped[int] = mapped_column(Integer)
    parent_wc_id: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300), default="")
    sku: Mapped[str] = mapped_column(String(120), default="", index=True)
    price: Mapped[Decimal | None] = mapped_column(Money)
    category_ids: Mapped[list] = mapped_column(JSONDoc, default=list)
    modified: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("store_id", "wc_id"),
        Index("ix_reviews_store_email", "store_id", "reviewer_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    wc_id: Mapped[int] = mapped_column(Integer)
    product_wc_id: Mapped[int] = mapped_column(Integer)
    reviewer_email: Mapped[str] = mapped_column(String(254), default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="approved")
    created: Mapped[datetime | None] = mapped_column(UTCDateTime)
