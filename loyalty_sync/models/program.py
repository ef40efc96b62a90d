"""Program rules, versioned: every saved change is a new row, never an edit,
so an order can always say which rules it earned under."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, UTCDateTime, utcnow


class ProgramVersion(db.Model):
    __tablename__ = "program_versions"
    __table_args__ = (UniqueConstraint("store_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    note: Mapped[str] = mapped_column(Text, default="")
