"""CSV exports of members and the ledger, streamed: rows are read in
keyset-paged chunks and written as they come, so 100k members never sit in
memory (and the response starts at once)."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from flask import Response, request, stream_with_context
from flask_admin import expose

from admin.security import SecureBaseView
from admin.views.members import member_query
from admin.store_picker import all_stores
from loyalty_sync.csv_safety import SafeWriter
from loyalty_sync.engine.money import money_text
from loyalty_sync.extensions import db
from loyalty_sync.int_bounds import parse_db_int
from loyalty_sync.models import LedgerEntry, Member, Store

CHUNK = 1000

MEMBER_COLUMNS = (
    "id",
    "store",
    "customer_id",
    "email",
    "first_name",
    "last_name",
    "points",
    "tier",
    "vip",
    "vip_until",
    "spend_12m",
    "orders_count",
    "last_order_at",
    "created_at",
    "anonymised_at",
)
LEDGER_COLUMNS = (
    "id",
    "store",
    "member_id",
    "member_email",
    "at",
    "kind",
    "points",
    "order_id",
    "reason",
    "rule_version",
    "multiplier",
    "actor",
    "key",
)


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _csv_stream(header, rows):
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _member_rows(args):
    names = dict(db.session.execute(db.select(Store.id, Store.name)).all())
    base = member_query(args).order_by(Member.id)
    last_id = 0
    while True:
        chunk = db.session.execute(base.where(Member.id > last_id).limit(CHUNK)).scalars().all()
        if not chunk:
            return
        for m in chunk:
            yield (
                m.id,
                names.get(m.store_id, ""),
                m.customer_id or "",
                m.email,
                m.first_name,
                m.last_name,
                m.points,
                m.tier,
                "yes" if m.vip else "no",
                _iso(m.vip_until),
                money_text(m.spend_12m),
                m.orders_count,
                _iso(m.last_order_at),
                _iso(m.created_at),
                _iso(m.anonymised_at),
            )
        last_id = chunk[-1].id
        db.session.expunge_all()


def _ledger_rows(store_id: int | None):
    names = dict(db.session.execute(db.select(Store.id, Store.name)).all())
    base = (
        db.select(LedgerEntry, Member.email).join(Member, Member.id == LedgerEntry.member_id).order_by(LedgerEntry.id)
    )
    if store_id:
        base = base.where(LedgerEntry.store_id == store_id)
    last_id = 0
    while True:
        chunk = db.session.execute(base.where(LedgerEntry.id > last_id).limit(CHUNK)).all()
        if not chunk:
            return
        for e, email in chunk:
            yield (
                e.id,
                names.get(e.store_id, ""),
                e.member_id,
                email,
                _iso(e.at),
                e.kind,
                e.points,
                e.order_wc_id or "",
                e.reason,
                e.rule_version or "",
                e.multiplier if e.multiplier is not None else "",
                e.actor,
                e.key,
            )
        last_id = chunk[-1][0].id
        db.session.expunge_all()


def _download(name: str, stream) -> Response:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(stream),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"', "Cache-Control": "no-store"},
    )


class ExportView(SecureBaseView):
    @expose("/")
    def index(self):
        return self.render("loyalty/export.html", stores=all_stores())

    @expose("/members.csv")
    def members_csv(self):
        return _download("members", _csv_stream(MEMBER_COLUMNS, _member_rows(request.args)))

    @expose("/ledger.csv")
    def ledger_csv(self):
        raw = request.args.get("store", "")
        return _download("ledger", _csv_stream(LEDGER_COLUMNS, _ledger_rows(parse_db_int(raw, minimum=1))))
