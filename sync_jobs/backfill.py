"""Backfill: a shop connecting for the first time brings its past orders in.

Two modes:

- `award` (`--award-points`): past orders earn points exactly as if they had
  been synced when they happened (the normal apply path; points older than
  the expiry period expire at once, as the rules say).
- `history` (`--history-only`): past orders are stored and count for tiers,
  VIP and the KPIs, but earn nothing. How it stays that way: the program
  gets two new versions once per store -- N+1 "history-only" (the rules in
  force with `rate` 0) and N+2 (the rules in force again, so nothing else
  changes) -- and every backfilled order is marked as having earned under
  version N+1 (its multipliers fixed, `program_version` = N+1). The engine
  re-evaluates an order under the version it earned with
  (`plan_member(programs=...)`), so any later re-evaluation, refund or
  edit computes 0 points for these orders: no earn now, no sudden award
  later. Tier-up coupons for tiers the history alone reaches are not issued
  (those tiers count as rewarded); VIP perks follow the VIP status.

Run it before the first `sync run` (which would award everything); at the
end the orders bookmark is set so the next pass only reads changes.

The real run commits per page of 100 orders and keeps its place in a
`sync_bookmarks` row (resource `backfill-<mode>`, `cursor` = pages done,
`modified_after` = --since), so an interrupted run resumes where it stopped
(re-applied orders are recognised by their digest); progress reports
records/s and the ETA. `dry_run` reads the same pages, replays them in
memory with the engine (loyalty_sync.engine.replay.replay_history) and writes
nothing.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal

from loyalty_sync.analysis.dashboard import liability
from loyalty_sync.books.apply import ApplyResult, _plan_members, categories_by_product, parse_orders
from loyalty_sync.books.member_books import lock_members
from loyalty_sync.books.membership import MemberDirectory
from loyalty_sync.books.order_facts import facts_digest, facts_from_row, fill_order_row
from loyalty_sync.books.program_versions import ensure_program, program_in_force, save_program
from loyalty_sync.engine.facts import BadRecord, order_from_wc
from loyalty_sync.engine.ledger import MemberBooks, OrderRecord
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.replay import figures_of, outcome_of, replay_history
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.engine.tiers import tier_for_metric, tier_metric
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, Order, ProgramVersion, Store, SyncBookmark, SyncRun
from loyalty_sync.store_sync.connection import client_for
from loyalty_sync.store_sync.locks import store_lock
from loyalty_sync.store_sync.run_record import PassCounts, recorded_run
from loyalty_sync.store_sync.sync_pass import StorePass, newest_change

MODES = ("award", "history")
HISTORY_NOTE = "history-only backfill: orders before the connection earn nothing"
PER_PAGE = 100


@dataclass
class Progress:
    done: int = 0
    total: int | None = None
    started: float = 0.0
    base: int = 0  # records done before this run (a resumed run)

    @property
    def rate(self) -> float:
        """Records per second in this run."""
        elapsed = time.monotonic() - self.started
        return (self.done - self.base) / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        if not self.total or not self.rate:
            return None
        return max(self.total - self.done, 0) / self.rate


OnProgress = Callable[[Progress], None]


def _params(since: datetime | None) -> dict:
    params = {"orderby": "id", "order": "asc", "per_page": PER_PAGE, "status": "any"}
    if since is not None:
        params.update(after=since.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat(),
                      dates_are_gmt="true")
    return params


def _pages(client, since, first_page: int = 1):
    page = first_page
    while True:
        records = client.get("orders", {**_params(since), "page": page})
        if not records:
            return
        yield page, records
        if len(records) < PER_PAGE:
            return
        page += 1


def backfill(store: Store, *, mode: str = "award", since: datetime | None = None, dry_run: bool = False,
             client=None, progress: OnProgress | None = None, now: datetime | None = None,
             stop_after_pages: int | None = None) -> dict:
    """Bring the store's past orders in (see the module docstring). Returns a
    summary dict. `stop_after_pages` stops early as an interruption would (tests)."""

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    now = now or datetime.now(timezone.utc)
    own = client is None
    client = client or client_for(store)
    try:
        if dry_run:
            return _dry_run(store, client, mode, since, now, progress)
        with store_lock(store.id, wait=True):
            return _run(store, client, mode, since, now, progress, stop_after_pages)
    finally:
        if own:
            client.close()


# --- the real run ----------------------------------------------------------------------------------

def history_version(store: Store) -> int:
    """The store's history-only program version (created once, then the rules
    in force are saved again on top so they stay in force)."""

    existing = db.session.execute(db.select(ProgramVersion.number).where(
        ProgramVersion.store_id == store.id, ProgramVersion.note == HISTORY_NOTE)).scalar_one_or_none()
    if existing is not None:
        return existing
    ensure_program(store)
    _, program = program_in_force(store)
    version = save_program(store, replace(program, rate=Decimal(0)), actor="backfill", note=HISTORY_NOTE)
    save_program(store, program, actor="backfill", note="the rules in force again after the history-only version")
    db.session.commit()
    return version.number


def _run(store, client, mode, since, now, progress, stop_after_pages) -> dict:

    hist = history_version(store) if mode == "history" else None
    mark = db.session.execute(db.select(SyncBookmark).filter_by(store_id=store.id, resource=f"backfill-{mode}")
                              ).scalar_one_or_none()
    if mark is None or mark.modified_after != since:
        if mark is None:
            mark = SyncBookmark(store_id=store.id, resource=f"backfill-{mode}")
            db.session.add(mark)
        mark.modified_after, mark.cursor = since, 0
        db.session.commit()
    resumed_at = mark.cursor or 0
    counts = PassCounts()
    with recorded_run(store, "backfill", client, counts, reraise=True) as record:
        worker = StorePass(store, db.session.get(SyncRun, record.id), client, counts, full=False, progress=None,
                           batch_size=500)
        worker.pull_catalogue()
        total = client.count("orders", _params(since))
        already = min(resumed_at * PER_PAGE, total)
        state = Progress(done=already, total=total, started=time.monotonic(), base=already)
        history = None
        if mode == "history":
            def history(store, orders, *, refunds_by_order, run_id):
                return apply_history_orders(store, orders, refunds_by_order, hist, now=now, run_id=run_id)
        newest = None
        finished = True
        for pages, (page, records) in enumerate(_pages(client, since, first_page=resumed_at + 1), start=1):
            worker.apply_orders(records, how=history)
            newest = newest_change(records, newest)
            mark = db.session.get(SyncBookmark, mark.id)
            mark.cursor = page
            db.session.commit()
            state.done = min(state.done + len(records), total) if total else state.done + len(records)
            if progress:
                progress(state)
            if stop_after_pages is not None and pages >= stop_after_pages:
                finished = False
                break
        if finished:
            worker.start_orders_cursor(newest)
            db.session.delete(db.session.get(SyncBookmark, mark.id))
            db.session.commit()
            worker.push()
        record.status = "ok" if finished else "interrupted"
        record.extra = {"mode": mode, "finished": finished}
    return {"mode": mode, "finished": finished, "orders": state.done, "total": total,
            "applied": counts.as_dict()["applied"], "resumed_from_page": resumed_at + 1,
            **_books_summary(store, now)}


def apply_history_orders(store: Store, records: list[dict], refunds_by_order: dict, version: int, *,
                         now: datetime, run_id: int | None = None):
    """Store orders that count for tiers, VIP and KPIs but earn nothing: new
    rows are marked as earned under the history-only `version` before the
    members are planned. The caller commits."""

    result = ApplyResult()
    parsed, existing = parse_orders(store, records, refunds_by_order, run_id, result)
    directory = MemberDirectory(store.id)
    directory.preload([f.customer_id for f in parsed], [f.email for f in parsed])
    _, program = program_in_force(store)
    entry = program.entry_tier.multiplier
    changed, touched = [], {}
    for facts in parsed:
        row = existing.get(facts.order_id)
        if row is not None and row.digest == facts_digest(facts):
            result.unchanged += 1
            continue
        member = directory.for_order(facts.customer_id, facts.email)
        touched[member.id] = member
        changed.append((facts, row, member))
    lock_members(list(touched.values()))
    for facts, row, member in changed:
        if row is None:
            row = Order(store_id=store.id, earned=0, ledger_rows=0)
            db.session.add(row)
            # Earned under the history-only version: re-evaluations compute 0 for it, forever.
            row.tier_multiplier, row.vip_multiplier, row.program_version = entry, Decimal(1), version
        fill_order_row(row, facts)
        row.member_id = member.id
        result.applied += 1
    db.session.flush()
    # The tiers the history alone reaches count as rewarded: no tier-up coupons for the past.
    for member in touched.values():
        rows = db.session.execute(db.select(Order).where(Order.member_id == member.id)).scalars().all()
        metric = tier_metric([facts_from_row(r) for r in rows], program, now)
        reached = tier_for_metric(metric, program)
        names = {t.name for t in program.tiers if t.threshold <= reached.threshold}
        if not names <= set(member.tiers_rewarded or []):
            member.tiers_rewarded = sorted(set(member.tiers_rewarded or []) | names)
    _plan_members(store, list(touched.values()), now, result)
    return result


def _books_summary(store: Store, now: datetime) -> dict:

    members = db.session.execute(db.select(Member).where(Member.store_id == store.id,
                                                         Member.merged_into_id.is_(None))).scalars().all()

    coupons = db.session.execute(db.select(db.func.count()).select_from(Coupon).where(
        Coupon.store_id == store.id)).scalar_one()
    return {"members": len(members), "points": sum(max(m.points, 0) for m in members),
            "tiers": dict(sorted(Counter(m.tier for m in members if m.tier).items())),
            "vip": sum(1 for m in members if m.vip), "coupons": coupons,
            "liability": money_text(liability(store)["money"])}


# --- dry run ---------------------------------------------------------------------------------------

def _dry_run(store, client, mode, since, now, progress) -> dict:
    """Read the orders and replay them in memory; nothing is written."""

    number, program = program_in_force(store)  # read only: no default version is written here
    rules = replace(program, rate=Decimal(0)) if mode == "history" else program
    catalogue = categories_by_product(store)
    total = client.count("orders", _params(since))
    state = Progress(total=total, started=time.monotonic())
    by_member: dict[str, list] = defaultdict(list)
    rejected = 0
    for _page, records in _pages(client, since):
        for record in records:
            try:
                facts = order_from_wc(record, None, catalogue)
            except BadRecord:
                rejected += 1
                continue
            who = f"c{facts.customer_id}" if facts.customer_id else f"e{facts.email.strip().lower()}"
            by_member[who].append(facts)
        state.done += len(records)
        if progress:
            progress(state)
    tiers, vip, points, coupons, money, outstanding = Counter(), 0, 0, 0, Decimal(0), 0
    for who, facts in by_member.items():
        books = MemberBooks(member_key=f"dry-{who}", email="", tier="", ledger=(), coupons=(),
                            orders=tuple(OrderRecord(facts=f) for f in sorted(facts, key=lambda f: (f.created,
                                                                                                  f.order_id))))
        after = replay_history(books, rules, number, now, None)
        outcome, figures = outcome_of(after, now), figures_of(after)
        tiers[outcome.tier] += 1
        vip += outcome.vip
        points += outcome.points
        kept = [c for c in after.coupons if mode != "history" or c.source != "tierup"]
        coupons += len(kept)
        money += sum((Decimal(c.template.amount) for c in kept if c.template.discount_type == "fixed_cart"
                      and not c.template.free_shipping), Decimal(0))
        outstanding += figures.outstanding
    value = point_value(program.rewards)
    return {"mode": mode, "dry_run": True, "orders": state.done, "total": total, "rejected": rejected,
            "members": len(by_member), "points": points, "tiers": dict(sorted(tiers.items())), "vip": vip,
            "coupons": coupons, "coupons_money": money_text(money),
            "liability": money_text(Decimal(outstanding) * value)}
