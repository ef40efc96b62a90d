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
records/s and the ETA (and writes done / total into its SyncRun's counts,
which the panel's first-sync page shows). At the end the orders bookmark
is set so the next pass only reads changes.

There is no dry run: what a mode would book is the first-sync plan
(`stores plan NAME`, the panel's first-sync page), worked out from what a
pass in review pulled with the planner the passes use. The dry run this
command had replayed the orders its own way (it counted coupons for
tier-ups that happened before the connection, which the first sync never
sends): a second answer to the same question, and a different one.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from loyalty_sync.analysis.dashboard import liability
from loyalty_sync.books.history import AWARD, TIERS_ONLY, HistoryMode, ModeRefused, choose_mode
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.tier_order import in_rank_order
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
        params.update(
            after=since.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat(), dates_are_gmt="true"
        )
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


def backfill(
    store: Store,
    *,
    mode: str = "award",
    since: datetime | None = None,
    client=None,
    progress: OnProgress | None = None,
    now: datetime | None = None,
    stop_after_pages: int | None = None,
) -> dict:
    """Bring the store's past orders in (see the module docstring). Returns a
    summary dict. `stop_after_pages` stops early as an interruption would (tests)."""

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    now = now or datetime.now(timezone.utc)
    own = client is None
    client = client or client_for(store)
    try:
        with store_lock(store.id, wait=True):
            return _run(store, client, mode, since, now, progress, stop_after_pages)
    finally:
        if own:
            client.close()


# --- the real run ----------------------------------------------------------------------------------


def _run(store, client, mode, since, now, progress, stop_after_pages) -> dict:

    try:
        if choose_mode(store, HistoryMode(TIERS_ONLY if mode == "history" else AWARD), now=now):
            record_audit(
                "backfill",
                "store.history",
                f"store:{store.name}",
                store_id=store.id,
                after={"history_mode": store.history_mode},
            )
        db.session.commit()
    except ModeRefused:
        db.session.rollback()
        raise
    mark = db.session.execute(
        db.select(SyncBookmark).filter_by(store_id=store.id, resource=f"backfill-{mode}")
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
        worker = StorePass(
            store, db.session.get(SyncRun, record.id), client, counts, full=False, progress=None, batch_size=500
        )
        worker.pull_catalogue()
        total = client.count("orders", _params(since))
        already = min(resumed_at * PER_PAGE, total)
        state = Progress(done=already, total=total, started=time.monotonic(), base=already)
        newest = None
        finished = True
        for pages, (page, records) in enumerate(_pages(client, since, first_page=resumed_at + 1), start=1):
            worker.apply_orders(records)
            newest = newest_change(records, newest)
            state.done = min(state.done + len(records), total) if total else state.done + len(records)
            mark = db.session.get(SyncBookmark, mark.id)
            mark.cursor = page
            run = db.session.get(SyncRun, record.id)
            run.counts = {**(run.counts or {}), "mode": mode, "done": state.done, "total": total}
            db.session.commit()
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
        record.extra = {"mode": mode, "finished": finished, "done": state.done, "total": total}
    return {
        "mode": mode,
        "finished": finished,
        "orders": state.done,
        "total": total,
        "applied": counts.as_dict()["applied"],
        "resumed_from_page": resumed_at + 1,
        **_books_summary(store, now),
    }


def _books_summary(store: Store, now: datetime) -> dict:

    members = (
        db.session.execute(db.select(Member).where(Member.store_id == store.id, Member.merged_into_id.is_(None)))
        .scalars()
        .all()
    )

    coupons = db.session.execute(
        db.select(db.func.count()).select_from(Coupon).where(Coupon.store_id == store.id)
    ).scalar_one()
    tiers = Counter(m.tier for m in members if m.tier)
    return {
        "members": len(members),
        "points": sum(max(m.points, 0) for m in members),
        "tiers": {name: tiers[name] for name in in_rank_order(tiers, [program_in_force(store)[1]])},
        "vip": sum(1 for m in members if m.vip),
        "coupons": coupons,
        "liability": money_text(liability(store)["money"]),
    }
