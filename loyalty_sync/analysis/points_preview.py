"""The points a cart would earn, before it is ordered (POST /api/v1/points-preview).

The cart becomes the same `OrderFacts` a completed order would be (same
catalogue categories, the order's date) and goes through the engine's own
`award_for_order` with the multipliers the planner would fix at its first
earn: the member's current tier, and VIP if a VIP period covers the date.
So the preview is what the books will book when the order completes under the
same rules (tests/storefront/test_points_preview.py proves it over random
carts). Nothing is written: the program is read by `program_in_force`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from decimal import Decimal

from loyalty_sync.books.apply import categories_by_product
from loyalty_sync.books.member_books import load_books
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.earning import award_for_order, order_earns, rule_applies
from loyalty_sync.engine.facts import OrderFacts, OrderLine
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.tiers import tier_rank
from loyalty_sync.engine.vip import is_vip
from loyalty_sync.models import Member, Store

ONE = Decimal(1)
PREVIEW_ORDER_ID = 0


@dataclass(frozen=True)
class CartLine:
    product_id: int
    quantity: int
    total: Decimal
    variation_id: int = 0
    total_tax: Decimal = Decimal(0)


def member_multipliers(member: Member | None, program: Program, at: datetime) -> tuple[str, Decimal, Decimal, bool]:
    """(tier name, tier multiplier, VIP multiplier, is VIP) the planner would
    fix for a new order of this member created at `at`."""
    if member is None:
        entry = program.entry_tier
        return entry.name, entry.multiplier, ONE, False
    tier = program.tier_named(member.tier) if tier_rank(member.tier, program) >= 0 else None
    tier = tier or program.entry_tier
    books = load_books([member]).books[member.id]
    vip = is_vip(tuple(books.vip_periods), at)
    return tier.name, tier.multiplier, (program.vip_multiplier if vip else ONE), vip


def cart_facts(
    store: Store,
    lines: list[CartLine],
    at: datetime,
    *,
    currency: str | None = None,
    shipping_total: Decimal = Decimal(0),
    shipping_tax: Decimal = Decimal(0),
    catalogue: dict[int, frozenset[int]] | None = None,
) -> OrderFacts:
    catalogue = categories_by_product(store) if catalogue is None else catalogue
    order_lines = tuple(
        OrderLine(
            line_id=i + 1,
            product_id=cart.product_id,
            variation_id=cart.variation_id,
            sku="",
            quantity=cart.quantity,
            total=Decimal(cart.total),
            total_tax=Decimal(cart.total_tax),
            categories=frozenset(catalogue.get(cart.product_id, frozenset())),
        )
        for i, cart in enumerate(lines)
    )
    items = sum((ln.total + ln.total_tax for ln in order_lines), Decimal(0))
    return OrderFacts(
        order_id=PREVIEW_ORDER_ID,
        status="completed",
        created=at,
        modified=at,
        paid=at,
        completed=at,
        currency=currency or store.currency,
        customer_id=0,
        email="",
        total=items + shipping_total + shipping_tax,
        total_tax=sum((ln.total_tax for ln in order_lines), Decimal(0)) + shipping_tax,
        shipping_total=shipping_total,
        shipping_tax=shipping_tax,
        discount_total=Decimal(0),
        lines=order_lines,
        refunds=(),
        coupon_codes=(),
    )


def preview_points(
    store: Store,
    member: Member | None,
    lines: list[CartLine],
    *,
    at: datetime | None = None,
    shipping_total: Decimal = Decimal(0),
    shipping_tax: Decimal = Decimal(0),
) -> dict:
    """The preview as the API answers it (JSON-able)."""
    at = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    version, program = program_in_force(store)
    tier_name, tier_mult, vip_mult, vip = member_multipliers(member, program, at)
    facts = cart_facts(store, lines, at, shipping_total=shipping_total, shipping_tax=shipping_tax)
    if facts.status not in program.earning_statuses and program.earning_statuses:
        # the cart is previewed as the order will be when it earns
        facts = replace(facts, status=program.earning_statuses[0])
    award = award_for_order(facts, program, tier_mult, vip_mult, tier_name=tier_name)
    breakdown = []
    for line, part in zip(facts.lines, award.line_breakdown, strict=True):
        rules = [r for r in program.multipliers if rule_applies(r, line, at)]
        if rules and not program.stack_multipliers:  # the highest one applies
            rules = [max(rules, key=lambda r: r.factor)]
        breakdown.append(
            {
                "line": line.line_id,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "eligible": money_text(part.net_total),
                "multiplier": _factor(part.multiplier),
                "rules": [r.label or _rule_text(r) for r in rules],
                "weighted": money_text(part.weighted),
            }
        )
    return {
        "points": award.points,
        "earns": order_earns(facts, program) and award.points > 0,
        "eligible": money_text(award.base),
        "currency": facts.currency,
        "tier": tier_name,
        "tier_multiplier": _factor(tier_mult),
        "vip": vip,
        "vip_multiplier": _factor(vip_mult),
        "rate": _factor(program.rate),
        "program_version": version,
        "date": at.isoformat(),
        "reason": award.reason.replace(f"order #{PREVIEW_ORDER_ID}", "this cart"),
        "lines": breakdown,
    }


def _rule_text(rule) -> str:
    if rule.product_id is not None:
        return f"x{_factor(rule.factor)} on product {rule.product_id}"
    if rule.category_id is not None:
        return f"x{_factor(rule.factor)} on category {rule.category_id}"
    return f"x{_factor(rule.factor)} store-wide"


def _factor(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")
