"""How many points one order earns (PRODUCT.md, "How one order's award is computed").

    points = rounding( rate * tier_mult * vip_mult * sum(line.total * line_mult) )

`line.total` is net of refunds: a refund with line items reduces those lines
by their refunded totals; a refund given only as an amount counts as a share
of the whole order and reduces every line by line.total * amount / order.total
(the order total includes tax and shipping, like the refund amount does; an
order whose total is 0 or below has no share to refund). A negative fee line
is a discount on the items, spread over the lines by their totals; the
eligible amount never goes below 0 (PRODUCT.md, "Reversals").

Everything is Decimal; the only rounding is the final one to whole points,
after the result is fixed at 9 decimals so that a share like
44.82 * 115.39 / 115.39 cannot floor 149.999... down to 149.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from loyalty_sync.engine.facts import OrderFacts, OrderLine
from loyalty_sync.engine.memo import IdentityMemo
from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.program import NEVER_EARNING_STATUSES, Program

ZERO = Decimal(0)
ONE = Decimal(1)
_EXACT = Decimal("1e-9")
_ROUNDING = {"floor": ROUND_FLOOR, "round": ROUND_HALF_UP, "ceil": ROUND_CEILING}


@dataclass(frozen=True)
class LineAward:
    """One line's part of the award, for the member's "why" view."""

    line_id: int
    product_id: int
    net_total: Decimal  # after refunds (plus its tax when tax is included)
    multiplier: Decimal
    weighted: Decimal  # net_total * multiplier


@dataclass(frozen=True)
class Award:
    points: int
    # The eligible amount (money, before any multiplier).
    base: Decimal
    line_breakdown: tuple[LineAward, ...]
    reason: str
    # sum(line net * line multiplier) (+ shipping when included).
    weighted: Decimal = ZERO


# Pure results, remembered by the identity of the frozen order and program
# (amounts: of the order and the program's money basis, below).
_LINE_AMOUNTS = IdentityMemo()
_ELIGIBLE = IdentityMemo()
_AWARDS = IdentityMemo()
_BASES: dict[tuple[bool, bool], tuple[bool, bool]] = {}


def _money_basis(program: Program) -> tuple[bool, bool]:
    """What an order's money amounts depend on in a program (tax, shipping),
    as one object per combination: two programs that count money alike
    share their remembered amounts (a what-if replays under both)."""
    key = (program.include_tax, program.include_shipping)
    return _BASES.setdefault(key, key)


def order_earns(order: OrderFacts, program: Program) -> bool:
    """The order is in a status that earns (cancelled/refunded/failed never do)."""
    return order.status in program.earning_statuses and order.status not in NEVER_EARNING_STATUSES


def round_points(value: Decimal, program: Program) -> int:
    mode = _ROUNDING.get(program.rounding, ROUND_FLOOR)
    return int(value.quantize(_EXACT, rounding=ROUND_HALF_UP).to_integral_value(rounding=mode))


def _amount_only_share(order: OrderFacts) -> Decimal:
    """The part of the order refunded by amount-only refunds (0..1)."""
    refunded = sum((r.amount for r in order.refunds if not r.lines), ZERO)
    if refunded <= 0 or order.total <= 0:
        return ZERO
    return min(ONE, refunded / order.total)


def net_line_totals(order: OrderFacts) -> dict[int, Decimal]:
    """Each line's total after its own refunds and its share of amount-only refunds."""
    with localcontext() as ctx:
        ctx.prec = 34
        by_line: dict[int, Decimal] = {}
        for refund in order.refunds:
            for rl in refund.lines:
                by_line[rl.line_id] = by_line.get(rl.line_id, ZERO) + rl.total
        share = _amount_only_share(order)
        kept = _after_fee_discount(order)
        result = {}
        for line in order.lines:
            net = line.total - by_line.get(line.line_id, ZERO) - line.total * share
            result[line.line_id] = max(ZERO, net) * kept
        return result


def _after_fee_discount(order: OrderFacts) -> Decimal:
    """The part of the items a negative fee leaves (0..1): 1 without one, 0
    when the fee is as large as the items or larger."""
    if not order.fee_discount:
        return ONE
    items = sum((line.total for line in order.lines), ZERO)
    if items <= order.fee_discount:
        return ZERO
    return ONE - order.fee_discount / items


def _line_amounts(order: OrderFacts, program: Program) -> dict[int, Decimal]:
    """Net line amounts as the program counts them (tax added when switched on,
    in proportion to what is left of the line). Read-only: remembered."""
    return _LINE_AMOUNTS.get_or_compute(order, _money_basis(program), None, _compute_line_amounts, order, program)


def _compute_line_amounts(order: OrderFacts, program: Program) -> dict[int, Decimal]:
    nets = net_line_totals(order)
    if not program.include_tax:
        return nets
    with localcontext() as ctx:
        ctx.prec = 34
        out = {}
        for line in order.lines:
            net = nets[line.line_id]
            if line.total > 0:
                out[line.line_id] = net + line.total_tax * net / line.total
            elif not any(rl.line_id == line.line_id for r in order.refunds for rl in r.lines):
                # A free line with tax (rare): only amount-only refunds touch it.
                out[line.line_id] = line.total_tax * (ONE - _amount_only_share(order))
            else:
                out[line.line_id] = ZERO
        return out


def _shipping_amount(order: OrderFacts, program: Program) -> Decimal:
    if not program.include_shipping:
        return ZERO
    shipping = order.shipping_total + (order.shipping_tax if program.include_tax else ZERO)
    with localcontext() as ctx:
        ctx.prec = 34
        return max(ZERO, shipping * (ONE - _amount_only_share(order)))


def eligible_amount(order: OrderFacts, program: Program) -> Decimal:
    """The money the order earns on, net of refunds, before any multiplier.

    This ignores the status on purpose: it is "what the order is worth to the
    program"; whether it earns at all is `order_earns`. Also the tier "spend".
    """
    return _ELIGIBLE.get_or_compute(order, _money_basis(program), None, _eligible_amount, order, program)


def _eligible_amount(order: OrderFacts, program: Program) -> Decimal:
    total = sum(_line_amounts(order, program).values(), ZERO) + _shipping_amount(order, program)
    return total.quantize(_EXACT, rounding=ROUND_HALF_UP)


def rule_applies(rule, line: OrderLine, at: datetime) -> bool:
    if rule.starts is not None and at < rule.starts:
        return False
    if rule.ends is not None and at >= rule.ends:  # the end is exclusive
        return False
    if rule.product_id is None and rule.category_id is None:
        return True  # a store-wide campaign
    if rule.product_id is not None and rule.product_id in (line.product_id, line.variation_id):
        return True
    return rule.category_id is not None and rule.category_id in line.categories


def line_multiplier(line: OrderLine, at: datetime, program: Program) -> Decimal:
    """The multiplier of one line on the order's date: the highest of the
    rules that apply (or their product when the shop stacks them); 1 if none."""
    if not program.multipliers:
        return ONE
    factors = [rule.factor for rule in program.multipliers if rule_applies(rule, line, at)]
    if not factors:
        return ONE
    if program.stack_multipliers:
        result = ONE
        for f in factors:
            result *= f
        return result
    return max(factors)


def _factor(value: Decimal) -> str:
    """1.25 -> "1.25", 1.0 -> "1", 2.50 -> "2.5"."""
    text = format(value.normalize(), "f")
    return text


def award_for_order(
    order: OrderFacts,
    program: Program,
    tier_mult: Decimal,
    vip_mult: Decimal,
    *,
    tier_name: str = "",
) -> Award:
    """The points the order deserves in its current state (status, items,
    refunds), with the member multipliers fixed at its first earn."""
    return _AWARDS.get_or_compute(
        order,
        program,
        (tier_mult, vip_mult, tier_name),
        _award_for_order,
        order,
        program,
        tier_mult,
        vip_mult,
        tier_name,
    )


def _award_for_order(
    order: OrderFacts, program: Program, tier_mult: Decimal, vip_mult: Decimal, tier_name: str
) -> Award:
    amounts = _line_amounts(order, program)
    breakdown = []
    weighted = ZERO
    for line in order.lines:
        mult = line_multiplier(line, order.created, program)
        net = amounts[line.line_id]
        breakdown.append(LineAward(line.line_id, line.product_id, net, mult, net * mult))
        weighted += net * mult
    shipping = _shipping_amount(order, program)
    weighted = (weighted + shipping).quantize(_EXACT, rounding=ROUND_HALF_UP)
    base = eligible_amount(order, program)
    ref = f"order #{order.order_id}"

    if not order_earns(order, program):
        return Award(0, base, tuple(breakdown), f"{ref} is {order.status}: earns nothing", weighted)
    if base < program.min_order:
        return Award(
            0,
            base,
            tuple(breakdown),
            f"{ref}: {money_text(base)} {order.currency} eligible, below the minimum of "
            f"{money_text(program.min_order)}: earns nothing",
            weighted,
        )
    with localcontext() as ctx:
        ctx.prec = 34
        points = round_points(program.rate * tier_mult * vip_mult * weighted, program)
    parts = [f"{ref}: {money_text(base)} {order.currency} eligible"]
    if weighted != base:
        parts.append(f"({money_text(weighted)} with product multipliers)")
    if program.rate != ONE:
        parts.append(f"x{_factor(program.rate)} points per {order.currency}")
    parts.append(f"x{_factor(tier_mult)}" + (f" {tier_name}" if tier_name else " tier"))
    if vip_mult != ONE:
        parts.append(f"x{_factor(vip_mult)} VIP")
    parts.append(f"= {points} points")
    return Award(points, base, tuple(breakdown), " ".join(parts), weighted)
