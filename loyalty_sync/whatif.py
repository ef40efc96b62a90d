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

The VIP "top N%" cut-off uses the members' stored 12-month spend (as the
apply service does), for both programs.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.orm import Session

from loyalty_sync.books import member_key
from loyalty_sync.engine.ledger import MemberBooks, OrderRecord
from loyalty_sync.engine.ledger import VipPeriod as VipPeriodFacts
from loyalty_sync.engine.plan import apply_plan, plan_member
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.vip import is_vip
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order, ProgramVersion, Store, VipPeriod
from loyalty_sync.order_facts import facts_from_row

CHUNK = 500


@dataclass(frozen=True)
class Outcome:
    tier: str
    vip: bool
    points: int


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

    @property
    def estimated(self) -> bool:
        return self.sample_every > 1

    @property
    def members_moving_tier(self) -> int:
        return sum(self.tier_moves.values())

    def as_dict(self) -> dict:
        return {
            "members": self.members, "tier_moves": dict(self.tier_moves), "vip_in": self.vip_in,
            "vip_out": self.vip_out, "points_delta": self.points_delta, "members_changed": self.members_changed,
            "tiers_before": dict(self.tiers_before), "tiers_after": dict(self.tiers_after),
            "top": [{"member_id": m.member_id, "email": m.email, "tier": [m.before.tier, m.after.tier],
                     "vip": [m.before.vip, m.after.vip], "points": [m.before.points, m.after.points]}
                    for m in self.top],
            "failures": list(self.failures),
        }


def replay(books: MemberBooks, program: Program, version: int, now: datetime,
           vip_spend_cutoff: Decimal | None) -> Outcome:
    plan = plan_member(books, program, version, now, vip_spend_cutoff=vip_spend_cutoff)
    after = apply_plan(books, plan)
    return Outcome(tier=after.tier, vip=is_vip(after.vip_periods, now), points=after.balance)


def vip_spend_cutoff(session: Session, store_id: int, program: Program) -> Decimal | None:
    top = program.vip_top_percent
    if not top:
        return None
    count = session.execute(db.select(func.count()).select_from(Member).where(
        Member.store_id == store_id, Member.spend_12m > 0, Member.merged_into_id.is_(None))).scalar_one()
    rank = int(count * Decimal(top) / 100)
    if rank < 1:
        return None
    return session.execute(
        db.select(Member.spend_12m).where(Member.store_id == store_id, Member.merged_into_id.is_(None))
        .order_by(Member.spend_12m.desc()).offset(rank - 1).limit(1)).scalar_one_or_none()


def _empty_books(member: Member, orders: list[Order], invitations: list[VipPeriod]) -> MemberBooks:
    return MemberBooks(
        member_key=member_key(member),
        email=member.email,
        orders=tuple(OrderRecord(facts=facts_from_row(o)) for o in sorted(orders, key=lambda o: (o.created, o.wc_id))),
        ledger=(),
        coupons=(),
        tier="",
        vip_periods=tuple(VipPeriodFacts(source=p.source, start=p.start, end=p.end, reason=p.reason,
                                         order_id=p.order_wc_id)
                          for p in sorted(invitations, key=lambda p: p.start)),
    )


def preview_change(store: Store, proposed: Program, *, current: Program | None = None,
                   now: datetime | None = None, top: int = 10, member_ids: list[int] | None = None,
                   max_members: int | None = None) -> Impact:
    """The impact of replacing the store's program by `proposed` at `now`.

    `current` defaults to the program in force (its latest saved version).
    `member_ids` narrows the replay (tests). With `max_members`, a store with
    more members is replayed on an even sample (every k-th member by id) and
    the totals are scaled by k, so the preview answers within a web request
    on a 100k-member store (about 0.8 ms per member and program); the page
    says it is an estimate.
    """
    started = time.monotonic()
    now = now or datetime.now(timezone.utc)
    impact = Impact()
    tiers_before: Counter = Counter()
    tiers_after: Counter = Counter()
    moves: dict[str, int] = defaultdict(int)
    changed: list[MemberMove] = []
    with Session(db.engine) as session:
        try:
            version_row = session.execute(
                db.select(ProgramVersion).filter_by(store_id=store.id).order_by(ProgramVersion.number.desc()).limit(1)
            ).scalar_one_or_none()
            if current is None:
                from loyalty_sync.engine.program import DEFAULT_PROGRAM, program_from_dict

                current = program_from_dict(version_row.rules) if version_row else DEFAULT_PROGRAM
            number = version_row.number if version_row else 1
            cut_before = vip_spend_cutoff(session, store.id, current)
            cut_after = vip_spend_cutoff(session, store.id, proposed)
            if max_members and member_ids is None:
                total = session.execute(db.select(func.count()).select_from(Member).where(
                    Member.store_id == store.id, Member.merged_into_id.is_(None))).scalar_one()
                impact.sample_every = max(1, -(-total // max_members))
            last_id = 0
            while True:
                query = db.select(Member).where(Member.store_id == store.id, Member.merged_into_id.is_(None),
                                                Member.id > last_id)
                if member_ids is not None:
                    query = query.where(Member.id.in_(member_ids))
                if impact.sample_every > 1:
                    query = query.where(Member.id % impact.sample_every == 0)
                chunk = session.execute(query.order_by(Member.id).limit(CHUNK)).scalars().all()
                if not chunk:
                    break
                last_id = chunk[-1].id
                ids = [m.id for m in chunk]
                orders: dict[int, list[Order]] = defaultdict(list)
                for row in session.execute(db.select(Order).where(Order.member_id.in_(ids))).scalars():
                    orders[row.member_id].append(row)
                invitations: dict[int, list[VipPeriod]] = defaultdict(list)
                for row in session.execute(db.select(VipPeriod).where(VipPeriod.member_id.in_(ids),
                                                                      VipPeriod.source == "invited")).scalars():
                    invitations[row.member_id].append(row)
                for member in chunk:
                    impact.members += 1
                    try:
                        books = _empty_books(member, orders[member.id], invitations[member.id])
                        before = replay(books, current, number, now, cut_before)
                        after = replay(books, proposed, number + 1, now, cut_after)
                    except Exception as exc:  # one odd history must not hide the rest of the preview
                        impact.failures.append(f"member {member.id}: {type(exc).__name__}: {exc}"[:300])
                        continue
                    tiers_before[before.tier] += 1
                    tiers_after[after.tier] += 1
                    if before == after:
                        continue
                    move = MemberMove(member.id, member.email, f"{member.first_name} {member.last_name}".strip(),
                                      before, after)
                    impact.members_changed += 1
                    impact.points_delta += move.points_delta
                    if move.tier_move:
                        moves[move.tier_move] += 1
                    if move.vip_change == "in":
                        impact.vip_in += 1
                    elif move.vip_change == "out":
                        impact.vip_out += 1
                    changed.append(move)
                    if len(changed) > 4 * top:
                        changed = _top(changed, top)
                session.expunge_all()
        finally:
            session.rollback()
    k = impact.sample_every
    impact.replayed = impact.members
    if k > 1:
        impact.members *= k
        impact.members_changed *= k
        impact.vip_in, impact.vip_out, impact.points_delta = impact.vip_in * k, impact.vip_out * k, impact.points_delta * k
        moves = {move: count * k for move, count in moves.items()}
        tiers_before = Counter({t: n * k for t, n in tiers_before.items()})
        tiers_after = Counter({t: n * k for t, n in tiers_after.items()})
    impact.tier_moves = dict(sorted(moves.items(), key=lambda kv: -kv[1]))
    impact.tiers_before, impact.tiers_after = dict(tiers_before), dict(tiers_after)
    impact.top = _top(changed, top)
    impact.seconds = time.monotonic() - started
    return impact


def _top(moves: list[MemberMove], n: int) -> list[MemberMove]:
    """Tier or VIP moves first, then the biggest change in points."""
    return sorted(moves, key=lambda m: (m.tier_move is None and m.vip_change is None, -abs(m.points_delta),
                                        m.member_id))[:n]
