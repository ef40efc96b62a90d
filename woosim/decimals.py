"""`dp`: how many decimals an order or refund answer writes its money with.

WC_REST_Orders_V2_Controller passes the order's money fields, each item's
amounts and taxes and the refund summaries through
`wc_format_decimal($x, $this->request['dp'])` (PHP number_format: half away
from zero, `dp=0` has no point). The store keeps amounts with the shop's 2
decimals but item taxes unrounded (WC_Tax rounds them to 6), so `dp=3`
writes a 0.13 line's tax `0.025` where its `total_tax` reads `0.020` (real
store, 10.0.2). Coupon lines' `discount`/`discount_tax` and a line's
`price` are not formatted. Without `dp` the answer is the stored one (2).

The orders listing registers `dp` (an integer, then absint); an order's own
routes and refunds read it unvalidated through absint ("abc" is 0).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .errors import invalid_param
from .money import dec
from .orders import TAX_RATE

SHOP_DECIMALS = 2
ORDER_FIELDS = ("discount_total", "discount_tax", "shipping_total", "shipping_tax", "cart_tax", "total", "total_tax")
ITEM_FIELDS = ("subtotal", "subtotal_tax", "total", "total_tax", "tax_total", "shipping_tax_total")
ORDER_ITEMS = ("line_items", "tax_lines", "shipping_lines", "fee_lines", "coupon_lines")
REFUND_ITEMS = ("line_items", "shipping_lines", "tax_lines", "fee_lines")
_TAX_PRECISION = Decimal("0.000001")  # wc_get_rounding_precision()


def _absint(raw) -> int:
    """PHP absint(intval($raw)) of a query string value."""
    text = str(raw).strip()
    digits = ""
    for i, ch in enumerate(text):
        if ch.isdigit() or (i == 0 and ch in "+-"):
            digits += ch
        else:
            break
    try:
        return abs(int(digits))
    except ValueError:
        return 0


def listing_dp(args) -> int | None:
    """`dp` of GET orders: rest_is_integer (a whole number, "3.0" too), else
    400 rest_invalid_param; None when absent."""
    raw = args.get("dp")
    if raw is None:
        return None
    try:
        whole = Decimal(str(raw).strip())
    except ArithmeticError:
        whole = None
    if whole is None or not whole.is_finite() or whole != whole.to_integral_value():
        raise invalid_param("dp", "dp is not of type integer.", "rest_invalid_type")
    return abs(int(whole))


def item_dp(args) -> int | None:
    """`dp` of an order's or a refund's own route: absint, unvalidated."""
    raw = args.get("dp")
    return None if raw is None else _absint(raw)


def decimal(value, dp: int) -> str:
    """wc_format_decimal($value, $dp): number_format, never `-0`."""
    out = dec(value).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)
    return str(abs(out) if out == 0 else out)


def _item(item: dict, raw: tuple | None, dp: int, derive: bool = True) -> dict:
    out = dict(item)
    for key in ITEM_FIELDS:
        if key in out:
            out[key] = decimal(out[key], dp)
    if out.get("taxes"):
        if raw is None and derive:  # a seeded order: the rate on the item's amounts
            raw = (
                dec(item.get("total")) * TAX_RATE,
                dec(item.get("subtotal")) * TAX_RATE if "subtotal" in item else None,
            )
        out["taxes"] = [_tax(t, raw, dp) for t in out["taxes"]]
    return out


def _tax(tax: dict, raw: tuple | None, dp: int) -> dict:
    """One of an item's taxes from its unrounded amounts (`raw`: total and
    subtotal tax, as computed; None: the amounts shown)."""
    total, subtotal = raw if raw is not None else (dec(tax["total"]), None)
    if subtotal is not None and subtotal < total:
        subtotal = total
    out = dict(tax)
    out["total"] = decimal(dec(total).quantize(_TAX_PRECISION, rounding=ROUND_HALF_UP), dp)
    if tax["subtotal"] != "":
        sub = subtotal if subtotal is not None else dec(tax["subtotal"])
        out["subtotal"] = decimal(dec(sub).quantize(_TAX_PRECISION, rounding=ROUND_HALF_UP), dp)
    return out


def order_with_dp(body: dict, o: dict, dp: int | None) -> dict:
    """An order answer (shapes.order_json) written with `dp` decimals."""
    if dp is None or dp == SHOP_DECIMALS:
        return body
    raw = o.get("_raw_taxes") or {}
    out = dict(body)
    for key in ORDER_FIELDS:
        out[key] = decimal(out[key], dp)
    for key in ORDER_ITEMS:
        out[key] = [_item(it, raw.get(it.get("id")), dp) for it in out[key]]
    out["refunds"] = [{**r, "total": "-" + decimal(r["total"].lstrip("-"), dp)} for r in out["refunds"]]
    return out


def refund_with_dp(body: dict, dp: int | None) -> dict:
    """A refund answer (shapes.refund_json) written with `dp` decimals."""
    if dp is None or dp == SHOP_DECIMALS:
        return body
    out = dict(body, amount=decimal(body["amount"], dp))
    for key in REFUND_ITEMS:
        out[key] = [_item(it, None, dp, derive=False) for it in out.get(key) or []]
    return out
