"""NPS: the pure computation by hand-computed cases, one answer per member and
period, the bonus once per period as a ledger line with its reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from loyalty_sync.actions import nps
from loyalty_sync.analysis.nps_score import classify, nps_score, nps_summary
from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry, Member, NpsAnswer
from tests.support.members import make_registered_member


def test_ten_answers_five_promoters_three_passives_two_detractors_is_30():
    scores = [10, 9, 9, 10, 9, 7, 8, 7, 6, 0]
    assert nps_score(scores) == {"nps": 30, "promoters": 5, "passives": 3, "detractors": 2, "answers": 10}


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], None),
        ([10], 100),
        ([0], -100),
        ([7, 8], 0),
        ([9, 6, 8], 0),
        ([9, 9, 0], 33.3),  # 66.7 - 33.3
        ([10, 3, 4], -33.3),
        ([6, 7, 9, 10], 25),
    ],
)
def test_nps_by_hand(scores, expected):
    assert nps_score(scores)["nps"] == expected


def test_boundaries_of_the_categories():
    assert [classify(s) for s in range(11)] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2


@pytest.mark.parametrize("bad", [-1, 11, 5.5, "9", None, True])
def test_scores_outside_0_to_10_are_refused(bad):
    with pytest.raises(ValueError):
        nps_score([bad])
    with pytest.raises(nps.NpsRefused):
        nps.check_answer(bad, "")


def test_periods_are_consecutive_windows():
    start = nps.period_start(datetime(2026, 3, 1, tzinfo=timezone.utc), 90)
    assert (start - date(1970, 1, 1)).days % 90 == 0
    assert start <= date(2026, 3, 1) < start + timedelta(days=90)
    assert (
        nps.period_start(datetime.combine(start + timedelta(days=89), datetime.min.time(), timezone.utc), 90) == start
    )
    assert nps.period_start(
        datetime.combine(start + timedelta(days=90), datetime.min.time(), timezone.utc), 90
    ) == start + timedelta(days=90)


def test_one_answer_per_period_and_the_bonus_once(app, store):
    member = make_registered_member(store, 7, "anna@example.com", ["100.00"], first_order_id=1001)
    points = member.points
    now = datetime.now(timezone.utc)
    answer = nps.record_answer(store, member, 9, "  lovely  ", source="api", now=now)
    assert answer.comment == "lovely" and answer.bonus_points == 20
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert member.points == points + 20
    bonus = db.session.execute(db.select(LedgerEntry).where(LedgerEntry.kind == "bonus")).scalar_one()
    start = nps.period_start(now)
    assert bonus.key == f"nps:m{member.id}:{start.isoformat()}"
    assert bonus.reason == "+20 points for answering the survey"
    with pytest.raises(nps.NpsRefused) as refused:
        nps.record_answer(store, member, 3, now=now + timedelta(days=1))
    assert refused.value.code == "already_answered"
    assert db.session.execute(db.select(db.func.count()).select_from(NpsAnswer)).scalar() == 1
    # the next period: a new answer and a new bonus
    later = datetime.combine(start + timedelta(days=nps.period_days()), datetime.min.time(), timezone.utc)
    nps.record_answer(store, member, 4, now=later)
    keys = (
        db.session.execute(db.select(LedgerEntry.key).where(LedgerEntry.kind == "bonus").order_by(LedgerEntry.id))
        .scalars()
        .all()
    )
    assert len(keys) == 2 and len(set(keys)) == 2
    assert db.session.get(Member, member.id).points == points + 40


def test_bonus_can_be_switched_off_and_the_period_changed(app, store):
    app.config.update(NPS_BONUS_POINTS=0, NPS_PERIOD_DAYS=7)
    member = make_registered_member(store, 7, "anna@example.com", ["100.00"], first_order_id=1001)
    answer = nps.record_answer(store, member, 10)
    assert answer.bonus_points == 0
    assert db.session.execute(db.select(LedgerEntry).where(LedgerEntry.kind == "bonus")).first() is None
    assert nps.survey_state(member).next_period - nps.survey_state(member).period_start == timedelta(days=7)


def test_nps_summary_for_the_admin_pages(app, store, other_store):
    now = datetime.now(timezone.utc)
    for i, score in enumerate([10, 9, 9, 10, 9, 7, 8, 7, 6, 0]):
        member = make_registered_member(store, 100 + i, f"m{i}@example.com", ["10.00"], first_order_id=5000 + i * 10)
        nps.record_answer(store, member, score, now=now)
    stranger = make_registered_member(other_store, 1, "x@example.com", ["10.00"], first_order_id=9000)
    nps.record_answer(other_store, stranger, 0, now=now)
    summary = nps_summary(store, now - timedelta(days=1), now + timedelta(days=1))
    assert summary == {"nps": 30, "promoters": 5, "passives": 3, "detractors": 2, "answers": 10}
    assert nps_summary(store, now + timedelta(days=1), now + timedelta(days=2))["answers"] == 0
