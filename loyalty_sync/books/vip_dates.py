"""The VIP start and end pushed to the store (`loyalty_vip_since`,
`loyalty_vip_until`), for every way into the club (PRODUCT.md: "status, start
and end dates are pushed to the store").

`books.store_status` knows only `member.vip_until`, which is empty while a
period is open-ended: a qualification-based VIP has no end in the books (the
engine closes the period at the re-evaluation that finds the member no longer
qualifying). Its end, as the store shows it, is derived from the same rule:
the first moment the member's 12-month spend and order count fall below the
thresholds if no new order comes, i.e. when one of their earning orders
leaves the rolling window. A new earning order or a refund moves it; both
change the member's points, so the member is pushed again anyway (and the
daily reconciliation heals any other drift).

These keys go out with the member's meta but are not part of
`pushed_status`, so the books' change detection is unchanged. `store_meta`
is what the push sends and what reconcile compares the store with.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timezone

from loyalty_sync.books.member_books import store_status
from loyalty_sync.books.meta_owner import INSTALLATION
from loyalty_sync.books.order_facts import facts_from_row
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.earning import order_earns
from loyalty_sync.engine.ledger import VipPeriod as VipPeriodFacts
from loyalty_sync.engine.ledger import VipSource
from loyalty_sync.engine.months import add_months
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.tiers import in_window
from loyalty_sync.engine.vip import covers, qualifies, vip_since, vip_until
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order, Store, VipPeriod

SINCE, UNTIL = "loyalty_vip_since", "loyalty_vip_until"


def store_meta(store: Store, members: list[Member], now: datetime | None = None) -> dict[int, dict]:
    """member id -> every `loyalty_*` meta the store should show: the books'
    `store_status` plus the VIP start, and the derived end where the books
    know none."""
    now = now or datetime.now(timezone.utc)
    dates = vip_dates(members, program_in_force(store)[1], now) if any(m.vip for m in members) else {}
    out = {}
    for member in members:
        meta = store_status(member)
        extra = dates.get(member.id, {})
        meta[SINCE] = extra.get(SINCE, "")
        if extra.get(UNTIL):
            meta[UNTIL] = extra[UNTIL]
        if store.installation_id:  # whose meta this is (store_sync/meta_owner.py)
            meta[INSTALLATION] = store.installation_id
        out[member.id] = meta
    return out


def vip_dates(members: list[Member], program: Program, now: datetime) -> dict[int, dict[str, str]]:
    """member id -> the two meta values ("" when not VIP / no end)."""
    out = {m.id: {SINCE: "", UNTIL: ""} for m in members}
    vips = [m for m in members if m.vip]
    if not vips:
        return out
    periods: dict[int, list[VipPeriodFacts]] = defaultdict(list)
    for row in _rows(VipPeriod, VipPeriod.member_id, [m.id for m in vips]):
        periods[row.member_id].append(
            VipPeriodFacts(source=row.source, start=row.start, end=row.end, reason=row.reason, order_id=row.order_wc_id)
        )
    open_qualified = [m.id for m in vips if _open_ended_only_by_qualification(periods[m.id], now)]
    orders = _orders_of(open_qualified)
    for member in vips:
        mine = tuple(sorted(periods[member.id], key=lambda p: p.start))
        since = vip_since(mine, now)
        until = vip_until(mine, now)
        if until is None and member.id in orders:
            lapses = qualified_until(orders[member.id], program, now)
            if lapses is not None:  # the open qualification ends then; paid periods may run on after it
                mine = tuple(
                    replace(p, end=lapses) if p.source == VipSource.QUALIFIED and p.end is None else p for p in mine
                )
                until = vip_until(mine, now)
        out[member.id] = {
            SINCE: since.date().isoformat() if since else "",
            UNTIL: until.date().isoformat() if until else "",
        }
    return out


def qualified_until(orders, program: Program, now: datetime) -> datetime | None:
    """When qualification lapses with no new order: the first moment an
    earning order leaves the 12-month window and the rest no longer
    qualify. None when it cannot be told (top-N% mode, where other members
    decide, or no earning order in the window)."""
    if program.vip_top_percent is not None:
        return None
    leaving = sorted(
        add_months(o.created, 12)
        for o in orders
        if order_earns(o, program) and in_window(o.created, now, "rolling_12_months")
    )
    for at in leaving:
        if at > now and not qualifies(orders, program, at):
            return at
    return None


def _open_ended_only_by_qualification(periods: list[VipPeriodFacts], now: datetime) -> bool:
    current = [p for p in periods if covers(p, now) and p.end is None]
    return bool(current) and all(p.source == VipSource.QUALIFIED for p in current)


def _orders_of(member_ids: list[int]) -> dict[int, list]:
    if not member_ids:
        return {}
    out: dict[int, list] = defaultdict(list)
    for row in _rows(Order, Order.member_id, member_ids):
        out[row.member_id].append(facts_from_row(row))
    return out


def _rows(model, column, ids: list[int], chunk: int = 500):
    """Rows whose `column` is in `ids`, a few hundred ids per query (reconcile
    asks for every VIP of a store at once)."""
    for start in range(0, len(ids), chunk):
        yield from db.session.execute(db.select(model).where(column.in_(ids[start : start + chunk]))).scalars()
