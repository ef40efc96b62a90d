"""Between the database and the engine: load a member's books as plain data,
and write the engine's plan back as ledger rows, coupons and status.

Loading is done in bulk for many members at once (a handful of queries per
batch, not per member), because a first sync applies years of orders.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Row, bindparam

from loyalty_sync.books.badges import badges_meta
from loyalty_sync.books.coupon_codes import new_coupon_code
from loyalty_sync.books.member_links import status_links  # storefront
from loyalty_sync.books.order_facts import facts_from_row
from loyalty_sync.engine.ledger import CouponLine, LedgerLine, MemberBooks, OrderRecord
from loyalty_sync.engine.ledger import VipPeriod as VipPeriodFacts
from loyalty_sync.engine.plan import Plan
from loyalty_sync.engine.program import CouponTemplate
from loyalty_sync.engine.vip import is_vip, twelve_month_spend_and_orders, vip_until
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order, VipPeriod

_CHUNK = 500


def member_key(member: Member) -> str:
    """Keys must survive a guest being adopted by its registered customer, so
    they use our own member id, never the email or the store's customer id."""
    return member_key_for(member.id)


def member_key_for(member_id: int) -> str:
    return f"m{member_id}"


class LoadedBooks:
    """The books of many members plus the rows they came from (to write back)."""

    def __init__(self):
        self.books: dict[int, MemberBooks] = {}
        self.order_rows: dict[int, dict[int, Row]] = defaultdict(dict)


def lock_members(members: list[Member], *, reread: bool = True) -> None:
    """Hold the members' rows until commit, then re-read them: two writers
    planning the same member (the worker, a webhook job, an admin adjusting
    a balance) take turns, and the second plans on the books the first
    committed, so the cached balance can never miss a ledger line.
    `reread=False` only takes the locks (for a writer that plans later, which
    locks and re-reads again then).

    PostgreSQL: SELECT ... FOR UPDATE, in id order (no deadlocks). SQLite has
    no row locks; a write takes the database's single write lock, so a
    no-op UPDATE of the rows serves the same purpose.
    """
    if not members:
        return
    db.session.flush()  # our own pending changes must survive the re-read
    ids = sorted(m.id for m in members)
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        if not postgres:
            db.session.execute(
                db.update(Member)
                .where(Member.id.in_(chunk))
                .values(points=Member.points)
                .execution_options(synchronize_session=False)
            )
        if reread:
            query = db.select(Member).where(Member.id.in_(chunk)).order_by(Member.id)
            query = query.with_for_update() if postgres else query
            db.session.execute(query.execution_options(populate_existing=True)).scalars().all()
        elif postgres:
            db.session.execute(
                db.select(Member.id).where(Member.id.in_(chunk)).order_by(Member.id).with_for_update()
            ).all()


def load_books(members: Iterable[Member]) -> LoadedBooks:
    members = list(members)
    loaded = LoadedBooks()
    db.session.flush()  # plain-row reads do not autoflush: pending ORM changes must be in them
    orders_by_member: defaultdict[int, list[Row]] = defaultdict(list)
    ledger_by_member: defaultdict[int, list[Row]] = defaultdict(list)
    coupons_by_member: defaultdict[int, list[Row]] = defaultdict(list)
    vip_by_member: defaultdict[int, list[Row]] = defaultdict(list)
    for start in range(0, len(members), _CHUNK):
        ids = [m.id for m in members[start : start + _CHUNK]]
        # Plain rows, not ORM objects: read-only here (NewRows writes orders' figures, new ledger
        # lines and coupons; coupon statuses and VIP periods are written by their own statements).
        orders = Order.__table__
        for row in db.session.execute(db.select(orders).where(orders.c.member_id.in_(ids))):
            orders_by_member[row.member_id].append(row)
            loaded.order_rows[row.member_id][row.wc_id] = row
        for table, by_member in (
            (LedgerEntry.__table__, ledger_by_member),
            (Coupon.__table__, coupons_by_member),
            (VipPeriod.__table__, vip_by_member),
        ):
            for row in db.session.execute(db.select(table).where(table.c.member_id.in_(ids))):
                by_member[row.member_id].append(row)
    for member in members:
        loaded.books[member.id] = MemberBooks(
            member_key=member_key(member),
            email=member.email,
            orders=tuple(
                _order_record(o) for o in sorted(orders_by_member[member.id], key=lambda o: (o.created, o.wc_id))
            ),
            ledger=tuple(_ledger_line(e) for e in sorted(ledger_by_member[member.id], key=lambda e: (e.at, e.id))),
            coupons=tuple(_coupon_line(c) for c in coupons_by_member[member.id]),
            tier=member.tier,
            tier_below_since=member.tier_below_since,
            tiers_rewarded=frozenset(member.tiers_rewarded or ()),
            vip_periods=tuple(_vip_period(v) for v in sorted(vip_by_member[member.id], key=lambda v: v.start)),
        )
    return loaded


class NewRows:
    """What a chunk of plans writes: new ledger rows and coupons (one
    multi-row INSERT per table) and the orders' earned points and multipliers
    (one executemany UPDATE), not ORM objects: a first sync books tens of
    thousands of each, and the unit of work's per-object bookkeeping cost
    more than the engine itself. Nothing reads them before `write`: a plan
    only changes the status of coupons that already exist, and each order
    belongs to one member."""

    def __init__(self):
        self.rows: dict = defaultdict(list)
        self.orders: dict[int, dict] = {}

    def add(self, model, rows: Iterable[dict]) -> None:
        self.rows[model.__table__].extend(rows)

    def order_values(self, row) -> dict:
        """The order's booked figures as this chunk has changed them so far."""
        if row.id not in self.orders:
            self.orders[row.id] = {"order_id": row.id, **{name: getattr(row, name) for name in _ORDER_MARKS}}
        return self.orders[row.id]

    def write(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                db.session.execute(table.insert(), rows)
        self.rows.clear()
        if self.orders:
            orders = Order.__table__
            db.session.execute(
                orders.update()
                .where(orders.c.id == bindparam("order_id"))
                .values({name: bindparam(name) for name in _ORDER_MARKS}),
                list(self.orders.values()),
            )
            _expire_orders(set(self.orders))
            self.orders.clear()


_ORDER_MARKS = ("earned", "ledger_rows", "tier_multiplier", "vip_multiplier", "program_version")


def _expire_orders(ids: set[int]) -> None:
    """ORM copies of the updated orders in this session must re-read them."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Order) and obj.id in ids:
            db.session.expire(obj, list(_ORDER_MARKS))


def write_plan(
    member: Member,
    books: MemberBooks,
    plan: Plan,
    order_rows: dict[int, Row],
    *,
    program_version: int,
    now: datetime,
    program=None,
    new_rows: NewRows | None = None,
) -> None:
    """Book the plan in the current transaction; the caller commits. With
    `new_rows`, the new ledger rows, coupons and order figures wait there for
    the caller's `new_rows.write()` (one statement per table for a whole
    chunk of members). `order_rows` are the plain rows `load_books` read."""
    pending = new_rows or NewRows()
    pending.add(
        LedgerEntry,
        (
            {
                "store_id": member.store_id,
                "member_id": member.id,
                "key": line.key,
                "kind": line.kind,
                "points": line.points,
                "at": line.at,
                "order_wc_id": line.order_id,
                "coupon_key": line.coupon_key,
                "reason": line.reason,
                "multiplier": line.multiplier,
                "rule_version": line.rule_version if line.rule_version is not None else program_version,
            }
            for line in plan.ledger
        ),
    )
    for line in plan.ledger:
        if line.order_id is not None and line.kind in ("earn", "reverse") and line.order_id in order_rows:
            values = pending.order_values(order_rows[line.order_id])
            values["earned"] = (values["earned"] or 0) + line.points
            values["ledger_rows"] = (values["ledger_rows"] or 0) + 1
    for order_id, (tier_mult, vip_mult, version) in plan.order_marks.items():
        row = order_rows.get(order_id)
        if row is not None and row.tier_multiplier is None:
            pending.order_values(row).update(
                tier_multiplier=tier_mult, vip_multiplier=vip_mult, program_version=version
            )
    pending.add(Coupon, (_coupon_values(member, coupon) for coupon in plan.coupons))
    if new_rows is None:
        pending.write()
    if plan.coupon_status:
        _set_coupon_status(member, plan.coupon_status, order_rows)
    if set(plan.vip_periods) != set(books.vip_periods):
        _replace_vip_periods(member, plan.vip_periods)
    member.tier = plan.tier
    member.tier_below_since = plan.tier_below_since
    if sorted(plan.tiers_rewarded) != sorted(member.tiers_rewarded or []):
        member.tiers_rewarded = sorted(plan.tiers_rewarded)
    refresh_member_status(member, books.balance + sum(l.points for l in plan.ledger), plan.vip_periods, now)
    if program is not None:
        _refresh_activity(member, books, program, now)


def _refresh_activity(member: Member, books: MemberBooks, program, now: datetime) -> None:
    """Cached figures for lists, filters and the top-N% VIP cutoff."""
    orders = [r.facts for r in books.orders]
    spend, _count = twelve_month_spend_and_orders(orders, program, now)
    member.spend_12m = spend
    member.orders_count = len(orders)
    member.last_order_at = max((o.created for o in orders), default=None)


def refresh_member_status(member: Member, balance: int, vip_periods, now: datetime) -> None:
    """The cached status the lists show and the push sends; flags the member for
    a meta push only when something the store shows actually changed."""
    member.points = balance
    member.vip = is_vip(tuple(vip_periods), now)
    member.vip_until = vip_until(tuple(vip_periods), now) if member.vip else None
    if store_status(member) != (member.pushed_status or {}):
        member.status_changed = True


def store_status(member: Member) -> dict:
    """The `loyalty_*` customer meta the store should show for this member."""
    status = {
        "loyalty_points": str(member.points),
        "loyalty_tier": member.tier,
        "loyalty_vip": "yes" if member.vip else "no",
        "loyalty_vip_until": member.vip_until.date().isoformat() if member.vip_until else "",
        "loyalty_badges": badges_meta(member),  # loyalty_sync/books/badges.py
    }
    # storefront: loyalty_page_url / loyalty_survey_url (loyalty_sync/books/member_links.py); none without PUBLIC_BASE_URL
    status.update(status_links(member))
    return status


def _set_coupon_status(member: Member, changes: dict[str, str], order_rows: dict[int, Row]) -> None:
    """Used / expired, as the engine read them from the member's orders and the clock."""
    rows = db.session.execute(
        db.select(Coupon).where(Coupon.member_id == member.id, Coupon.key.in_(list(changes)))
    ).scalars()
    for coupon in rows:
        coupon.status = changes[coupon.key]
        if coupon.status == "used":
            order = next(
                (
                    o
                    for o in sorted(order_rows.values(), key=lambda o: (o.created, o.wc_id))
                    if coupon.code in (o.coupon_codes or [])
                ),
                None,
            )
            coupon.used_at = order.created if order else None
            coupon.used_order_wc_id = order.wc_id if order else None


def _replace_vip_periods(member: Member, periods) -> None:
    with db.session.no_autoflush:
        db.session.execute(
            db.delete(VipPeriod).where(VipPeriod.member_id == member.id).execution_options(synchronize_session=False)
        )
    for p in periods:
        db.session.add(
            VipPeriod(
                member_id=member.id, source=p.source, start=p.start, end=p.end, reason=p.reason, order_wc_id=p.order_id
            )
        )


def _coupon_values(member: Member, line: CouponLine) -> dict:
    t = line.template
    return {
        "store_id": member.store_id,
        "member_id": member.id,
        "key": line.key,
        "code": line.code or new_coupon_code(line.source),
        "source": line.source,
        "discount_type": t.discount_type,
        "amount": Decimal(t.amount),
        "minimum_amount": Decimal(t.minimum_amount or 0),
        "free_shipping": bool(t.free_shipping),
        "email": member.email,
        "points_cost": line.points_cost,
        "reason": line.reason,
        "issued_at": line.issued,
        "expires_at": line.expires,
        "status": line.status or "pending",
    }


def _order_record(row: Row) -> OrderRecord:
    return OrderRecord(
        facts=facts_from_row(row),
        earned=row.earned or 0,
        rows=row.ledger_rows or 0,
        tier_multiplier=row.tier_multiplier,
        vip_multiplier=row.vip_multiplier,
        program_version=row.program_version,
    )


def _ledger_line(row: Row) -> LedgerLine:
    return LedgerLine(
        key=row.key,
        kind=row.kind,
        points=row.points,
        at=row.at,
        order_id=row.order_wc_id,
        reason=row.reason,
        rule_version=row.rule_version,
        multiplier=row.multiplier,
        coupon_key=row.coupon_key,
    )


def _coupon_line(row: Row) -> CouponLine:
    template = CouponTemplate(
        discount_type=row.discount_type,
        amount=row.amount,
        minimum_amount=row.minimum_amount,
        free_shipping=row.free_shipping,
    )
    return CouponLine(
        key=row.key,
        source=row.source,
        template=template,
        points_cost=row.points_cost,
        issued=row.issued_at,
        expires=row.expires_at,
        status=row.status,
        reason=row.reason,
        code=row.code,
    )


def _vip_period(row: Row) -> VipPeriodFacts:
    return VipPeriodFacts(source=row.source, start=row.start, end=row.end, reason=row.reason, order_id=row.order_wc_id)
