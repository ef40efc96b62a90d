"""Money as text, in exactly two ways, so no page, file or answer rounds alike
amounts differently.

- As data (JSON, CSV, `--json`, the storefront API): `money_text(Decimal("2.125"))`
  is "2.13": two decimals (WooCommerce's default price decimals), rounded half
  up (away from zero), as WooCommerce rounds a price it shows (`wc_price` -> PHP's
  `number_format`, which rounds halves away from zero). Python's own
  `quantize` and Babel round halves to even ("2.12"); that is why nobody
  else quantizes money for output.
- As words people read (the panel, the member page, CLI sentences, rule
  warnings): `money_display(Decimal("2.125"), "EUR")` is "€2.13",
  `money_display(-5, "EUR", "de")` is "-5,00 €": Babel's `format_currency` with the store's
  currency and the reader's locale, after the same half-up rounding.

`cents` is the rounding itself, for code that keeps a Decimal (the Money
column type, dashboard totals).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal, get_currency_precision

CENT = Decimal("0.01")
NO_AMOUNT = "–"  # what a page shows for a missing amount (no orders yet, no minimum...)


def _decimal(amount: Decimal | int | str) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("money must be Decimal, not float")
    return amount if isinstance(amount, Decimal) else Decimal(str(amount))


def cents(amount: Decimal | int | str) -> Decimal:
    """`amount` rounded to the cent, halves up: 2.125 -> Decimal("2.13")."""
    return _decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(amount: Decimal | int | str) -> str:
    """Money as data: "2.13" (no symbol, no grouping, always two decimals)."""
    return str(cents(amount))


def optional_money_text(amount: Decimal | int | str | None) -> str | None:
    """`money_text`, or None for a missing amount (JSON null)."""
    return None if amount is None else money_text(amount)


def money_display(amount: Decimal | int | str | None, currency: str | None, locale: str | Locale = "en") -> str:
    """Money as people read it: "€1,234.50" (en), "1.234,50 €" (de), "-€5.00";
    NO_AMOUNT for None; a plain number when the currency is unknown to us
    (an order without one). Rounded half up to the currency's digits (JPY:
    none), since Babel alone would round halves to even."""
    if amount is None:
        return NO_AMOUNT
    code = (currency or "").strip().upper()
    if not code:
        return format_decimal(cents(amount), format="#,##0.00", locale=locale)
    step = Decimal(1).scaleb(-get_currency_precision(code))
    rounded = _decimal(amount).quantize(step, rounding=ROUND_HALF_UP)
    return format_currency(rounded, code, locale=locale)
