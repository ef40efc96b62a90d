"""Per-store API tokens for the storefront REST API (storefront/api).

A token is shown once when created; only its SHA-256 is stored (tokens are
long random strings, so a fast hash is enough and lets a request find its
token by one indexed lookup). `prefix` is the first characters, for people to
tell tokens apart in `api-tokens list`. Revoked tokens stay as rows (revoked_at)
so the list shows what existed and when it was used last.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import UTCDateTime, utcnow

API_SCOPES = ("read", "redeem")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    scope: Mapped[str] = mapped_column(String(20), default="read")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")
    created_by: Mapped[str] = mapped_column(String(254), default="cli")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:  # never the token
        return f"<ApiToken {self.id} {self.prefix}… {self.scope}>"
