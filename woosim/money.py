"""Money arithmetic with PHP-like rounding (half away from zero).

WooCommerce sends money as strings with the store's 2 decimals, except a few
numbers (line_items[].price, coupon nominal_amount). Decimal avoids float
surprises when totals are recomputed and compared by the sync.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")


def dec(value) -> Decimal:
    if type(value) is Decimal:  # str() round-trips a Decimal exactly: skip it (hot in fmt)
        return value
    if value in (None, ""):
        return ZERO
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return ZERO


def r2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value) -> str:
    """'42.50' style string."""
    if type(value) is Decimal:  # r2(dec(value)) inlined: a seeded order formats ~10 amounts
        return str(value.quantize(CENT, rounding=ROUND_HALF_UP))
    return str(r2(dec(value)))


def fmt_trim(value) -> str:
    """wc_format_decimal without dp: '5.00' -> '5', '10.20' -> '10.2' (capture 065)."""
    s = fmt(value)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def num(value):
    """JSON number like PHP gives it: 39.0 -> 39, 22.41 -> 22.41."""
    d = r2(dec(value)) if not isinstance(value, Decimal) else value
    f = float(d)
    return int(f) if f == int(f) else f


def php_float(value):
    """A float as PHP's json_encode writes it (serialize_precision -1): the
    shortest repr, whole numbers without a fraction (48.333333333333336, 13)."""
    f = float(value)
    return int(f) if f == int(f) else f
