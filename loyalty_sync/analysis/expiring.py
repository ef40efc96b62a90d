"""The "points expiring in the next 30 days" report (PRODUCT.md "Points expiry").

For each member the engine's own expiry rules (engine.expiry: 12-month FIFO
lots, or all points after N months without an order) are run at `now + days`
on the member's current books; the expire lines that would be booked in
(now, now + days] are what expires. The daily `reevaluate` books them when
they fall due; this report shows them before, so nothing is hidden.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import TextIO

from loyalty_sync.books.member_books import load_books
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.csv_safety import SafeDictWriter
from loyalty_sync.engine.expiry import expiry_lines
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store

FIELDS = ("member_id", "customer_id", "email", "name", "points", "expiring_points", "first_expiry", "last_expiry")


@dataclass(frozen=True)
class ExpiringRow:
    member_id: int
    customer_id: int | None
    email: str
    name: str
    points: int
    expiring_points: int
    first_expiry: str
    last_expiry: str


def expiring_lines(books, program, now: datetime, days: int):
    """Pure: the expire lines the books would get in (now, now + days]."""
    horizon = now + timedelta(days=days)
    ledger = list(books.ledger)
    orders = [r.facts for r in books.orders]
    already = expiry_lines(ledger, orders, now, program)  # due now, booked by the next re-evaluation
    upcoming = expiry_lines(ledger + already, orders, horizon, program)
    return [line for line in upcoming if now < line.at <= horizon] + [line for line in already]


def expiring_points(store: Store, now: datetime | None = None, days: int = 30) -> list[ExpiringRow]:
    """Members with points expiring within `days` days of `now`, most points first."""
    now = now or datetime.now(timezone.utc)
    _, program = program_in_force(store)
    if program.expiry_mode == "none":
        return []
    members = list(
        db.session.execute(
            db.select(Member).where(Member.store_id == store.id, Member.merged_into_id.is_(None), Member.points > 0)
        ).scalars()
    )
    rows = []
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        loaded = load_books(chunk)
        for member in chunk:
            lines = expiring_lines(loaded.books[member.id], program, now, days)
            points = -sum(line.points for line in lines)
            if points <= 0:
                continue
            dates = sorted(line.at for line in lines)
            rows.append(
                ExpiringRow(
                    member.id,
                    member.customer_id,
                    member.email,
                    member.display_name,
                    member.points,
                    points,
                    dates[0].date().isoformat(),
                    dates[-1].date().isoformat(),
                )
            )
    return sorted(rows, key=lambda r: (-r.expiring_points, r.member_id))


def write_csv(rows: list[ExpiringRow], out: TextIO | None = None) -> str:
    """The report as CSV (header + one line per member); returns the text."""
    buffer = out or io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(asdict(row))
    return buffer.getvalue() if out is None else ""
