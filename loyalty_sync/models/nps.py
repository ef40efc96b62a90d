"""NPS survey answers: at most one per member and survey period (the unique
constraint is what enforces it, also under concurrent answers)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalty_sync.extensions import db
from loyalty_sync.models.types import UTCDateTime, utcnow

NPS_SOURCES = ("page", "survey", "api")


class NpsAnswer(db.Model):
    __tablename__ = "nps_answers"
    __table_args__ = (
        UniqueConstraint("member_id", "period_start"),
        Index("ix_nps_answers_store_answered", "store_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="page")
    bonus_points: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
