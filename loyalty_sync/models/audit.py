"""Who changed what, when, before and after: every admin action writes here."""

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(200), default="")
    store_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSONDoc)
    after: Mapped[dict | None] = mapped_column(JSONDoc)
    reason: Mapped[str] = mapped_column(Text, default="")


def record_audit(
    actor: str, action: str, target: str = "", *, store_id=None, before=None, after=None, reason: str = ""
) -> AuditEntry:
    """Add an audit row to the current session (committed with the change it describes)."""

    entry = AuditEntry(
        actor=actor, action=action, target=target, store_id=store_id, before=before, after=after, reason=reason
    )
    db.session.add(entry)
    return entry
