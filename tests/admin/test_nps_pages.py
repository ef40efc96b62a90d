"""The NPS page (admin/views/nps.py): the numbers equal `nps.nps_summary`,
the splits by tier / VIP / segment / members vs the rest, the comments
(search, streamed CSV), and the NPS keys of `kpi --json` and the KPIs page."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from admin.periods import period_from_args
from loyalty_sync.actions.nps import period_start
from loyalty_sync.analysis.nps_score import nps_summary
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, NpsAnswer
from tests.support.members import NOW, make_member
from tests.support.stores import make_store

# (score, comment, group) -- 10 answers in the period: 5 promoters, 3 passives, 2 detractors -> NPS 30.
# gold: 10, 9, 9, 3 -> P3 D1 of 4 = +50; silver: 7, 8 -> 0; no tier (no ledger lines, answered by API):
# 10, 9, 7, 6 -> P2 D1 of 4 = +25. Members (ledger lines): 10 9 9 3 7 8 -> P3 D1 of 6 = +33.3.
ANSWERS = [
    (10, "Great espresso, fast shipping", "gold"),
    (9, "", "gold"),
    (9, "Love the points", "gold"),
    (3, '=HYPERLINK("http://evil")', "gold"),
    (7, "ok", "silver"),
    (8, "", "silver"),
    (10, "Espresso is the best", "rest"),
    (9, "", "rest"),
    (7, "", "rest"),
    (6, "Shipping too slow", "rest"),
]


def _answer(store, member, score, comment, *, days_ago, source="api"):
    at = NOW - timedelta(days=days_ago)
    db.session.add(
        NpsAnswer(
            store_id=store.id,
            member_id=member.id,
            period_start=period_start(at),
            score=score,
            comment=comment,
            source=source,
            bonus_points=0,
            answered_at=at,
        )
    )


@pytest.fixture
def survey(app):
    store = make_store()
    members = []
    for i, (score, comment, group) in enumerate(ANSWERS):
        if group == "rest":  # a customer who never earned points, answering through the API
            member = Member(store_id=store.id, customer_id=5000 + i, email=f"rest{i}@example.com")
            db.session.add(member)
            db.session.flush()
        else:
            member = make_member(store, f"{group}{i}@example.com", ["40.00"])
            member.tier = "Gold" if group == "gold" else "Silver"
            member.vip = i == 0
        members.append(member)
        _answer(store, member, score, comment, days_ago=5 + i)
    # Outside the default period (last 12 months): must not count.
    _answer(store, members[1], 0, "old complaint", days_ago=500)
    db.session.commit()
    return store, members


def _value(page: str, attr: str, key: str) -> str:
    match = re.search(rf'{attr}="{re.escape(key)}"[^>]*data-value="([^"]*)"', page)
    assert match, key
    return match.group(1)


def _group(page: str, name: str) -> dict:
    match = re.search(
        rf'data-group="{re.escape(name)}" data-nps="([^"]*)" data-promoters="(\d+)"\s+'
        r'data-passives="(\d+)" data-detractors="(\d+)" data-answers="(\d+)"',
        page,
    )
    assert match, name
    nps, p, pa, d, n = match.groups()
    return {
        "nps": float(nps) if nps else None,
        "promoters": int(p),
        "passives": int(pa),
        "detractors": int(d),
        "answers": int(n),
    }


def test_nps_page_equals_nps_summary_and_splits_the_answers(admin_client, survey):
    store, members = survey
    page = admin_client.get(f"/admin/nps/?store={store.id}").get_data(as_text=True)
    period = period_from_args({})
    summary = nps_summary(store, period.start, period.end)
    assert summary == {"nps": 30.0, "promoters": 5, "passives": 3, "detractors": 2, "answers": 10}
    assert float(_value(page, "data-kpi", "nps")) == summary["nps"] == 30.0
    assert int(_value(page, "data-kpi", "nps_promoters")) == 5
    assert int(_value(page, "data-kpi", "nps_passives")) == 3
    assert int(_value(page, "data-kpi", "nps_detractors")) == 2

    assert _group(page, "nps-by-tier:Gold") == {
        "nps": 50.0,
        "promoters": 3,
        "passives": 0,
        "detractors": 1,
        "answers": 4,
    }
    assert _group(page, "nps-by-tier:Silver") == {
        "nps": 0.0,
        "promoters": 0,
        "passives": 2,
        "detractors": 0,
        "answers": 2,
    }
    assert _group(page, "nps-by-tier:no tier")["nps"] == 25.0
    assert _group(page, "nps-by-vip:VIP") == {
        "nps": 100.0,
        "promoters": 1,
        "passives": 0,
        "detractors": 0,
        "answers": 1,
    }
    assert _group(page, "nps-by-vip:not VIP")["answers"] == 9
    assert _group(page, "nps-by-membership:members") == {
        "nps": 33.3,
        "promoters": 3,
        "passives": 2,
        "detractors": 1,
        "answers": 6,
    }
    assert _group(page, "nps-by-membership:the rest") == {
        "nps": 25.0,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
        "answers": 4,
    }
    # One paid order 10+ days ago: "new"; customers without a paid order are in no segment.
    assert _group(page, "nps-by-segment:new")["answers"] == 6
    assert _group(page, "nps-by-segment:no segment")["answers"] == 4
    # The trend: the months' answers add up to the period's.
    answers_by_month = re.findall(r'data-month="([0-9-]+)" data-nps="([^"]*)"', page)
    assert len(answers_by_month) in (12, 13) and any(v for _, v in answers_by_month)
    assert "chart.umd.min.js" in page and "nps.js" in page
    # Comments: newest first, the old one outside the period is not there.
    assert 'data-testid="comment-count">6<' in page and "old complaint" not in page


def test_a_period_with_no_answers_and_hand_typed_dates(admin_client, survey):
    store, _ = survey
    day = (NOW - timedelta(days=500)).date()
    page = admin_client.get(f"/admin/nps/?store={store.id}&start={day}&end={day}").get_data(as_text=True)
    assert float(_value(page, "data-kpi", "nps")) == -100.0  # the single old 0
    empty = admin_client.get(f"/admin/nps/?store={store.id}&start=2001-01-01&end=2001-01-31").get_data(as_text=True)
    assert _value(empty, "data-kpi", "nps") == "" and "No answers in the period" in empty


def test_comment_search_and_streamed_csv(admin_client, survey):
    store, _ = survey
    page = admin_client.get(f"/admin/nps/?store={store.id}&q=ESPRESSO").get_data(as_text=True)
    assert 'data-testid="comment-count">2<' in page
    assert "Great espresso" in page and "Espresso is the best" in page and "Shipping too slow" not in page

    response = admin_client.get(f"/admin/nps/comments.csv?store={store.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 6 and {r["category"] for r in rows} == {"promoter", "passive", "detractor"}
    evil = next(r for r in rows if "HYPERLINK" in r["comment"])
    assert evil["comment"].startswith("'=")  # no formula in a spreadsheet
    assert evil["score"] == "3" and evil["tier"] == "Gold"

    searched = admin_client.get(f"/admin/nps/comments.csv?store={store.id}&q=shipping").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(searched)))) == 2


def test_viewer_reads_the_nps_page(viewer_client, survey):
    store, _ = survey
    assert viewer_client.get(f"/admin/nps/?store={store.id}").status_code == 200
    assert viewer_client.get(f"/admin/nps/comments.csv?store={store.id}").status_code == 200


def test_kpi_json_has_the_nps_keys(app, survey):
    store, _ = survey
    start, end = (NOW - timedelta(days=30)).date(), (NOW + timedelta(days=1)).date()
    result = app.test_cli_runner().invoke(
        args=["kpi", "--store", store.name, "--start", str(start), "--end", str(end), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["nps"], data["nps_promoters"], data["nps_passives"], data["nps_detractors"]) == (30.0, 5, 3, 2)
    # a period without answers: no NPS, zero counts
    result = app.test_cli_runner().invoke(
        args=["kpi", "--store", store.name, "--start", "2001-01-01", "--end", "2001-02-01", "--json"]
    )
    data = json.loads(result.output)
    assert (data["nps"], data["nps_promoters"], data["nps_passives"], data["nps_detractors"]) == (None, 0, 0, 0)


def test_kpis_page_shows_nps(admin_client, survey):
    store, _ = survey
    page = admin_client.get(f"/admin/kpis/?store={store.id}").get_data(as_text=True)
    assert float(_value(page, "data-kpi", "nps")) == 30.0
    assert 'data-kpi="nps_promoters">5<' in page and 'data-kpi="nps_detractors">2<' in page
