"""The points preview equals what the order earns once it is completed: a
hypothesis property over random carts, members (tier, VIP), product and
category multipliers with date windows, rates, rounding and tax settings.
Preview first, then apply the same order with `apply_orders` and compare
the ledger line."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_sync.actions.member_actions import invite_to_vip
from loyalty_sync.analysis.points_preview import CartLine, preview_points
from loyalty_sync.books.apply import apply_customers, apply_orders, apply_products
from loyalty_sync.books.program_versions import save_program
from loyalty_sync.books.statements import find_member
from loyalty_sync.engine.program import DEFAULT_PROGRAM, MultiplierRule
from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry, Member
from tests.support import wc
from tests.support.members import NOW
from tests.support.stores import OFFLINE, make_store

PRODUCTS = {11: (1,), 12: (1, 2), 13: (2,), 14: (), 15: (3,)}
CAMPAIGN_START = NOW + timedelta(days=10)
RULES = (
    MultiplierRule(Decimal(2), product_id=11, label="double on 11"),
    MultiplierRule(Decimal("1.5"), category_id=2, label="x1.5 on category 2"),
    MultiplierRule(
        Decimal(3), category_id=3, starts=CAMPAIGN_START, ends=CAMPAIGN_START + timedelta(days=5), label="triple week"
    ),
)

money = st.decimals(
    min_value=Decimal("0.00"), max_value=Decimal("400.00"), places=2, allow_nan=False, allow_infinity=False
)
cart_line = st.tuples(
    st.sampled_from(sorted(PRODUCTS)),
    st.integers(1, 5),
    money,
    st.sampled_from([Decimal("0.00"), Decimal("1.90"), Decimal("7.77")]),
)
counter = iter(range(10_000, 10**9))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    lines=st.lists(cart_line, min_size=1, max_size=4),
    history=st.sampled_from([[], ["400.00"], ["1200.00"]]),
    vip=st.booleans(),
    days_ahead=st.integers(0, 20),
    rate=st.sampled_from([Decimal(1), Decimal("1.5"), Decimal("0.1")]),
    rounding=st.sampled_from(["floor", "round", "ceil"]),
    include_tax=st.booleans(),
    stack=st.booleans(),
)
def test_preview_equals_the_completed_order(app, lines, history, vip, days_ahead, rate, rounding, include_tax, stack):
    store = _store()
    save_program(
        store,
        replace(
            DEFAULT_PROGRAM,
            auto_redeem=False,
            multipliers=RULES,
            rate=rate,
            rounding=rounding,
            include_tax=include_tax,
            stack_multipliers=stack,
        ),
        actor="test",
    )
    customer_id = next(counter)
    email = f"c{customer_id}@example.com"
    apply_customers(store, [wc.customer(customer_id, email)], now=NOW)
    if history:
        apply_orders(
            store,
            [
                wc.order(
                    next(counter),
                    customer_id=customer_id,
                    email=email,
                    created=NOW - timedelta(days=30),
                    lines=[wc.line(next(counter), history[0], product_id=14)],
                )
            ],
            now=NOW,
        )
    member = find_member(store, str(customer_id))
    if vip:
        invite_to_vip(store, member, "test", actor="test", now=NOW)
    db.session.commit()

    at = NOW + timedelta(days=days_ahead, hours=1)
    cart = [CartLine(product_id=p, quantity=q, total=total, total_tax=tax) for p, q, total, tax in lines]
    before = db.session.execute(db.select(db.func.count()).select_from(LedgerEntry)).scalar()
    preview = preview_points(store, db.session.get(Member, member.id), cart, at=at)
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count()).select_from(LedgerEntry)).scalar() == before

    order_id = next(counter)
    items = [
        wc.line(order_id * 10 + i, f"{total:.2f}", product_id=p, quantity=q, tax=f"{tax:.2f}")
        for i, (p, q, total, tax) in enumerate(lines)
    ]
    apply_orders(
        store,
        [wc.order(order_id, customer_id=customer_id, email=email, created=at, lines=items)],
        now=at + timedelta(minutes=5),
    )
    db.session.commit()
    line = db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.store_id == store.id, LedgerEntry.order_wc_id == order_id)
    ).scalar_one_or_none()
    booked = line.points if line is not None else 0
    assert booked == preview["points"], (preview, line.reason if line else None)
    if line is not None:
        expected = Decimal(preview["tier_multiplier"]) * Decimal(preview["vip_multiplier"])
        assert line.multiplier == expected.normalize()
    assert preview["vip"] is vip


def _store():
    from loyalty_sync.models import Store

    store = db.session.execute(db.select(Store).filter_by(name="preview")).scalar_one_or_none()
    if store is None:
        store = make_store("preview", **OFFLINE)
        apply_products(store, [wc.product(pid, categories=cats) for pid, cats in PRODUCTS.items()])
        db.session.commit()
    return store


def test_preview_of_a_cart_below_the_minimum_or_zero(app):
    store = make_store("minimum", **OFFLINE, min_order=Decimal(20))
    small = preview_points(store, None, [CartLine(product_id=1, quantity=1, total=Decimal("19.99"))])
    assert small["points"] == 0 and small["earns"] is False and "minimum" in small["reason"]
    assert preview_points(store, None, [CartLine(product_id=1, quantity=1, total=Decimal("20.00"))])["points"] == 20
