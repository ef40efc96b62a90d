"""Property tests: random order histories, planned and applied event by event."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal as D

from engine_factories import T0, books
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_sync.engine.earning import award_for_order
from loyalty_sync.engine.facts import OrderFacts, OrderLine, Refund, RefundLine
from loyalty_sync.engine.ledger import LedgerKind, OrderRecord
from loyalty_sync.engine.plan import apply_plan, plan_member
from loyalty_sync.engine.program import DEFAULT_PROGRAM, MultiplierRule

CENT = D("0.01")
TAX = D("0.19")

PROGRAMS = st.builds(
    lambda pending, stack, rounding, expiry, tax, restore, grace: replace(
        DEFAULT_PROGRAM,
        pending_days=pending,
        stack_multipliers=stack,
        rounding=rounding,
        expiry_mode=expiry,
        expiry_months=2,
        include_tax=tax,
        restore_on_expiry=restore,
        tier_grace_days=grace,
        vip_min_orders=3,
        vip_min_spend=D(400),
        earning_statuses=("processing", "completed"),
        multipliers=(
            MultiplierRule(D(2), category_id=1),
            MultiplierRule(D("1.5"), product_id=102, starts=T0, ends=T0 + timedelta(days=20)),
        ),
    ),
    st.sampled_from([0, 14]),
    st.booleans(),
    st.sampled_from(["floor", "round", "ceil"]),
    st.sampled_from(["fifo", "inactivity", "none"]),
    st.booleans(),
    st.booleans(),
    st.sampled_from([0, 30]),
)

money = st.integers(min_value=0, max_value=90000).map(lambda c: (D(c) / 100).quantize(CENT))

EVENTS = st.lists(
    st.tuples(
        st.sampled_from(
            ["create", "create", "complete", "process", "refund_line", "refund_amount", "cancel", "edit", "wait"]
        ),
        st.integers(min_value=0, max_value=7),  # which order
        money,
        st.integers(min_value=0, max_value=3),  # which line
        st.sampled_from([0, 0.5, 1, 3, 10, 31, 70]),  # days until the next plan
    ),
    min_size=1,
    max_size=14,
)


def _total(lines, shipping=D("4.90")):
    return sum((ln.total + ln.total_tax for ln in lines), D(0)) + shipping


def _make_order(order_id, amount, now, n_lines, status):
    lines = []
    for i in range(n_lines):
        total = (amount / n_lines).quantize(CENT) + i
        lines.append(
            OrderLine(
                i + 1,
                100 + i + 1,
                0,
                "VIP-MEMBERSHIP" if (order_id % 5 == 4 and i == 0) else "",
                1 + i,
                total,
                (total * TAX).quantize(CENT),
                frozenset({1}) if i == 1 else frozenset(),
            )
        )
    return OrderFacts(
        order_id,
        status,
        now,
        now,
        now,
        now if status == "completed" else None,
        "EUR",
        7,
        "anna@example.com",
        _total(lines),
        sum((ln.total_tax for ln in lines), D(0)),
        D("4.90"),
        D(0),
        D(0),
        tuple(lines),
        (),
        (),
    )


def _refunded(o):
    return sum((r.amount for r in o.refunds), D(0))


def _step(orders, event, now, refund_ids):
    kind, which, amount, line_no, _ = event
    ids = sorted(orders)
    if kind == "create" or not ids:
        if kind != "create":
            return
        oid = len(ids) + 1
        orders[oid] = _make_order(oid, amount, now, 1 + line_no % 3, "completed" if which % 2 else "pending")
        return
    o = orders[ids[which % len(ids)]]
    left = o.total - _refunded(o)
    if kind == "complete" and o.status in ("pending", "processing", "on-hold"):
        o = replace(o, status="completed", completed=now, modified=now)
    elif kind == "process" and o.status == "pending":
        o = replace(o, status="processing", modified=now)
    elif kind == "cancel" and o.status != "cancelled":
        o = replace(o, status="cancelled", modified=now)
    elif kind == "refund_amount" and left > 0:
        part = min(amount, left)
        if part > 0:
            refund_ids[0] += 1
            o = replace(
                o,
                refunds=o.refunds + (Refund(refund_ids[0], now, part, ()),),
                modified=now,
                status="refunded" if part == left else o.status,
            )
    elif kind == "refund_line" and left > 0:
        ln = o.lines[line_no % len(o.lines)]
        done = sum((rl.total for r in o.refunds for rl in r.lines if rl.line_id == ln.line_id), D(0))
        part = min(amount, ln.total - done)
        with_tax = (part * (1 + TAX)).quantize(CENT)
        if part > 0 and with_tax <= left:
            refund_ids[0] += 1
            o = replace(
                o,
                refunds=o.refunds + (Refund(refund_ids[0], now, with_tax, (RefundLine(ln.line_id, 1, part),)),),
                modified=now,
            )
    elif kind == "edit" and not o.refunds:
        lines = list(o.lines)
        i = line_no % len(lines)
        lines[i] = replace(lines[i], total=amount, total_tax=(amount * TAX).quantize(CENT))
        o = replace(o, lines=tuple(lines), total=_total(lines), modified=now)
    orders[o.order_id] = o


def _with_current_facts(b, orders):
    """The books as the sync sees them: every order in its current state."""
    by_id = {r.facts.order_id: r for r in b.orders}
    records = tuple(
        replace(by_id[oid], facts=o) if oid in by_id else OrderRecord(o) for oid, o in sorted(orders.items())
    )
    return replace(b, orders=records)


@settings(
    max_examples=int(__import__("os").environ.get("ENGINE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(program=PROGRAMS, events=EVENTS)
def test_random_histories_keep_the_books_straight(program, events):
    b = books()
    orders: dict[int, OrderFacts] = {}
    now = T0
    refund_ids = [0]
    version = 1
    for event in events:
        _step(orders, event, now, refund_ids)
        b = _with_current_facts(b, orders)
        plan = plan_member(b, program, version, now)
        b = apply_plan(b, plan)
        again = plan_member(b, program, version, now)
        assert again.is_empty, again

        keys = [ln.key for ln in b.ledger]
        assert len(keys) == len(set(keys)), "duplicate ledger key"
        coupon_keys = [c.key for c in b.coupons]
        assert len(coupon_keys) == len(set(coupon_keys)), "duplicate coupon key"
        assert b.balance == sum(ln.points for ln in b.ledger)
        redeemed = -sum(ln.points for ln in b.ledger if ln.kind == LedgerKind.REDEEM)
        assert redeemed == sum(c.points_cost for c in b.coupons if c.source == "reward")
        for rec in b.orders:
            order_lines = [ln for ln in b.ledger if ln.order_id == rec.facts.order_id]
            assert rec.earned == sum(ln.points for ln in order_lines)
            assert rec.rows == len(order_lines)
            if rec.tier_multiplier is None:
                assert rec.earned == 0
                continue
            award = award_for_order(rec.facts, program, rec.tier_multiplier, rec.vip_multiplier)
            assert 0 <= rec.earned <= award.points
            assert rec.earned == award.points
        # ledger `at` never in the future
        assert all(ln.at <= now for ln in b.ledger)
        now = now + timedelta(days=event[4])


def _fresh_moments(ledger, pending_days):
    """When new points (earnings, bonuses, additions; not coupons' points
    back) became spendable: an order's earning at the end of its return window."""
    window = timedelta(days=pending_days)
    return [
        ln.at + window if ln.kind == LedgerKind.EARN and ln.order_id is not None else ln.at
        for ln in ledger
        if ln.points > 0 and ln.kind in (LedgerKind.EARN, LedgerKind.BONUS, LedgerKind.ADJUST)
    ]


@settings(
    max_examples=int(__import__("os").environ.get("ENGINE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(program=PROGRAMS, events=EVENTS)
def test_no_auto_redeem_coupon_without_new_points(program, events):
    """The auto-redeem loop cannot happen: a plan auto-redeems only when new
    points became spendable since the previous plan (booked by this plan, or
    out of their return window since), so points an expired
    coupon gave back are never turned into a coupon again on their own, and
    a member who stops buying stops getting coupons."""
    b = books()
    orders: dict[int, OrderFacts] = {}
    now, before = T0, None
    refund_ids = [0]
    quiet = [("wait", 0, D(0), 0, 45)] * 12  # then the member stops buying: 18 months of plans
    for event in list(events) + quiet:
        _step(orders, event, now, refund_ids)
        b = _with_current_facts(b, orders)
        plan = plan_member(b, program, 1, now)
        b = apply_plan(b, plan)
        if any(ln.kind == LedgerKind.REDEEM for ln in plan.ledger):
            booked_now = any(at <= now for at in _fresh_moments(plan.ledger, program.pending_days))
            came_due = before is not None and any(
                before < at <= now for at in _fresh_moments(b.ledger, program.pending_days)
            )
            assert before is None or booked_now or came_due, f"coupon without new points at {now}: {plan.ledger}"
        before = now
        now = now + timedelta(days=event[4])
