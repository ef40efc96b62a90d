"""What a rule change would do, before it is saved.

`preview_change` replays every member's stored order history through the
engine twice, in memory: once under the program in force and once under the
proposed one, both at the same `now`, starting from empty books (no ledger,
no coupons, entry tier; only VIP invitations kept, since those are an admin's
decision and not derived from orders). Comparing the two replays isolates
the effect of the rule change from everything else in the books (manual
adjustments, past grace periods, ...).

Nothing is written: the replay reads through its own session, which is
rolled back at the end, and the engine is pure.

The VIP "top N%" cut-off is the apply service's (`books/vip_cutoff.py`:
stored 12-month spend, merged members left out), for both programs.

The replay itself is pure and lives in the engine
(`loyalty_sync/engine/replay.py`: checkpoints; a coupon meets the fate it
met in the books); this module loads the histories and the books' coupon
statuses, spreads them over workers and shapes the answers.

In money (`Impact.money`, `whatif_money.py`), 'before' is the books as they
are (`books_money.py`) and 'after' the books plus the change between the two
replays; both the panel's preview and `program whatif` read that one answer.

`whatif_report` is the owner-facing form (CLI `program whatif`, JSON keys
fixed: members, tier_moves, vip_in, vip_out, points_delta, coupons_delta,
liability_delta, earn_cost_share, orders_replayed, and `money`: before,
after and change, with when and whom it sampled); `program_with_settings`
maps the CLI's `--set` dotted keys onto the program.
"""

from __future__ import annotations

import gc
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from dataclasses import fields as dc_fields
from datetime import datetime, timezone
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Engine, func
from sqlalchemy.orm import Session

from loyalty_sync.analysis.books_money import books_figures
from loyalty_sync.analysis.replay_pool import ReplayPool
from loyalty_sync.analysis.whatif_money import MoneyChange, Sampling, money_change
from loyalty_sync.books.member_books import member_key_for
from loyalty_sync.books.order_facts import FACT_COLUMNS, facts_from_row
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.ledger import MemberBooks, OrderRecord
from loyalty_sync.books.vip_cutoff import vip_spend_cutoff
from loyalty_sync.engine.ledger import VipPeriod as VipPeriodFacts
from loyalty_sync.engine.program import (
    _BOOL_FIELDS,
    PAID_STATUSES,
    Program,
    ProgramFormatError,
    program_from_dict,
    program_to_dict,
)
from loyalty_sync.engine.replay import Comparison, CouponFate, Figures, Outcome, replay_both
from loyalty_sync.engine.rewards import point_value
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, Order, Store, VipPeriod

CHUNK = 500  # members read per query
GC_EVERY = 20_000  # allocations between collections in a replay worker (Python's default: 700)
BATCH = 50  # members per replay task


@dataclass
class MemberMove:
    member_id: int
    email: str
    name: str
    before: Outcome
    after: Outcome

    @property
    def points_delta(self) -> int:
        return self.after.points - self.before.points

    @property
    def tier_move(self) -> str | None:
        return f"{self.before.tier}->{self.after.tier}" if self.before.tier != self.after.tier else None

    @property
    def vip_change(self) -> str | None:
        if self.before.vip == self.after.vip:
            return None
        return "in" if self.after.vip else "out"


@dataclass
class Impact:
    members: int = 0
    tier_moves: dict[str, int] = field(default_factory=dict)
    vip_in: int = 0
    vip_out: int = 0
    points_delta: int = 0
    members_changed: int = 0
    top: list[MemberMove] = field(default_factory=list)
    tiers_before: dict[str, int] = field(default_factory=dict)
    tiers_after: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # 1: every member was replayed; k > 1: every k-th member, totals scaled by k (an estimate).
    sample_every: int = 1
    replayed: int = 0
    # Owner-facing figures (whatif_report): totals of both replays.
    orders_replayed: int = 0
    revenue: Decimal = Decimal(0)
    before: Figures = field(default_factory=Figures)
    after: Figures = field(default_factory=Figures)
    moves: list[MemberMove] = field(default_factory=list)
    point_value_before: Decimal = Decimal(0)
    point_value_after: Decimal = Decimal(0)
    # In money: the books today and after the change (see whatif_money.py).
    money: MoneyChange | None = None

    @property
    def estimated(self) -> bool:
        return self.sample_every > 1

    @property
    def members_moving_tier(self) -> int:
        return sum(self.tier_moves.values())

    def as_dict(self) -> dict:
        return {
            "members": self.members,
            "tier_moves": dict(self.tier_moves),
            "vip_in": self.vip_in,
            "vip_out": self.vip_out,
            "points_delta": self.points_delta,
            "members_changed": self.members_changed,
            "tiers_before": dict(self.tiers_before),
            "tiers_after": dict(self.tiers_after),
            "top": [
                {
                    "member_id": m.member_id,
                    "email": m.email,
                    "tier": [m.before.tier, m.after.tier],
                    "vip": [m.before.vip, m.after.vip],
                    "points": [m.before.points, m.after.points],
                }
                for m in self.top
            ],
            "failures": list(self.failures),
        }


def _empty_books(member_id: int, email: str, orders: list, invitations: list) -> MemberBooks:
    """A member's order history (order and VIP period rows) as books with nothing booked yet."""
    return MemberBooks(
        member_key=member_key_for(member_id),
        email=email,
        orders=tuple(OrderRecord(facts=facts_from_row(o)) for o in sorted(orders, key=lambda o: (o.created, o.wc_id))),
        ledger=(),
        coupons=(),
        tier="",
        vip_periods=tuple(
            VipPeriodFacts(source=p.source, start=p.start, end=p.end, reason=p.reason, order_id=p.order_wc_id)
            for p in sorted(invitations, key=lambda p: p.start)
        ),
    )


def preview_change(
    store: Store,
    proposed: Program,
    *,
    current: Program | None = None,
    now: datetime | None = None,
    top: int = 10,
    member_ids: list[int] | None = None,
    max_members: int | None = None,
    keep_moves: bool = False,
    in_process: bool = False,
) -> Impact:
    """The impact of replacing the store's program by `proposed` at `now`.

    `current` defaults to the program in force (its latest saved version).
    `member_ids` narrows the replay (tests). With `max_members`, a store with
    more members is replayed on an even sample (every k-th member by id) and
    the totals are scaled by k, so the preview answers within a web request
    on a 100k-member store; the page says it is an estimate. `keep_moves`
    keeps every changed member in `moves` (not only the `top` ones).
    `in_process` keeps a big replay off worker processes (a web request).
    """
    started = time.monotonic()
    now = now or datetime.now(timezone.utc)
    impact = Impact()
    tiers_before: Counter = Counter()
    tiers_after: Counter = Counter()
    moves: dict[str, int] = defaultdict(int)
    changed: list[MemberMove] = []
    with Session(db.engine) as session:
        context, total = _replay_context(session, store, proposed, current, now)
        books, books_revenue = books_figures(session, store.id)
    current = context.comparison.current
    if max_members and member_ids is None:
        impact.sample_every = max(1, -(-total // max_members))
    replaying = len(member_ids) if member_ids is not None else -(-total // impact.sample_every)
    pool = ReplayPool(_replay_members, context, members=0 if in_process else replaying, worker_setup=_worker_setup)
    with pool, Session(db.engine) as session:
        try:
            batches = _member_batches(session, store.id, member_ids, impact.sample_every)
            for batch, results in pool.imap(batches):
                for member, (orders_replayed, revenue, result) in zip(batch, results, strict=True):
                    impact.members += 1
                    if isinstance(result, str):
                        impact.failures.append(f"member {member.id}: {result}")
                        continue
                    before, figures_before, after, figures_after = result
                    impact.orders_replayed += orders_replayed
                    impact.revenue += revenue
                    impact.before += figures_before
                    impact.after += figures_after
                    tiers_before[before.tier] += 1
                    tiers_after[after.tier] += 1
                    if before == after:
                        continue
                    move = MemberMove(
                        member.id, member.email, f"{member.first_name} {member.last_name}".strip(), before, after
                    )
                    impact.members_changed += 1
                    impact.points_delta += move.points_delta
                    if move.tier_move:
                        moves[move.tier_move] += 1
                    if move.vip_change == "in":
                        impact.vip_in += 1
                    elif move.vip_change == "out":
                        impact.vip_out += 1
                    changed.append(move)
                    if keep_moves:
                        impact.moves.append(move)
                    if len(changed) > 4 * top:
                        changed = _top(changed, top)
        finally:
            session.rollback()
    k = impact.sample_every
    impact.replayed = impact.members
    if k > 1:
        impact.members *= k
        impact.members_changed *= k
        impact.vip_in, impact.vip_out, impact.points_delta = (
            impact.vip_in * k,
            impact.vip_out * k,
            impact.points_delta * k,
        )
        moves = {move: count * k for move, count in moves.items()}
        tiers_before = Counter({t: n * k for t, n in tiers_before.items()})
        tiers_after = Counter({t: n * k for t, n in tiers_after.items()})
    if k > 1:
        impact.orders_replayed *= k
        impact.revenue *= k
        impact.before, impact.after = impact.before.times(k), impact.after.times(k)

    impact.point_value_before, impact.point_value_after = point_value(current.rewards), point_value(proposed.rewards)
    impact.money = money_change(
        books,
        impact.before,
        impact.after,
        revenue=books_revenue,
        point_value_before=impact.point_value_before,
        point_value_after=impact.point_value_after,
        currency=store.currency,
        sampling=Sampling(at=now, members=total, replayed=impact.replayed, every=k),
    )
    impact.tier_moves = dict(sorted(moves.items(), key=lambda kv: -kv[1]))
    impact.tiers_before, impact.tiers_after = dict(tiers_before), dict(tiers_after)
    impact.top = _top(changed, top)
    impact.seconds = time.monotonic() - started
    return impact


def _member_batches(session: Session, store_id: int, member_ids: list[int] | None, sample_every: int):
    """The members to replay as plain rows (id, email, first_name, last_name),
    BATCH at a time (one replay task each), read CHUNK per query."""
    last_id = 0
    while True:
        query = db.select(Member.id, Member.email, Member.first_name, Member.last_name).where(
            Member.store_id == store_id, Member.merged_into_id.is_(None), Member.id > last_id
        )
        if member_ids is not None:
            query = query.where(Member.id.in_(member_ids))
        if sample_every > 1:
            query = query.where(Member.id % sample_every == 0)
        chunk = [_MemberRow(*row) for row in session.execute(query.order_by(Member.id).limit(CHUNK))]
        if not chunk:
            return
        last_id = chunk[-1].id
        for start in range(0, len(chunk), BATCH):
            yield chunk[start : start + BATCH]


class _MemberRow(NamedTuple):
    id: int
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class ReplayContext:
    """What each replay worker is sent once: the comparison and where it reads the histories."""

    comparison: Comparison
    engine: Engine  # a worker disposes of the parent's connections


def _replay_context(
    session: Session, store: Store, proposed: Program, current: Program | None, now: datetime
) -> tuple[ReplayContext, int]:
    """The programs to compare and the store's member count."""
    number, in_force = program_in_force(store, session=session)
    current = in_force if current is None else current
    total = session.execute(
        db.select(func.count()).select_from(Member).where(Member.store_id == store.id, Member.merged_into_id.is_(None))
    ).scalar_one()
    comparison = Comparison(
        current=current,
        proposed=proposed,
        number=number,
        now=now,
        cut_before=vip_spend_cutoff(session, store.id, current),
        cut_after=vip_spend_cutoff(session, store.id, proposed),
    )
    context = ReplayContext(comparison=comparison, engine=db.engine)
    return context, total


def _replay_members(members: list[_MemberRow], context: ReplayContext) -> list[tuple[int, Decimal, object]]:
    """Load and replay a batch of members: for each, the orders
    replayed, their revenue and `replay_both`'s answer. Runs in a replay
    worker on big stores, which reads the histories itself (plain rows, its
    own connection), so only member rows go out and small results come back."""
    ids = [member.id for member in members]
    orders_table, periods, coupons = Order.__table__, VipPeriod.__table__, Coupon.__table__
    orders: dict[int, list] = defaultdict(list)
    invitations: dict[int, list] = defaultdict(list)
    fates: dict[int, dict[str, CouponFate]] = defaultdict(dict)
    with Session(context.engine) as session:
        columns = [orders_table.c[name] for name in FACT_COLUMNS]
        for row in session.execute(
            db.select(orders_table.c.member_id, *columns).where(orders_table.c.member_id.in_(ids))
        ):
            orders[row.member_id].append(row)
        for row in session.execute(
            db.select(periods).where(periods.c.member_id.in_(ids), periods.c.source == "invited")
        ):
            invitations[row.member_id].append(row)
        for row in session.execute(
            db.select(coupons.c.member_id, coupons.c.key, coupons.c.status, coupons.c.expires_at).where(
                coupons.c.member_id.in_(ids)
            )
        ):
            fates[row.member_id][row.key] = CouponFate(row.status, row.expires_at)
    out = []
    for member in members:
        books = _empty_books(member.id, member.email, orders[member.id], invitations[member.id])
        revenue = sum((_revenue(r.facts) for r in books.orders), Decimal(0))
        out.append((len(books.orders), revenue, replay_both(books, context.comparison, fates[member.id])))
    return out


def _worker_setup(context: ReplayContext) -> None:
    """In a forked replay worker: new connections of its own, never the
    parent's; and a garbage collector that leaves alone everything the
    worker inherited (`gc.freeze`, as Python's docs advise for forked
    workers) and runs less often: a replay allocates a great many small
    records that reference counting frees, and each collection walked the
    whole inherited heap (10% of a replay)."""
    context.engine.dispose(close=False)
    gc.freeze()
    gc.set_threshold(GC_EVERY, *gc.get_threshold()[1:])


def _top(moves: list[MemberMove], n: int) -> list[MemberMove]:
    """Tier or VIP moves first, then the biggest change in points."""
    return sorted(
        moves, key=lambda m: (m.tier_move is None and m.vip_change is None, -abs(m.points_delta), m.member_id)
    )[:n]


def _revenue(facts) -> Decimal:
    """What the customer paid, net of refunds, for paid orders (as kpi.py counts revenue)."""
    if facts.status not in PAID_STATUSES:
        return Decimal(0)
    return max(facts.total - facts.refunded_amount, Decimal(0))


# --- the owner-facing report (CLI `program whatif`, admin) ----------------------------------------


def whatif_report(
    store: Store,
    proposed: Program,
    *,
    current: Program | None = None,
    now: datetime | None = None,
    max_members: int | None = None,
    impact: Impact | None = None,
) -> dict:
    """Replay the store's whole order history under the program in force and
    under `proposed` (in memory; nothing is written) and say what changes
    (or shape the `impact` of a `preview_change` already made).

    Plain JSON-able data: `members` (every member whose points, tier or VIP
    status would differ), `tier_moves` ({"Bronze->Silver": n}), `vip_in`,
    `vip_out`, `points_delta` (sum of balance changes), `orders_replayed`,
    and `money` (`MoneyChange.as_json`: coupons issued, their value, the
    liability, the earn cost and its share of revenue, each before (the
    books today), after and change; when and whom it sampled). The short
    forms of `money`: `coupons_delta` ({"count", "money"}), `liability_delta`
    (outstanding points x point value + open coupons, after minus before) and
    `earn_cost_share` ({"before", "after"}: earn cost / paid revenue net of
    refunds, 4 places).
    """
    if impact is None:
        impact = preview_change(store, proposed, current=current, now=now, max_members=max_members, keep_moves=True)
    money = impact.money
    b, a = money.before, money.after
    return {
        "members": [
            {
                "member_id": m.member_id,
                "email": m.email,
                "points_before": m.before.points,
                "points_after": m.after.points,
                "tier_before": m.before.tier,
                "tier_after": m.after.tier,
                "vip_before": m.before.vip,
                "vip_after": m.after.vip,
            }
            for m in sorted(impact.moves, key=lambda m: m.member_id)
        ],
        "tier_moves": dict(impact.tier_moves),
        "vip_in": impact.vip_in,
        "vip_out": impact.vip_out,
        "points_delta": impact.points_delta,
        "coupons_delta": {"count": a.coupons - b.coupons, "money": money_text(a.coupon_value - b.coupon_value)},
        "liability_delta": money_text(a.liability - b.liability),
        "earn_cost_share": {"before": _share(b.earn_cost_share), "after": _share(a.earn_cost_share)},
        "orders_replayed": impact.orders_replayed,
        "money": money.as_json(),
    }


def _share(share: Decimal | None) -> float | None:
    return None if share is None else round(float(share), 4)


# --- proposed programs from the command line --------------------------------------------------------


class SettingError(ValueError):
    """A `--set KEY=VALUE` or rules file that cannot be read."""


#: `--set` dotted keys -> Program fields (README "Command line"). Any Program
#: field name is accepted as a key too (e.g. `auto_redeem=false`).
SET_KEYS = {
    "earn.rate": "rate",
    "earn.include_tax": "include_tax",
    "earn.include_shipping": "include_shipping",
    "earn.min_order": "min_order",
    "earn.rounding": "rounding",
    "earn.statuses": "earning_statuses",
    "earn.pending_days": "pending_days",
    "earn.multipliers": "multipliers",
    "earn.stack_multipliers": "stack_multipliers",
    "tiers.metric": "tier_metric",
    "tiers.window": "tier_window",
    "tiers.grace_days": "tier_grace_days",
    "vip.min_spend": "vip_min_spend",
    "vip.min_orders": "vip_min_orders",
    "vip.multiplier": "vip_multiplier",
    "vip.top_percent": "vip_top_percent",
    "vip.membership_sku": "vip_membership_sku",
    "vip.membership_days": "vip_membership_days",
    "expiry.months": "expiry_months",
    "expiry.mode": "expiry_mode",
    "rewards": "rewards",
    "rewards.auto_redeem": "auto_redeem",
    "coupons.expiry_days": "coupon_expiry_days",
}
_TIER_FIELDS = ("threshold", "multiplier", "name")
_JSON_FIELDS = ("rewards", "multipliers", "tiers", "vip_exclusive_coupon", "referral_coupon", "birthday_coupon")
_OPTIONAL_FIELDS = ("vip_top_percent", "vip_membership_sku")


def _bool_text(value: str, key: str) -> bool:
    low = value.strip().lower()
    if low in ("true", "yes", "1", "on"):
        return True
    if low in ("false", "no", "0", "off"):
        return False
    raise SettingError(f"{key}: {value!r} is not true/false")


def _json_text(value: str, key: str):

    try:
        return json.loads(value, parse_float=str)  # decimals stay exact
    except ValueError as exc:
        raise SettingError(f"{key}: not valid JSON ({exc})") from None


def program_with_settings(program: Program, settings: list[str] | tuple[str, ...]) -> Program:
    """`program` with `KEY=VALUE` overrides (dotted keys, see SET_KEYS and
    `tiers.<tier name>.threshold|multiplier|name`). Raises SettingError for an
    unknown key or unreadable value; the result is not validated (call
    `validate_program`)."""

    data = program_to_dict(program)
    known = {f.name for f in dc_fields(Program)}
    for item in settings:
        if "=" not in item:
            raise SettingError(f"{item!r}: write KEY=VALUE")
        key, value = item.split("=", 1)
        key = key.strip()
        if key.startswith("tiers.") and key.count(".") >= 2 and key not in SET_KEYS:
            name, attribute = key[len("tiers.") :].rsplit(".", 1)
            if attribute not in _TIER_FIELDS:
                raise SettingError(f"{key}: a tier has {', '.join(_TIER_FIELDS)}")
            tier = next((t for t in data["tiers"] if t["name"].lower() == name.lower()), None)
            if tier is None:
                names = ", ".join(t["name"] for t in data["tiers"])
                raise SettingError(f"{key}: no tier {name!r} (tiers: {names})")
            tier[attribute] = value.strip()
            continue
        target = SET_KEYS.get(key, key if key in known else None)
        if target is None:
            raise SettingError(
                f"{key}: unknown setting (known: {', '.join(sorted(SET_KEYS))}, "
                "tiers.<name>.threshold|multiplier, or a program field name)"
            )
        if target in _BOOL_FIELDS:
            data[target] = _bool_text(value, key)
        elif target in _JSON_FIELDS:
            data[target] = _json_text(value, key)
        elif target == "earning_statuses":
            data[target] = (
                _json_text(value, key)
                if value.strip().startswith("[")
                else [s.strip() for s in value.split(",") if s.strip()]
            )
        elif target in _OPTIONAL_FIELDS and value.strip().lower() in ("", "none", "null"):
            data[target] = None
        else:
            data[target] = value.strip()
    try:
        return program_from_dict(data)
    except ProgramFormatError as exc:
        raise SettingError(str(exc)) from None


def program_from_rules(rules) -> Program:
    """A program from the JSON shape `program show --json` prints (its
    "store" and "version" keys are ignored); `rules` is a dict or JSON text."""

    if isinstance(rules, (str, bytes)):
        try:
            rules = json.loads(rules, parse_float=str)
        except ValueError as exc:
            raise SettingError(f"rules file: not valid JSON ({exc})") from None
    if not isinstance(rules, dict):
        raise SettingError("rules file: expected a JSON object")
    rules = {k: v for k, v in rules.items() if k not in ("store", "version")}
    try:
        return program_from_dict(rules)
    except ProgramFormatError as exc:
        raise SettingError(str(exc)) from None
