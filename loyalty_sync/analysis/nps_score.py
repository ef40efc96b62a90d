"""The NPS figure (PRODUCT.md): promoters answer 9-10, passives 7-8,
detractors 0-6; NPS = % promoters - % detractors (-100..100). `nps_score` is
the pure computation; `nps_summary` reads a store's answers in [start, end)
for the admin pages and `kpi --json`. Answers are taken by actions/nps.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from loyalty_sync.extensions import db
from loyalty_sync.models import NpsAnswer, Store


def classify(score: int) -> str:
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def nps_score(scores: Iterable[int]) -> dict:
    """Pure: {nps, promoters, passives, detractors, answers}; nps is None without answers."""
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for score in scores:
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
            raise ValueError(f"an NPS answer is a whole number from 0 to 10, not {score!r}")
        counts[classify(score)] += 1
    answers = sum(counts.values())
    nps = None
    if answers:
        value = Decimal(100) * (counts["promoter"] - counts["detractor"]) / answers
        nps = float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return {
        "nps": nps,
        "promoters": counts["promoter"],
        "passives": counts["passive"],
        "detractors": counts["detractor"],
        "answers": answers,
    }


def nps_summary(store: Store, start: datetime, end: datetime) -> dict:
    """The store's NPS over the answers given in [start, end)."""
    scores = db.session.execute(
        db.select(NpsAnswer.score).where(
            NpsAnswer.store_id == store.id, NpsAnswer.answered_at >= start, NpsAnswer.answered_at < end
        )
    ).scalars()
    return nps_score(list(scores))
