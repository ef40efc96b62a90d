"""NPS of one store for a period (PRODUCT.md "NPS"): the score (% promoters -
% detractors) with its counts, the trend by month, the split by tier, VIP,
RFM segment and members vs the rest, and the comments (searchable, with a
streamed CSV of the same rows).

Every figure is `loyalty_sync.analysis.nps_score.nps_score` over a subset of the answers
given in [start, end), so the headline equals `nps.nps_summary`.

Groups, and the choices made where the product leaves one:
- tier and VIP: the answering member's tier / VIP flag *now* (answers of a
  merged member count under the member it was merged into);
- RFM segment: `loyalty_sync.analysis.segments.rfm` over the store's orders as of the
  end of the period (or now, if the period ends in the future); a customer
  without a paid order is in "no segment";
- members vs the rest: a member has at least one points-ledger line before
  the end of the period (same definition as the KPIs), the survey's own bonus
  line (`nps:` key) not counted, so that answering does not make anyone a
  member; everyone else - e.g. customers without ledger lines who answered
  through the API - is "the rest".
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app, request, url_for
from flask_admin import expose

from admin.periods import PRESETS, month_starts, period_from_args
from admin.security import SecureBaseView
from admin.views.exports import _csv_stream, _download, _iso
from admin.store_picker import all_stores, selected_store
from loyalty_sync.analysis import kpi
from loyalty_sync.analysis.nps_score import classify, nps_score
from loyalty_sync.analysis.segments import SEGMENTS, RfmThresholds, rfm
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, NpsAnswer

COMMENTS_SHOWN = 50  # per page; the CSV has them all
CSV_COLUMNS = ("answered_at", "score", "category", "source", "member_id", "member_email", "tier", "vip", "comment")
NO_SEGMENT = "no segment"
NO_TIER = "no tier"


@dataclass(frozen=True)
class AnswerRow:
    score: int
    answered_at: datetime
    customer: str  # "m<canonical member id>", as in loyalty_sync.analysis.kpi
    tier: str
    vip: bool


def _canonical(store) -> dict[int, int]:
    """merged member id -> the member it was merged into (followed to the end)."""
    merged = dict(
        db.session.execute(
            db.select(Member.id, Member.merged_into_id).where(
                Member.store_id == store.id, Member.merged_into_id.is_not(None)
            )
        ).all()
    )

    def follow(member_id):
        seen = set()
        while member_id in merged and member_id not in seen:
            seen.add(member_id)
            member_id = merged[member_id]
        return member_id

    return {mid: follow(mid) for mid in merged}


def load_answers(store, start: datetime, end: datetime) -> list[AnswerRow]:
    canonical = _canonical(store)
    ids = {}
    raw = db.session.execute(
        db.select(NpsAnswer.score, NpsAnswer.answered_at, NpsAnswer.member_id).where(
            NpsAnswer.store_id == store.id, NpsAnswer.answered_at >= start, NpsAnswer.answered_at < end
        )
    ).all()
    for _, _, mid in raw:
        ids[mid] = canonical.get(mid, mid)
    people = {}
    if ids:
        people = {
            mid: (tier or "", bool(vip))
            for mid, tier, vip in db.session.execute(
                db.select(Member.id, Member.tier, Member.vip).where(Member.id.in_(set(ids.values())))
            )
        }
    rows = []
    for score, at, mid in raw:
        who = ids[mid]
        tier, vip = people.get(who, ("", False))
        rows.append(AnswerRow(score, at, f"m{who}", tier, vip))
    return rows


def _group(rows: list[AnswerRow], key) -> dict[str, dict]:
    groups: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r.score)
    return {name: nps_score(scores) for name, scores in groups.items()}


def breakdown(store, start: datetime, end: datetime, now: datetime | None = None) -> dict:
    """Everything the NPS page shows except the comments."""
    now = now or datetime.now(timezone.utc)
    rows = load_answers(store, start, end)
    orders, ledger, _, _ = kpi.load_rows(store)
    members = {line.customer for line in ledger if line.at < end and not line.key.startswith("nps:")}
    thresholds = RfmThresholds.from_dict(current_app.config.get("RFM_THRESHOLDS"))
    segment_of = {c: v.segment for c, v in rfm(orders, min(end, now), thresholds).items()}

    by_tier = _group(rows, lambda r: r.tier or NO_TIER)
    by_vip = _group(rows, lambda r: "VIP" if r.vip else "not VIP")
    by_segment = _group(rows, lambda r: segment_of.get(r.customer, NO_SEGMENT))
    by_membership = _group(rows, lambda r: "members" if r.customer in members else "the rest")

    months = month_starts(start, end)
    labels = [m.strftime("%Y-%m") for m in months]
    monthly = _group(rows, lambda r: r.answered_at.astimezone(timezone.utc).strftime("%Y-%m"))
    trend = [{"month": label, **monthly.get(label, nps_score([]))} for label in labels]

    return {
        "summary": nps_score([r.score for r in rows]),
        "trend": trend,
        "by_tier": dict(sorted(by_tier.items())),
        "by_vip": {k: by_vip[k] for k in ("VIP", "not VIP") if k in by_vip},
        "by_segment": {k: by_segment[k] for k in (*SEGMENTS, NO_SEGMENT) if k in by_segment},
        "by_membership": {k: by_membership[k] for k in ("members", "the rest") if k in by_membership},
    }


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def comments_query(store, start: datetime, end: datetime, q: str):
    """Answers with a comment in the period (text search: case-insensitive substring), newest first."""
    query = (
        db.select(NpsAnswer, Member)
        .join(Member, Member.id == NpsAnswer.member_id)
        .where(
            NpsAnswer.store_id == store.id,
            NpsAnswer.answered_at >= start,
            NpsAnswer.answered_at < end,
            NpsAnswer.comment != "",
        )
    )
    q = (q or "").strip().lower()
    if q:
        query = query.where(db.func.lower(NpsAnswer.comment).like("%" + _escape_like(q) + "%", escape="\\"))
    return query


class NpsView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        period = period_from_args(request.args)
        q = (request.args.get("q") or "").strip()
        data = comments = None
        total = page = pages = 0
        if store is not None:
            data = breakdown(store, period.start, period.end)
            query = comments_query(store, period.start, period.end, q)
            total = db.session.execute(db.select(db.func.count()).select_from(query.subquery())).scalar_one()
            pages = max(1, math.ceil(total / COMMENTS_SHOWN))
            raw_page = request.args.get("page", "")
            page = min(max(1, int(raw_page) if raw_page.isdigit() else 1), pages)
            comments = db.session.execute(
                query.order_by(NpsAnswer.answered_at.desc(), NpsAnswer.id.desc())
                .limit(COMMENTS_SHOWN)
                .offset((page - 1) * COMMENTS_SHOWN)
            ).all()
        keep = {**period.query(), **({"q": q} if q else {})}

        def page_url(p):
            return url_for(".index", store=store.id if store else None, page=p, **keep)

        chart = None
        if data:
            chart = {"trend": data["trend"]}
        return self.render(
            "loyalty/nps.html",
            stores=stores,
            store=store,
            period=period,
            presets=PRESETS,
            data=data,
            comments=comments,
            total=total,
            page=page,
            pages=pages,
            q=q,
            keep=keep,
            page_url=page_url,
            chart=chart,
            classify=classify,
        )

    @expose("/comments.csv")
    def csv(self):
        store = selected_store()
        period = period_from_args(request.args)
        q = (request.args.get("q") or "").strip()

        def rows():
            if store is None:
                return
            query = comments_query(store, period.start, period.end, q).order_by(NpsAnswer.answered_at, NpsAnswer.id)
            for answer, member in db.session.execute(query.execution_options(yield_per=1000)):
                yield (
                    _iso(answer.answered_at),
                    answer.score,
                    classify(answer.score),
                    answer.source,
                    member.id,
                    member.email,
                    member.tier or "",
                    "yes" if member.vip else "no",
                    answer.comment,
                )

        name = f"nps-comments-{store.name if store else 'none'}-{period.first_day}-{period.last_day}"
        return _download(name, _csv_stream(CSV_COLUMNS, rows()))
