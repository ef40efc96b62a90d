"""The sync log: one row per pass, and the records a pass had to reject."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import JSONDoc, UTCDateTime, utcnow


class SyncRun(db.Model):
    __tablename__ = "sync_runs"
    # Runs pile up (one per pass); the worker and each pass look up the few queued/running ones.
    __table_args__ = (Index("ix_sync_runs_status_store", "status", "store_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="scheduled")  # scheduled/manual/full/webhook/import
    status: Mapped[str] = mapped_column(String(20), default="running")  # running/ok/partial/failed
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counts: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")

    @property
    def duration_seconds(self) -> float | None:
        if not self.finished_at:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RejectedRecord(db.Model):
    """A record from the store (or an import file) we could not apply, with the
    reason, so nothing is silently lost and the admin can see why."""

    __tablename__ = "rejected_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    resource: Mapped[str] = mapped_column(String(40))
    ref: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
