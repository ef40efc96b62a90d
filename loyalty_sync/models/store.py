"""A WooCommerce store we sync with. The consumer secret and webhook secret are
write-only for people: nothing renders them back (see admin/ and redaction)."""

import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import UTCDateTime, utcnow


class Store(db.Model):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    consumer_key: Mapped[str] = mapped_column(String(200), default="")
    consumer_secret: Mapped[str] = mapped_column(String(200), default="")
    webhook_secret: Mapped[str] = mapped_column(String(200), default="")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    wc_version: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    verify_tls: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Which installation of loyalty-sync this is, for this store: it goes into
    #: every reference we write to the store to find our own coupons again,
    #: so a second installation on the same store (staging next to
    #: production, a re-install on a fresh database) never adopts or
    #: overwrites the first one's. Generated once when the store is added;
    #: stores added before it existed keep "" (their refs as they were pushed).
    #: How the store's past counts (loyalty_sync/books/history.py): "review"
    #: (nothing booked or pushed until the owner chooses), "award",
    #: "since:YYYY-MM-DD" or "tiers-only". Python's default is "award", the
    #: behaviour from before history modes; every way of connecting a store
    #: (`stores add`, the panel) starts it in "review" instead.
    history_mode: Mapped[str] = mapped_column(String(24), default="award", server_default="award")
    #: When the books started running for the store: set when its history
    #: mode is chosen (None while in review, and for stores made without a
    #: connection, e.g. in tests: no cut). Events before it give no live
    #: coupon (loyalty_sync/books/past_events.py).
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    installation_id: Mapped[str] = mapped_column(String(16), default=lambda: new_installation_id(), server_default="")

    #: The shop's time zone (an IANA name, or "UTC+05:30"), read from WordPress
    #: (woocommerce/site_index.py) at the connection test and by the daily
    #: upkeep: every time a person reads is shown in it (shop_time.py).
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    #: The shop's name as its customers know it (WordPress' site name); the
    #: store's `name` is our internal handle, which members never see.
    display_name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    #: Signs the shop's customers for the on-site widget (signed_identity.py):
    #: shared with the shop's own server (the WordPress plugin), never sent to a
    #: browser, never rendered back but to an admin who asks for it.
    widget_secret: Mapped[str] = mapped_column(String(64), default=lambda: new_widget_secret(), server_default="")

    @property
    def shop_name(self) -> str:
        return self.display_name or self.name

    def __repr__(self) -> str:  # never the secrets
        return f"<Store {self.name} {self.url}>"

    @property
    def has_keys(self) -> bool:
        return bool(self.consumer_key and self.consumer_secret)


def new_installation_id() -> str:
    return secrets.token_hex(4)


def new_widget_secret() -> str:
    return secrets.token_urlsafe(32)


class SyncBookmark(db.Model):
    """How far a resource of a store has been pulled *and applied*. Moves only
    after the apply transaction committed, so a crash re-pulls, never skips."""

    __tablename__ = "sync_bookmarks"
    __table_args__ = (UniqueConstraint("store_id", "resource"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    resource: Mapped[str] = mapped_column(String(40))
    modified_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
