"""What to write for one member: `plan_member` reads the books and decides.

The planner is a pure function of (books, program, now). It walks the
member's orders in (created, id) order, re-computes each order's award from its
current state and books only the difference, re-evaluates tier and VIP,
expires old points, gives back points of coupons that expired unused, and
auto-redeems (points given back wait for new points: `returned_points`). Every line and coupon has a deterministic key, so running the
planner twice, or applying the same plan twice, cannot book anything twice;
and planning the books that result from applying a plan gives an empty plan.

Service contract (the apply service must):
- `member_key`: a stable id of the member that never changes (the member's
  database id, not the email: a guest who registers keeps the key, and
  anonymising a member must not change the keys already booked);
- write the plan's ledger lines, coupons, order marks, coupon status changes
  and tier/VIP state in ONE transaction, with unique indexes on the ledger
  key and the coupon key (a unique-key conflict means another worker already
  applied the same decision: roll back and re-plan);
- `vip_spend_cutoff`: when `program.vip_top_percent` is set, the 12-month
  spend (eligible amount, as `vip.twelve_month_spend_and_orders` counts it)
  of the member at the top-N% boundary over all members, as of `now`;
  None otherwise;
- pass `now` from one clock read per run, timezone-aware UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import Decimal

from loyalty_sync.engine.coupons import coupon_status_changes, restore_lines
from loyalty_sync.engine.earning import Award, award_for_order, order_earns
from loyalty_sync.engine.evolve import evolve
from loyalty_sync.engine.expiry import expiry_lines
from loyalty_sync.engine.facts import OrderFacts, order_key
from loyalty_sync.engine.ledger import (
    CouponLine,
    CouponSource,
    LedgerKind,
    LedgerLine,
    MemberBooks,
    OrderRecord,
    VipPeriod,
    VipSource,
    pending_points,
)
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.months import start_of_next_month
from loyalty_sync.engine.program import CouponTemplate, Program
from loyalty_sync.engine.returned_points import returned_points_on_hold
from loyalty_sync.engine.rewards import auto_redeem_choices, new_coupon, redeem_count, redeem_lines
from loyalty_sync.engine.tiers import next_tier_state, tier_metric, tier_rank
from loyalty_sync.engine.vip import covers, had_membership, is_vip, paid_periods, period_sort_key, qualifies, vip_before
from loyalty_sync.engine.windows import OrderWindows

ONE = Decimal(1)
FREE_SHIPPING = CouponTemplate("fixed_cart", Decimal(0), free_shipping=True)


@dataclass(frozen=True)
class Plan:
    ledger: list[LedgerLine]
    coupons: list[CouponLine]
    # order_id -> (tier multiplier, VIP multiplier, program version) fixed
    # the first time the order counts (an earning status, even for 0 points:
    # otherwise a tier it helped reach would raise its own multiplier at the
    # next plan); only orders counting for the first time appear.
    order_marks: dict[int, tuple[Decimal, Decimal, int]]
    tier: str
    tier_below_since: datetime | None
    tiers_rewarded: frozenset[str]
    # The complete new list of VIP periods (replaces the stored one).
    vip_periods: tuple[VipPeriod, ...]
    notes: list[str]
    # coupon key -> new status for coupons already issued (used / expired).
    coupon_status: dict[str, str] = field(default_factory=dict)
    # True when tier, tier_below_since, tiers_rewarded or vip_periods differ
    # from the books the plan was made from.
    state_changed: bool = False

    @property
    def is_empty(self) -> bool:
        """Nothing to write: no line, no coupon, no mark, no status change."""
        return not (self.ledger or self.coupons or self.order_marks or self.coupon_status or self.state_changed)


def _tier_name_for(multiplier: Decimal, program: Program) -> str:
    for tier in program.tiers:
        if tier.multiplier == multiplier:
            return tier.name
    return ""


def _line_time(order, first: bool, now: datetime) -> datetime:
    """When the change happened: the first earn when the order reached its
    earning status, later changes at the order's last modification."""
    facts = order
    at = (facts.completed or facts.paid or facts.modified) if first else facts.modified
    at = max(at, facts.created)
    return min(at, now)


def _change_reason(rec: OrderRecord, award: Award, diff: int, program: Program, last_at: datetime | None) -> str:
    o = rec.facts
    ref = f"order #{o.order_id}"
    if rec.rows == 0 and diff > 0:
        return award.reason
    if diff < 0 and not order_earns(o, program):
        return f"{ref} {o.status}: {diff} points"
    if diff < 0 and o.refunds:
        recent = [r for r in o.refunds if last_at is None or r.created > last_at] or list(o.refunds)
        refunded = sum((r.amount for r in recent), Decimal(0))
        return f"{ref} refunded {money_text(refunded)}: {diff} points"
    sign = "+" if diff > 0 else ""
    return f"{ref} re-evaluated, {award.reason}: {sign}{diff} points"


def _last_line_at(ledger, order_id: int) -> datetime | None:
    """When the order's points last changed (asked only when they change again)."""
    return max(
        (
            line.at
            for line in ledger
            if line.order_id == order_id and line.kind in (LedgerKind.EARN, LedgerKind.REVERSE)
        ),
        default=None,
    )


def _order_views(orders: list, program: Program) -> tuple[OrderWindows, list]:
    """Window sums of the orders, and the orders that bought the membership product."""
    sku = program.vip_membership_sku
    return OrderWindows(orders, program), [o for o in orders if sku and had_membership(o, sku)]


@dataclass(frozen=True)
class HistoryViews:
    """A member's whole order history prepared once, for a replay through
    time that plans the member at many moments: window sums over the whole
    history answer every question a plan up to `now` asks (an order created
    later is outside every window that ends earlier), and the membership
    orders are cut at `now`."""

    windows: OrderWindows
    memberships: tuple[OrderFacts, ...]

    @classmethod
    def of(cls, orders: list[OrderFacts], program: Program) -> HistoryViews:
        windows, memberships = _order_views(orders, program)
        return cls(windows, tuple(memberships))


def _canonical(periods) -> tuple[VipPeriod, ...]:
    return tuple(sorted(periods, key=period_sort_key))


def plan_member(
    books: MemberBooks,
    program: Program,
    program_version: int,
    now: datetime,
    vip_spend_cutoff: Decimal | None = None,
    programs: Mapping[int, Program] | None = None,
    history: HistoryViews | None = None,
) -> Plan:
    """Everything that should be written for this member at `now`.

    `programs` (version number -> Program) lets an order that already earned
    be re-evaluated under the rules it earned with ("an order remembers the
    version it earned under"): a refund after a rate change takes back what
    the order got, not what it would get today.

    `history` (a replay's) must be built from orders of which those created
    up to `now` are exactly `books.orders`."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (UTC)")
    now = now.astimezone(timezone.utc)
    mk = books.member_key
    new_ledger: list[LedgerLine] = []
    new_coupons: list[CouponLine] = []
    notes: list[str] = []
    marks: dict[int, tuple[Decimal, Decimal, int]] = {}
    coupon_keys = {c.key for c in books.coupons}

    records = sorted(books.orders, key=lambda r: order_key(r.facts))
    all_orders = [r.facts for r in records]
    if history is not None:  # a replay's: prepared once for the member's whole history
        windows, memberships = history.windows, [o for o in history.memberships if o.created <= now]
    else:
        windows, memberships = _order_views(all_orders, program)

    # --- state the walk carries
    known = tier_rank(books.tier, program) >= 0
    tier = books.tier if known else program.entry_tier.name
    below = books.tier_below_since if known else None
    rewarded = set(books.tiers_rewarded)
    earned_once = {r.facts.order_id for r in records if r.tier_multiplier is not None or r.rows > 0}
    paid = list(paid_periods(memberships, program, earned_once))
    kept = [p for p in books.vip_periods if p.source not in (VipSource.PAID, VipSource.QUALIFIED)]
    qualified = [p for p in books.vip_periods if p.source == VipSource.QUALIFIED]
    points_by_order: dict[int, int] = {}

    def periods() -> list[VipPeriod]:
        return kept + paid + qualified

    def promote_or_demote(at: datetime, upto: int | None = None) -> None:
        """Re-evaluate the tier at `at` (just after order `upto` during the walk)."""
        nonlocal tier, below
        metric = tier_metric(all_orders, program, at, points_by_order, windows, upto)
        state = next_tier_state(tier, below, metric, at, program)
        if state.promoted_to is not None:
            reached = state.promoted_to
            notes.append(f"promoted to {reached.name} ({program.tier_metric} {metric} >= {reached.threshold})")
            key = f"tierup:{mk}:{reached.name}"
            if reached.tierup_coupon is not None and reached.name not in rewarded and key not in coupon_keys:
                new_coupons.append(
                    new_coupon(
                        key, CouponSource.TIERUP, reached.tierup_coupon, 0, now, program, f"welcome to {reached.name}"
                    )
                )
                coupon_keys.add(key)
                rewarded.add(reached.name)
        if state.demoted_from is not None:
            notes.append(f"{state.demoted_from} -> {state.tier}: {program.tier_grace_days} days below the threshold")
        tier, below = state.tier, state.below_since

    def open_qualified(at: datetime, cutoff: Decimal | None, upto: int | None = None) -> bool:
        """VIP by qualification at `at` (during the walk: just after order `upto`)."""
        ok = qualifies(all_orders, program, at, cutoff, windows, upto)
        if ok and not any(covers(p, at) for p in qualified):
            qualified.append(VipPeriod(VipSource.QUALIFIED, at, None, "qualified by 12-month spend and orders"))
            notes.append(f"VIP by qualification from {at:%Y-%m-%d}")
        return ok

    # --- 1. orders, oldest first
    for rec in records:
        o = rec.facts
        if rec.tier_multiplier is not None:
            tier_mult = rec.tier_multiplier
            vip_mult = rec.vip_multiplier if rec.vip_multiplier is not None else ONE
            tier_name = _tier_name_for(tier_mult, program)
        else:
            current = program.tier_named(tier) or program.entry_tier
            tier_mult, tier_name = current.multiplier, current.name
            # "just before the order": a membership bought in this order counts from the next one
            before = [p for p in periods() if p.order_id != o.order_id]
            vip_mult = program.vip_multiplier if vip_before(before, o) else ONE
        rules = program
        if programs and rec.program_version is not None:
            rules = programs.get(rec.program_version, program)
        award = award_for_order(o, rules, tier_mult, vip_mult, tier_name=tier_name)
        points_by_order[o.order_id] = award.points
        first_earn = rec.tier_multiplier is None and order_earns(o, rules)
        if first_earn:
            marks[o.order_id] = (tier_mult, vip_mult, program_version)
        diff = award.points - rec.earned
        if diff:
            version = rec.program_version if rec.program_version is not None else program_version
            new_ledger.append(
                LedgerLine(
                    key=f"order:{o.order_id}:{rec.rows + 1}",
                    kind=LedgerKind.EARN if diff > 0 else LedgerKind.REVERSE,
                    points=diff,
                    at=_line_time(o, rec.rows == 0, now),
                    order_id=o.order_id,
                    reason=_change_reason(rec, award, diff, program, _last_line_at(books.ledger, o.order_id)),
                    rule_version=version,
                    multiplier=tier_mult * vip_mult,
                )
            )
        if first_earn:
            at = min(o.created, now)
            promote_or_demote(at, o.order_id)
            open_qualified(at, None, o.order_id)

    # An order earning for the first time in this plan "once earned" from now
    # on: a membership it bought and that was already refunded or cancelled
    # gets its (ended) paid period now, not only at the next plan.
    if any(o.order_id in marks and o.order_id not in earned_once for o in memberships):
        paid = list(paid_periods(memberships, program, earned_once | set(marks)))

    # --- 2. tier and VIP as of now
    promote_or_demote(now)
    cutoff = vip_spend_cutoff if program.vip_top_percent is not None else None
    if not open_qualified(now, cutoff):
        for i, p in enumerate(qualified):
            if p.end is None or p.end > now:
                if p.start < now:
                    qualified[i] = replace(p, end=now)
                    notes.append("VIP qualification lost")
        qualified[:] = [p for p in qualified if p.end is None or p.end > p.start]
    vip_now = is_vip(periods(), now)

    # --- 3. VIP perks
    if vip_now:
        if program.vip_free_shipping_monthly:
            key = f"vip_free_shipping:{mk}:{now:%Y-%m}"
            if key not in coupon_keys:
                month_end = start_of_next_month(now)
                new_coupons.append(
                    new_coupon(
                        key,
                        CouponSource.VIP_FREE_SHIPPING,
                        FREE_SHIPPING,
                        0,
                        now,
                        program,
                        f"VIP free shipping {now:%Y-%m}",
                        expires=month_end,
                    )
                )
                coupon_keys.add(key)
        if program.vip_exclusive_coupon is not None:
            key = f"vip_exclusive:{mk}:{now:%Y}"
            if key not in coupon_keys:
                new_coupons.append(
                    new_coupon(
                        key,
                        CouponSource.VIP_EXCLUSIVE,
                        program.vip_exclusive_coupon,
                        0,
                        now,
                        program,
                        f"VIP exclusive coupon {now:%Y}",
                    )
                )
                coupon_keys.add(key)

    # --- 4. coupons used or expired; points back for the expired ones
    status_changes = coupon_status_changes(books.coupons, all_orders, now)
    ledger_so_far = list(books.ledger) + new_ledger
    new_ledger += restore_lines(books.coupons, status_changes, ledger_so_far, program, program_version)

    # --- 5. expiry at now
    ledger_so_far = list(books.ledger) + new_ledger
    new_ledger += expiry_lines(ledger_so_far, all_orders, now, program, program_version)

    # --- 6. auto-redeem what is spendable, but not points an unused coupon
    # just gave back (they wait for new points: no coupon-expires-coupon loop)
    if program.auto_redeem:
        ledger_so_far = list(books.ledger) + new_ledger
        spendable = sum(line.points for line in ledger_so_far) - pending_points(
            ledger_so_far, now, program.pending_days
        )
        spendable -= returned_points_on_hold(ledger_so_far, now, program.pending_days)
        number = redeem_count(ledger_so_far)
        for reward in auto_redeem_choices(spendable, program):
            number += 1
            line, coupon = redeem_lines(reward, mk, number, now, program, program_version)
            new_ledger.append(line)
            new_coupons.append(coupon)

    vip_periods = _canonical(periods())
    changed = (
        tier != books.tier
        or below != books.tier_below_since
        or frozenset(rewarded) != books.tiers_rewarded
        or vip_periods != _canonical(books.vip_periods)
    )
    return Plan(
        ledger=new_ledger,
        coupons=new_coupons,
        order_marks=marks,
        tier=tier,
        tier_below_since=below,
        tiers_rewarded=frozenset(rewarded),
        vip_periods=vip_periods,
        notes=notes,
        coupon_status=status_changes,
        state_changed=changed,
    )


def apply_plan(books: MemberBooks, plan: Plan) -> MemberBooks:
    """The books as they are after the service wrote `plan` (pure; for tests
    and what-if replays, and the reference for what the service writes)."""
    per_order: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for line in plan.ledger:
        if line.order_id is not None and line.kind in (LedgerKind.EARN, LedgerKind.REVERSE):
            per_order[line.order_id][0] += line.points
            per_order[line.order_id][1] += 1
    orders = []
    for rec in books.orders:
        oid = rec.facts.order_id
        if oid in per_order or oid in plan.order_marks:  # (built directly: replace() is slow in a replay)
            points, rows = per_order.get(oid, (0, 0))
            tm, vm, version = plan.order_marks.get(oid, (rec.tier_multiplier, rec.vip_multiplier, rec.program_version))
            rec = OrderRecord(
                facts=rec.facts,
                earned=rec.earned + points,
                rows=rec.rows + rows,
                tier_multiplier=tm,
                vip_multiplier=vm,
                program_version=version,
            )
        orders.append(rec)
    coupons = tuple(
        evolve(c, status=plan.coupon_status[c.key]) if c.key in plan.coupon_status else c for c in books.coupons
    ) + tuple(plan.coupons)
    return evolve(
        books,
        orders=tuple(orders),
        ledger=tuple(books.ledger) + tuple(plan.ledger),
        coupons=coupons,
        tier=plan.tier,
        tier_below_since=plan.tier_below_since,
        tiers_rewarded=plan.tiers_rewarded,
        vip_periods=plan.vip_periods,
    )
