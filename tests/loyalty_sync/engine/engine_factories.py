"""Builders for engine tests: small orders and books with readable defaults,
so no test hand-writes an order twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from loyalty_sync.engine.facts import OrderFacts, OrderLine, Refund, RefundLine
from loyalty_sync.engine.ledger import MemberBooks, OrderRecord
from loyalty_sync.engine.plan import apply_plan, plan_member
from loyalty_sync.engine.program import DEFAULT_PROGRAM, Program

UTC = timezone.utc
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
D = Decimal


def day(n: float) -> datetime:
    """T0 + n days (noon UTC on 2026-01-01 is day 0)."""
    return T0 + timedelta(days=n)


def line(line_id=1, total="100.00", tax="0.00", product_id=None, sku="", quantity=1, categories=()):
    return OrderLine(
        line_id=line_id,
        product_id=product_id if product_id is not None else 100 + line_id,
        variation_id=0,
        sku=sku,
        quantity=quantity,
        total=D(total),
        total_tax=D(tax),
        categories=frozenset(categories),
    )


def order(
    order_id=1,
    *lines: OrderLine,
    status="completed",
    created=None,
    completed=None,
    modified=None,
    shipping="0.00",
    shipping_tax="0.00",
    refunds=(),
    coupon_codes=(),
    email="anna@example.com",
    total=None,
) -> OrderFacts:
    """An order; with no lines, one line of 100.00 without tax. The order total
    is lines + line tax + shipping + shipping tax unless given."""
    lines = lines or (line(),)
    created = created or T0
    completed = completed if completed is not None else (created if status == "completed" else None)
    if total is None:
        total = sum((ln.total + ln.total_tax for ln in lines), D(0)) + D(shipping) + D(shipping_tax)
    return OrderFacts(
        order_id=order_id,
        status=status,
        created=created,
        modified=modified or max([created] + [r.created for r in refunds]),
        paid=created,
        completed=completed,
        currency="EUR",
        customer_id=7,
        email=email,
        total=D(total),
        total_tax=sum((ln.total_tax for ln in lines), D(0)) + D(shipping_tax),
        shipping_total=D(shipping),
        shipping_tax=D(shipping_tax),
        discount_total=D(0),
        lines=tuple(lines),
        refunds=tuple(refunds),
        coupon_codes=tuple(coupon_codes),
    )


def line_refund(refund_id, at, *parts, amount=None) -> Refund:
    """parts: (line_id, quantity, total) without tax."""
    lines = tuple(RefundLine(lid, qty, D(total)) for lid, qty, total in parts)
    return Refund(refund_id, at, D(amount) if amount is not None else sum((rl.total for rl in lines), D(0)), lines)


def amount_refund(refund_id, at, amount) -> Refund:
    return Refund(refund_id, at, D(amount), ())


def books(*orders: OrderFacts, tier="Bronze", **kw) -> MemberBooks:
    return MemberBooks(
        member_key=kw.pop("member_key", "m1"),
        email="anna@example.com",
        orders=tuple(OrderRecord(o) for o in orders),
        ledger=kw.pop("ledger", ()),
        coupons=kw.pop("coupons", ()),
        tier=tier,
        **kw,
    )


def with_orders(b: MemberBooks, *orders: OrderFacts) -> MemberBooks:
    """The books after a sync saw these orders (new ones added, known ones
    replaced by their current state, what they earned kept)."""
    by_id = {r.facts.order_id: r for r in b.orders}
    records = list(b.orders)
    for o in orders:
        if o.order_id in by_id:
            records = [
                r
                if r.facts.order_id != o.order_id
                else type(r)(o, r.earned, r.rows, r.tier_multiplier, r.vip_multiplier, r.program_version)
                for r in records
            ]
        else:
            records.append(OrderRecord(o))
    return type(b)(**{**b.__dict__, "orders": tuple(records)})


def settle(b: MemberBooks, now: datetime, program: Program = DEFAULT_PROGRAM, version: int = 1, cutoff=None):
    """Plan, apply, and check that planning again is empty. Returns (books, plan)."""
    plan = plan_member(b, program, version, now, cutoff)
    after = apply_plan(b, plan)
    again = plan_member(after, program, version, now, cutoff)
    assert again.is_empty, f"not idempotent: {again}"
    return after, plan


def earned(b: MemberBooks, order_id: int) -> int:
    return next(r.earned for r in b.orders if r.facts.order_id == order_id)
