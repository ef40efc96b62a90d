"""How a store's past counts: its history mode (PRODUCT.md, "Connecting a
store that already has history").

- `review`: the store is connected but nobody chose yet. Passes pull and
  store the data; no member is planned (no ledger line, no coupon) and
  nothing is pushed. `analysis/first_sync_plan.py` says what each mode
  would do.
- `award`: every past order earns as if it had been synced when it happened.
- `since:YYYY-MM-DD`: orders created from that day (00:00 UTC) on earn;
  earlier ones count like `tiers-only`.
- `tiers-only`: orders created before the connection set tiers, VIP and the
  KPIs but earn nothing, now or later.

How an order "earns nothing" for ever: the program gets, once per store, a
history-only version N+1 (the rules in force with `rate` 0) and N+2 (the
rules again, so nothing else changes); an order created before the store's
`earns_from` that never counted is marked as having earned under N+1 (its
multipliers fixed, `program_version` = N+1) before its member is planned.
The engine re-evaluates an order under the version it earned with, so a
later refund, edit or re-evaluation computes 0 points for it.

The mode is chosen once: while nothing has been booked for the store it
can be changed; afterwards a change would re-price orders that already
earned (or not), which the members have seen, so it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timezone
from decimal import Decimal

from loyalty_sync.books.program_versions import ensure_program, program_in_force, save_program
from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Order, ProgramVersion, Store

REVIEW, AWARD, SINCE, TIERS_ONLY = "review", "award", "since", "tiers-only"
CHOICES = "award, since:YYYY-MM-DD or tiers-only"
#: (the backfill's note from before history modes: stores it marked keep their version)
HISTORY_NOTE = "history-only backfill: orders before the connection earn nothing"


@dataclass(frozen=True)
class HistoryMode:
    kind: str  # review | award | since | tiers-only
    since: date | None = None

    @property
    def text(self) -> str:
        """As stored in `Store.history_mode` and typed on the command line."""
        return f"{SINCE}:{self.since.isoformat()}" if self.kind == SINCE and self.since else self.kind

    def earns_from(self, connected_at: datetime | None) -> datetime | None:
        """Orders created before this earn nothing (None: every order earns)."""
        if self.kind == SINCE and self.since is not None:
            return datetime.combine(self.since, time(0), tzinfo=timezone.utc)
        if self.kind == TIERS_ONLY:
            return connected_at or datetime.now(timezone.utc)
        return None

    def describe(self) -> str:
        if self.kind == SINCE:
            return f"since:{self.since:%Y-%m-%d} (points for orders from that day on; earlier ones set tiers only)"
        return {
            REVIEW: "review (nothing booked or pushed until a mode is chosen)",
            AWARD: "award (points for every past order)",
            TIERS_ONLY: "tiers-only (history sets tiers, VIP and KPIs; no points)",
        }[self.kind]


def parse_history_mode(text: str, *, allow_review: bool = False) -> HistoryMode:
    """`award`, `since:YYYY-MM-DD`, `tiers-only` (and `review` where allowed);
    ValueError with a sentence otherwise."""
    raw = (text or "").strip().lower()
    if raw in (AWARD, TIERS_ONLY) or (allow_review and raw == REVIEW):
        return HistoryMode(raw)
    if raw.startswith(f"{SINCE}:"):
        try:
            return HistoryMode(SINCE, date.fromisoformat(raw.split(":", 1)[1]))
        except ValueError:
            raise ValueError(f"{text!r}: the date after since: must be YYYY-MM-DD") from None
    raise ValueError(f"{text!r} is not a history mode; choose {CHOICES}")


def mode_of(store: Store) -> HistoryMode:
    return parse_history_mode(store.history_mode or AWARD, allow_review=True)


def in_review(store: Store) -> bool:
    return (store.history_mode or AWARD) == REVIEW


def store_earns_from(store: Store) -> datetime | None:
    return mode_of(store).earns_from(store.connected_at)


# --- choosing the mode --------------------------------------------------------------------------


class ModeRefused(ValueError):
    """A mode change that cannot be honoured; the message says why."""


def booked_anything(store: Store) -> bool:
    """Whether a ledger line or a coupon exists for the store."""
    for model in (LedgerEntry, Coupon):
        if db.session.execute(db.select(model.id).where(model.store_id == store.id).limit(1)).first():
            return True
    return False


def choose_mode(store: Store, mode: HistoryMode, *, now: datetime | None = None) -> bool:
    """Set the store's history mode (the caller commits, with its audit row).
    Returns False when it already had it. From review the connection time
    is now, to the second as WooCommerce dates orders (an order of the
    connection's own second counts as after it): nothing reached the store
    before it."""
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    current = mode_of(store)
    if current == mode:
        return False
    if mode.kind == REVIEW:
        raise ModeRefused(f"store {store.name} is live in mode {current.text}; review comes only before the first sync")
    if current.kind != REVIEW and booked_anything(store):
        since = f" (connected {store.connected_at:%Y-%m-%d %H:%M} UTC)" if store.connected_at else ""
        raise ModeRefused(
            f"store {store.name} already booked points or coupons in mode {current.text}{since}; changing it "
            "now would re-price orders its members have already seen. The history mode is chosen once."
        )
    store.history_mode = mode.text
    if current.kind == REVIEW or store.connected_at is None:
        store.connected_at = now
    if mode.earns_from(store.connected_at) is not None:
        history_version(store)
    return True


# --- orders that earn nothing ---------------------------------------------------------------------


def history_version(store: Store) -> int:
    """The store's history-only program version, made once (then the rules
    in force are saved again on top so they stay in force). Flushes; the
    caller commits."""
    existing = db.session.execute(
        db.select(ProgramVersion.number).where(ProgramVersion.store_id == store.id, ProgramVersion.note == HISTORY_NOTE)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    ensure_program(store)
    _, program = program_in_force(store)
    version = save_program(store, history_rules(program), actor="history", note=HISTORY_NOTE)
    save_program(store, program, actor="history", note="the rules in force again after the history-only version")
    return version.number


def history_rules(program: Program) -> Program:
    return replace(program, rate=Decimal(0))


def mark_history_orders(store: Store, member_ids: list[int]) -> None:
    """Orders of these members created before the store's `earns_from` that
    never counted are marked as earned under the history-only version."""
    cut = store_earns_from(store)
    if cut is None or not member_ids:
        return
    version = history_version(store)
    _, program = program_in_force(store)
    for start in range(0, len(member_ids), 500):
        db.session.execute(
            db.update(Order)
            .where(
                Order.member_id.in_(member_ids[start : start + 500]),
                Order.created < cut,
                Order.tier_multiplier.is_(None),
                Order.ledger_rows == 0,
            )
            .values(tier_multiplier=program.entry_tier.multiplier, vip_multiplier=Decimal(1), program_version=version)
            .execution_options(synchronize_session=False)
        )
