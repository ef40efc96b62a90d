"""The apply service: store facts in WooCommerce wc/v3 JSON shape go in; the
books (orders, members, ledger, coupons to issue) come out, in one
transaction per batch.

Applying the same data twice changes nothing: unchanged orders are skipped by
their facts digest, and every decision the engine makes carries an
idempotency key that is unique in the store. A copy older than the one the
books hold (`is_older_copy`: an old export after a sync, a replayed webhook)
changes nothing either, and is counted as stale. If two writers race on one
member, one of them fails on that key, rolls back, and applies again on the
fresh books (`apply_with_retry`).
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from dateutil import parser as date_parser
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError, OperationalError

from loyalty_sync.books import reviews as review_rules
from loyalty_sync.books.history import history_version, in_review, mark_history_orders, store_earns_from
from loyalty_sync.books.member_books import NewRows, load_books, lock_members, write_plan
from loyalty_sync.books.member_plans import MemberPlanner
from loyalty_sync.books.membership import MemberDirectory
from loyalty_sync.books.outbox import Outbox
from loyalty_sync.books.order_facts import kept_lines, order_values, stored_refunds_as_wc
from loyalty_sync.books.program_versions import ensure_program, members_behind, program_in_force
from loyalty_sync.engine.facts import (
    BadRecord,
    OrderFacts,
    customer_from_wc,
    order_from_wc,
    order_key,
    parse_wc_datetime,
)
from loyalty_sync.extensions import db
from loyalty_sync.models import Category, Member, Order, Product, RejectedRecord, Store

log = logging.getLogger(__name__)


# A record dated later than this after the clock is broken (9999-12-31), not early.
FUTURE_TOLERANCE = timedelta(days=1)


@dataclass
class ApplyResult:
    applied: int = 0
    unchanged: int = 0
    # Copies older than what the books hold: nothing changed (is_older_copy).
    stale: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    members: set[int] = field(default_factory=set)

    def merge(self, other: "ApplyResult") -> None:
        self.applied += other.applied
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.rejected.extend(other.rejected)
        self.members |= other.members


def apply_with_retry(action: Callable[[], ApplyResult], attempts: int = 4) -> ApplyResult:
    """Run an apply in its own transaction; on a key collision (a concurrent
    writer booked the same decision first), a deadlock or a busy database,
    roll back and re-plan on fresh books."""
    for attempt in range(1, attempts + 1):
        try:
            result = action()
            db.session.commit()
            return result
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if attempt == attempts or not worth_retrying(exc):
                raise
            log.warning("apply collided with a concurrent writer; re-planning (attempt %d)", attempt + 1)
    raise AssertionError("unreachable")


def worth_retrying(exc: Exception) -> bool:
    """A collision with a concurrent writer (a unique key, a deadlock, a
    serialization failure, SQLite's busy database): the work may be redone."""
    if isinstance(exc, IntegrityError):
        return True
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code in ("40P01", "40001") or "database is locked" in str(exc)


# --- staleness: one rule for every copy, from a pass, a webhook or an import --


def is_older_copy(stored: datetime | None, copy: datetime | None) -> bool:
    """A copy whose `date_modified` is older than the one the books hold
    changes nothing (PRODUCT.md, "Reversals"). Strictly older only: a copy of
    the same date with other content is a real change (refunds on some
    stores do not move `date_modified`, FACTS.md); a copy without a date
    cannot be judged and is applied."""
    if stored is None or copy is None:
        return False
    return _utc(copy) < _utc(stored)


def copy_modified(record) -> datetime | None:
    """The copy's own `date_modified_gmt`; None when it has none or it cannot
    be read (the parser then rejects the record by name)."""
    if not isinstance(record, dict):
        return None
    try:
        return parse_wc_datetime(record.get("date_modified_gmt"), "record", "date_modified_gmt", required=False)
    except BadRecord:
        return None


def is_stale_order(store: Store, record: dict) -> bool:
    """Whether applying this order copy would be skipped as stale (callers
    that hold copies before applying them, e.g. webhook events)."""
    order_id = record.get("id") if isinstance(record, dict) else None
    if not _usable_id(order_id):
        return False
    stored = db.session.execute(
        db.select(Order.modified).where(Order.store_id == store.id, Order.wc_id == order_id)
    ).scalar_one_or_none()
    return is_older_copy(stored, copy_modified(record))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _latest_date_allowed(now: datetime | None) -> datetime:
    """Records dated after this are refused: the clock (or the run's `now`,
    when a replay runs ahead of it) plus a day for clocks that disagree."""
    clock = datetime.now(timezone.utc)
    return max(clock, _utc(now or clock)) + FUTURE_TOLERANCE


# --- catalogue ---------------------------------------------------------------


def apply_categories(store: Store, categories: Iterable[dict], run_id: int | None = None) -> ApplyResult:
    result = ApplyResult()
    existing = {c.wc_id: c for c in db.session.execute(db.select(Category).filter_by(store_id=store.id)).scalars()}
    for record in categories:
        try:
            wc_id = _store_id_number(record["id"])
            name = _clean_text(record.get("name", ""), 200)
            parent = _store_id_number(record.get("parent") or 0)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            _reject(store, run_id, "category", record, f"malformed category: {exc}", result)
            continue
        row = existing.get(wc_id) or Category(store_id=store.id, wc_id=wc_id)
        row.name, row.parent_wc_id = name, parent
        db.session.add(row)
        existing[wc_id] = row
        result.applied += 1
    return result


def apply_products(store: Store, products: Iterable[dict], run_id: int | None = None) -> ApplyResult:
    result = ApplyResult()
    existing = {p.wc_id: p for p in db.session.execute(db.select(Product).filter_by(store_id=store.id)).scalars()}
    for record in products:
        try:
            wc_id = _store_id_number(record["id"])
            parent_id = _store_id_number(record.get("parent_id") or 0)
            categories = sorted({_store_id_number(c["id"]) for c in record.get("categories") or []})
            price = record.get("price")
            price = Decimal(str(price)) if price not in (None, "") else None
            if price is not None and not (price.is_finite() and 0 <= price < Decimal("1e8")):
                raise ValueError(f"price {record.get('price')!r} is not believable")
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            _reject(store, run_id, "product", record, f"malformed product: {exc!r}", result)
            continue
        row = existing.get(wc_id) or Product(store_id=store.id, wc_id=wc_id)
        row.name = _clean_text(record.get("name", ""), 300)
        row.sku = _clean_text(record.get("sku") or "", 120)
        row.parent_wc_id = parent_id
        row.price = price
        row.category_ids = categories
        db.session.add(row)
        existing[wc_id] = row
        result.applied += 1
    return result


def _usable_id(value) -> bool:
    return type(value) is int and 0 < value <= 2**31 - 1


def _store_id_number(value) -> int:
    """A WooCommerce id as our 32-bit columns can hold it, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{value!r} is not an id")
    number = int(value)
    if not 0 <= number <= 2**31 - 1:
        raise ValueError(f"id {number} is out of range")
    return number


def _clean_text(value, limit: int) -> str:
    """Text for a column: NUL bytes out (PostgreSQL refuses them), cut to size."""
    return str(value).replace("\x00", "")[:limit]


def categories_by_product(store: Store) -> dict[int, frozenset[int]]:
    rows = db.session.execute(
        db.select(Product.wc_id, Product.parent_wc_id, Product.category_ids).where(Product.store_id == store.id)
    ).all()
    by_id = {wc_id: frozenset(cats or ()) for wc_id, _parent, cats in rows}
    for wc_id, parent, _cats in rows:  # variations inherit their parent's categories
        if parent and not by_id.get(wc_id):
            by_id[wc_id] = by_id.get(parent, frozenset())
    return by_id


# --- customers -------------------------------------------------------------


def apply_customers(
    store: Store,
    customers: Iterable[dict],
    *,
    now: datetime | None = None,
    run_id: int | None = None,
    plan: bool = True,
) -> ApplyResult:
    now = now or datetime.now(timezone.utc)
    latest = _latest_date_allowed(now)
    result = ApplyResult()
    parsed = []
    for record in customers:
        try:
            parsed.append((customer_from_wc(record, not_after=latest), copy_modified(record)))
        except BadRecord as exc:
            _reject(store, run_id, "customer", record, str(exc), result)
    directory = MemberDirectory(store.id)
    directory.preload([c.customer_id for c, _ in parsed], [c.email for c, _ in parsed])
    program = program_in_force(store).program
    touched = []
    for facts, modified in parsed:
        member = directory.for_customer(facts.customer_id, facts.email)
        if is_older_copy(member.customer_modified, modified):
            result.stale += 1  # a replayed customer.updated must not revert the name or email
            continue
        member.customer_modified = modified or member.customer_modified
        member.email = facts.email or member.email
        member.first_name, member.last_name = facts.first_name[:120], facts.last_name[:120]
        member.billing_address = facts.billing_address
        member.meta = dict(facts.meta)
        member.birthday = _birthday(facts.meta.get(program.birthday_meta_key), store, run_id, facts.customer_id, result)
        touched.append(member)
        result.applied += 1
    _plan_or_flag(store, touched, now, result, plan)
    return result


def _birthday(raw, store: Store, run_id, customer_id: int, result: ApplyResult) -> date | None:
    """Shops store birthdays in many formats; a bad one is reported, not fatal."""
    if raw in (None, ""):
        return None
    try:
        return (
            date_parser.parse(str(raw), dayfirst=True).date()
            if "/" in str(raw) or "." in str(raw)
            else date_parser.parse(str(raw)).date()
        )
    except (ValueError, OverflowError):
        _reject(store, run_id, "customer", {"id": customer_id}, f"unreadable birthday {str(raw)[:40]!r}", result)
        return None


# --- orders ----------------------------------------------------------------


def apply_orders(
    store: Store,
    orders: Iterable[dict],
    *,
    refunds_by_order: dict[int, list[dict]] | None = None,
    now: datetime | None = None,
    run_id: int | None = None,
    plan: bool = True,
) -> ApplyResult:
    """Store the orders and re-plan every member they touch (or, with
    `plan=False`, flag them for `plan_pending_members`). The caller commits."""
    now = now or datetime.now(timezone.utc)
    refunds_by_order = refunds_by_order or {}
    result = ApplyResult()
    parsed, existing = parse_orders(store, orders, refunds_by_order, run_id, result, now=now)

    directory = MemberDirectory(store.id)
    directory.preload([f.customer_id for f in parsed], [f.email for f in parsed])
    changed = []
    touched: dict[Member, None] = {}  # an ordered set; new members have no id before the flush
    for facts in parsed:
        row = existing.get(facts.order_id)
        values = order_values(facts)
        if row is not None and row.digest == values["digest"]:
            result.unchanged += 1
            continue
        member = directory.for_order(facts.customer_id, facts.email)
        if row is not None and row.member_id is not None and row.member_id != member.id:
            previous = db.session.get(Member, row.member_id)  # the order moved to another member
            if previous is not None:
                touched[previous] = None
        touched[member] = None
        changed.append((values, row, member))
    # Lock the members before their orders are written: an order row's
    # foreign key takes a share lock on its member, and two writers holding
    # share locks would deadlock on the later FOR UPDATE. (Planning re-reads
    # them under its own lock.)
    lock_members(list(touched), reread=False)
    _write_orders(store, changed)
    result.applied += len(changed)
    _plan_or_flag(store, list(touched), now, result, plan)
    return result


def _write_orders(store: Store, changed: list[tuple[dict, Order | None, Member]]) -> None:
    """Changed orders through their ORM rows; new ones as one multi-row
    INSERT (a first sync stores every order of the shop's history). An order
    listed twice in one batch is stored once, as last listed."""
    new: dict[int, dict] = {}
    for values, row, member in changed:
        if row is None:
            new[values["wc_id"]] = {
                **values,
                "store_id": store.id,
                "member_id": member.id,
                "earned": 0,
                "ledger_rows": 0,
            }
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.member_id = member.id
    db.session.flush()
    if new:
        db.session.execute(Order.__table__.insert(), list(new.values()))


def parse_orders(
    store: Store,
    orders: Iterable,
    refunds_by_order: dict[int, list[dict]],
    run_id: int | None,
    result: ApplyResult,
    *,
    now: datetime | None = None,
) -> tuple[list, dict[int, Order]]:
    """Read wc/v3 orders into facts in (created, id) order, rejecting the
    broken ones by name and counting the stale ones (older than the stored
    copy, or than another copy of the same order in the batch); also returns
    the stored rows of those orders (by id)."""
    catalogue = categories_by_product(store)
    latest = _latest_date_allowed(now)
    orders = list(orders)
    existing = _existing_orders(store, [r["id"] for r in orders if isinstance(r, dict) and _usable_id(r.get("id"))])
    parsed: list[OrderFacts] = []
    for record in orders:
        try:
            raw_id = record.get("id") if isinstance(record, dict) else None
            order_id: int = (
                raw_id if isinstance(raw_id, int) and _usable_id(raw_id) else 0
            )  # a broken id: the parser reports it
            row = existing.get(order_id)
            if row is not None and is_older_copy(row.modified, copy_modified(record)):
                result.stale += 1
                continue
            refunds = refunds_by_order.get(order_id) or _known_refunds(row, record)
            facts = kept_lines(order_from_wc(record, refunds, catalogue, not_after=latest), row)
        except BadRecord as exc:
            _reject(store, run_id, "order", record, str(exc), result)
            continue
        parsed.append(facts)
    newest: dict[int, datetime] = {}
    for facts in parsed:  # an order listed twice in a batch: an older copy is stale there too
        newest[facts.order_id] = max(facts.modified, newest.get(facts.order_id, facts.modified))
    fresh = [f for f in parsed if f.modified >= newest[f.order_id]]
    result.stale += len(parsed) - len(fresh)
    return sorted(fresh, key=order_key), existing


def _known_refunds(row: Order | None, record: dict) -> list[dict] | None:
    if row is None or not isinstance(record.get("refunds"), list):
        return None
    ids = [r.get("id") for r in record["refunds"] if isinstance(r, dict)]
    if not all(isinstance(i, int) for i in ids):
        return None
    return stored_refunds_as_wc(row, [i for i in ids if isinstance(i, int)])


def _existing_orders(store: Store, wc_ids: list[int]) -> dict[int, Order]:
    found = {}
    for start in range(0, len(wc_ids), 500):
        chunk = wc_ids[start : start + 500]
        query = db.select(Order).where(Order.store_id == store.id, Order.wc_id.in_(chunk))
        found.update({o.wc_id: o for o in db.session.execute(query).scalars()})
    return found


# --- reviews ------------------------------------------------


def apply_reviews(
    store: Store, reviews: Iterable[dict], *, now: datetime | None = None, run_id: int | None = None
) -> ApplyResult:
    """Store the product reviews (wc/v3 JSON, any status) and re-plan the
    reviewers' members: bonuses for approved reviews by verified buyers, taken
    back when unapproved (loyalty_sync/books/reviews.py). The caller commits."""
    now = now or datetime.now(timezone.utc)
    result = ApplyResult()
    records = list(reviews)
    emails = review_rules.store_reviews(
        store, records, lambda record, reason: _reject(store, run_id, "review", record, reason, result)
    )
    result.applied = len(records) - len(result.rejected)
    _plan_members(store, review_rules.members_for_emails(store, emails), now, result)
    return result


# --- re-evaluation ---------------------------------------------------------


def reevaluate(store: Store, members: list[Member] | None = None, *, now: datetime | None = None) -> ApplyResult:
    """Time-driven rules (expiry, demotion after grace, VIP ends, expired
    coupons giving points back) for the given members, or all of the store's
    but those flagged `needs_plan`: a pass that died between two batches of
    orders left them on part of their history, and the next pass plans them
    (time-driven rules included) once it holds the rest. Planned on the
    part, they would keep what the rest changes: points redeemed in smaller
    rewards than the whole balance covers, and a tier found below its
    threshold only at this `now`, whose grace then never runs out in the
    orders stored after it."""
    now = now or datetime.now(timezone.utc)
    result = ApplyResult()
    if members is None:
        members = list(
            db.session.execute(
                db.select(Member).where(
                    Member.store_id == store.id, Member.merged_into_id.is_(None), Member.needs_plan.is_(False)
                )
            ).scalars()
        )
    _plan_members(store, members, now, result)
    return result


def _plan_or_flag(store: Store, members: list[Member], now: datetime, result: ApplyResult, plan: bool) -> None:
    """Plan now, or flag for a later `plan_pending_members` in the same
    transaction as the facts: a member's history spread over many batches of
    a first sync is then planned once, and a crash in between loses nothing
    (the flag is still set). A member already flagged stays flagged even
    when planning now (a webhook job after a pass that died): only part of
    its history is stored, and the next pass plans it whole (`reevaluate`
    says what planning on the part would keep)."""
    if plan:
        _plan_members(store, [m for m in members if not m.needs_plan], now, result)
        return
    db.session.flush()  # new members get their ids
    for member in members:
        member.needs_plan = True
        result.members.add(member.id)


def plan_pending_members(store: Store, *, now: datetime | None = None, chunk: int = 100, commit=None) -> ApplyResult:
    """Plan every flagged member of the store, a chunk per transaction
    (`commit` wraps each chunk, e.g. `apply_with_retry`). Chunks are small:
    a store's oldest customers can have hundreds of orders each, and a
    chunk's books are all in memory at once. A store in review plans
    nobody: its members stay flagged until the owner chooses a history mode."""
    flagged = db.select(Member).where(Member.store_id == store.id, Member.needs_plan.is_(True))
    return _plan_in_chunks(store, lambda: flagged, now=now, chunk=chunk, commit=commit)


def replan_behind_rules(
    store: Store,
    *,
    now: datetime | None = None,
    chunk: int = 100,
    commit=None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> ApplyResult:
    """Re-plan every member not yet planned under the rules in force (a
    version saved since: program_versions.members_behind), in chunks as
    `plan_pending_members`. Each member is planned as any pass plans it, so
    a tier change under the new version is booked as the engine books it and
    the idempotency keys keep a re-run from booking anything twice; each
    chunk's members are marked with the version in the chunk's transaction,
    so a pass killed half-way goes on where it stopped. `on_chunk(done,
    total)` reports progress."""
    total = db.session.execute(
        db.select(func.count()).select_from(members_behind(store, program_in_force(store).number).subquery())
    ).scalar_one()
    if not total:
        return ApplyResult()
    return _plan_in_chunks(
        store,
        lambda: members_behind(store, program_in_force(store).number),
        now=now,
        chunk=chunk,
        commit=commit,
        on_chunk=(lambda done: on_chunk(min(done, total), total)) if on_chunk else None,
    )


def _plan_in_chunks(
    store: Store, query, *, now: datetime | None, chunk: int, commit, on_chunk: Callable[[int], None] | None = None
) -> ApplyResult:
    """Plan the members `query()` selects, `chunk` at a time, until it
    selects none: planning takes each member out of the query."""
    now = now or datetime.now(timezone.utc)
    total = ApplyResult()
    if in_review(store):
        return total
    run = commit or apply_with_retry
    while True:

        def one_chunk() -> ApplyResult:
            result = ApplyResult()
            members = list(db.session.execute(query().order_by(Member.id).limit(chunk)).scalars())
            _plan_members(store, members, now, result)
            return result

        result = run(one_chunk)
        if not result.members:
            return total
        total.merge(result)
        if on_chunk is not None:
            on_chunk(len(total.members))


def _plan_members(store: Store, members: list[Member], now: datetime, result: ApplyResult) -> None:
    if not members:
        return
    if in_review(store):  # nothing is booked before the owner chose how the history counts
        db.session.flush()
        for member in members:
            member.needs_plan = True
        return
    if store_earns_from(store) is not None:
        history_version(store)  # before the planner reads the versions orders may have earned under
    ensure_program(store)  # the ledger lines point at a saved version
    planner = MemberPlanner(store, now, cut=store.connected_at)
    members = planner.expand(members)  # + referrers of the friends' orders
    outbox = Outbox(store, now)  # member emails, in this transaction (loyalty_sync/books/outbox.py)
    for start in range(0, len(members), 500):
        chunk = members[start : start + 500]
        lock_members(chunk)
        mark_history_orders(store, [m.id for m in chunk])
        loaded = load_books(chunk)
        planner.prepare(chunk, loaded)
        new_rows = NewRows()
        for member in chunk:
            books = loaded.books[member.id]
            plan = planner.plan(member, books)
            write_plan(
                member,
                books,
                plan,
                loaded.order_rows[member.id],
                program_version=planner.version,
                now=now,
                program=planner.program,
                new_rows=new_rows,
            )
            planner.extras.after_write(member, books, plan)  # badges
            outbox.after_plan(member, books, plan, planner.program)
            member.needs_plan = False
            member.planned_version = planner.version
            result.members.add(member.id)
        new_rows.write()
        db.session.flush()


def _reject(store: Store, run_id, resource: str, record, reason: str, result: ApplyResult) -> None:
    raw_id = record.get("id", "?") if isinstance(record, dict) else "?"
    ref = _clean_text(f"{resource} {str(raw_id)[:60]}", 200)
    reason = _clean_text(reason, 2000)
    log.warning("rejected %s: %s", ref, reason[:300])
    db.session.add(
        RejectedRecord(store_id=store.id, sync_run_id=run_id, resource=resource, ref=ref[:200], reason=reason[:2000])
    )
    result.rejected.append((ref, reason))
