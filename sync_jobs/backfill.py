"""Backfill: a shop connecting for the first time brings its past orders in,
page by page, resumably. How those orders count is the store's history mode
(loyalty_sync/books/history.py), the one notion of it; this command is a
thin way to choose it and import at once:

- `award` (`--award-points`): the store's mode becomes `award` (past orders
  earn as if they had been synced when they happened);
- `history` (`--history-only`): the store's mode becomes `tiers-only`
  (past orders set tiers, VIP and the KPIs, earn nothing, now or later).

A store in review gets that mode; a store already in another mode keeps it
only if nothing was booked yet (`history.choose_mode` refuses otherwise).
`since` limits what is read: orders created before it are not brought in.

The real run commits per page of 100 orders and keeps its place in a
`sync_bookmarks` row (resource `backfill-<mode>`, `cursor` = pages done,
`modified_after` = --since), so an interrupted run resumes where it stopped
(re-applied orders are recognised by their digest); progress reports
records/s and the ETA. At the end the orders bookmark is set so the next
pass only reads changes. `dry_run` reads the same pages, replays them in
memory with the engine (loyalty_sync.engine.replay.replay_history) and
writes nothing; `stores plan` is the first-sync plan from pulled data.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal

from loyalty_sync.analysis.dashboard import liability
from loyalty_sync.books.apply import categories_by_product
from loyalty_sync.books.history import AWARD, TIERS_ONLY, HistoryMode, ModeRefused, choose_mode
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.facts import BadRecord, order_from_wc
from loyalty_sync.engine.ledger import MemberBooks, OrderRecord
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.replay import figures_of, outcome_of, replay_history
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, Store, SyncBookmark, SyncRun, record_audit
from loyalty_sync.store_sync.connection import client_for
from loyalty_sync.store_sync.locks import store_lock
from loyalty_sync.store_sync.run_record import PassCounts, recorded_run
from loyalty_sync.store_sync.sync_pass import StorePass, newest_change

MODES = ("award", "history")
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

def _run(store, client, mode, since, now, progress, stop_after_pages) -> dict:

    try:
        if choose_mode(store, HistoryMode(TIERS_ONLY if mode == "history" else AWARD), now=now):
            record_audit("backfill", "store.history", f"store:{store.name}", store_id=store.id,
                         after={"history_mode": store.history_mode})
        db.session.commit()
    except ModeRefused:
        db.session.rollback()
        raise
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
        newest = None
        finished = True
        for pages, (page, records) in enumerate(_pages(client, since, first_page=resumed_at + 1), start=1):
            worker.apply_orders(records)
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
