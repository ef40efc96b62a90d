"""How numbers and dates read in the panel: money with the store's currency."""
from __future__ import annotations

from datetime import datetime

from loyalty_sync.engine.money import money_display

PANEL_LOCALE = "en"  # the panel is written in English; amounts read the English way ("€1,234.50")


def format_money(amount, currency: str = "EUR") -> str:
    """The `money` filter: `engine.money.money_display` in the panel's locale."""
    return money_display(amount, currency, PANEL_LOCALE)


def format_points(points) -> str:
    if points is None:
        return "–"
    return f"{int(points):,}".replace(",", "\u202f")


def format_when(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
