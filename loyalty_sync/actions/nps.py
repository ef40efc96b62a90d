"""NPS (PRODUCT.md): "How likely are you to recommend <shop> to a friend?" 0-10.

Promoters answer 9-10, passives 7-8, detractors 0-6; NPS = % promoters -
% detractors (-100..100): analysis/nps_score.py computes it. This module takes
the answers.

A member answers at most once per survey period (NPS_PERIOD_DAYS, default
90; periods are consecutive windows counted from 1970-01-01, so everyone's
period turns on the same day) and the answer can earn bonus points
(NPS_BONUS_POINTS, default 20) once per period: a `bonus` ledger line keyed
`nps:<member>:<period start>` with its reason. The unique answer per
(member, period) and the unique ledger key make both hold under concurrent
answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context
from sqlalchemy.exc import IntegrityError

from loyalty_sync.books.apply import reevaluate
from loyalty_sync.books.history import in_review
from loyalty_sync.books.member_books import lock_members, member_key
from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry, Member, NpsAnswer, Store

DEFAULT_PERIOD_DAYS = 90
DEFAULT_BONUS_POINTS = 20
MAX_COMMENT = 2000
EPOCH = date(1970, 1, 1)


class NpsRefused(ValueError):
    """The answer cannot be taken; `code` and `field` for the API's error shape."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def _config(name: str, default: int) -> int:
    return int(current_app.config.get(name, default)) if has_app_context() else default


def period_days() -> int:
    return max(1, _config("NPS_PERIOD_DAYS", DEFAULT_PERIOD_DAYS))


def bonus_points() -> int:
    return max(0, _config("NPS_BONUS_POINTS", DEFAULT_BONUS_POINTS))


def period_start(at: datetime, days: int | None = None) -> date:
    days = days or period_days()
    elapsed = (at.astimezone(timezone.utc).date() - EPOCH).days
    return EPOCH + timedelta(days=elapsed // days * days)


@dataclass(frozen=True)
class SurveyState:
    can_answer: bool
    period_start: date
    next_period: date
    answer: NpsAnswer | None


def survey_state(member: Member, now: datetime | None = None) -> SurveyState:
    now = now or datetime.now(timezone.utc)
    start = period_start(now)
    answer = db.session.execute(
        db.select(NpsAnswer).where(NpsAnswer.member_id == member.id, NpsAnswer.period_start == start)
    ).scalar_one_or_none()
    return SurveyState(answer is None, start, start + timedelta(days=period_days()), answer)


def check_answer(score, comment) -> tuple[int, str]:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise NpsRefused("invalid_score", "The score is a whole number from 0 to 10.", "score")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise NpsRefused("comment_too_long", f"The comment can be at most {MAX_COMMENT} characters.", "comment")
    return score, comment


def record_answer(
    store: Store, member: Member, score: int, comment: str = "", *, source: str = "page", now: datetime | None = None
) -> NpsAnswer:
    """Store the answer and book the bonus, in one transaction, and commit.
    Raises NpsRefused (`already_answered`) for a second answer in the period."""

    now = now or datetime.now(timezone.utc)
    score, comment = check_answer(score, comment)
    if member.store_id != store.id or member.merged_into_id is not None:
        raise NpsRefused("unknown_member", "No such member.")
    start = period_start(now)
    bonus = 0 if in_review(store) else bonus_points()  # a store in review books nothing (actions/in_review.py)
    try:
        lock_members([member])
        if not survey_state(member, now).can_answer:
            raise NpsRefused(
                "already_answered",
                "This member has answered the survey in this period already; "
                f"the next survey opens on {start + timedelta(days=period_days())}.",
            )
        answer = NpsAnswer(
            store_id=store.id,
            member_id=member.id,
            period_start=start,
            score=score,
            comment=comment,
            source=source,
            bonus_points=bonus,
            answered_at=now,
        )
        db.session.add(answer)
        if bonus:
            db.session.add(
                LedgerEntry(
                    store_id=store.id,
                    member_id=member.id,
                    key=f"nps:{member_key(member)}:{start.isoformat()}",
                    kind="bonus",
                    points=bonus,
                    at=now,
                    reason=f"+{bonus} points for answering the survey",
                    actor="member",
                )
            )
        db.session.flush()
        if bonus:
            reevaluate(store, [member], now=now)  # the cached balance, auto-redeem and the push flag see the bonus
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise NpsRefused("already_answered", "This member has answered the survey in this period already.") from None
    except NpsRefused:
        db.session.rollback()
        raise
    return answer
