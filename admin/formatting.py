"""How numbers and dates read in the panel: money with the store's currency."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "SEK": "kr ", "PLN": "zł "}


def format_money(amount, currency: str = "EUR") -> str:
    if amount is None:
        return "–"
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    symbol = _SYMBOLS.get((currency or "").upper())
    text = f"{abs(value):,.2f}"
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def format_points(points) -> str:
    if points is None:
        return "–"
    return f"{int(points):,}".replace(",", "\u202f")


def format_when(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
