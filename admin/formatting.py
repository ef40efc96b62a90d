"""How numbers and dates read in the panel: money with the store's currency, times in the shop's zone."""

from __future__ import annotations

from datetime import datetime

from loyalty_sync.engine.money import money_display
from loyalty_sync.shop_time import shop_time_text

PANEL_LOCALE = "en"  # the panel is written in English; amounts read the English way ("€1,234.50")


def format_money(amount, currency: str = "EUR") -> str:
    """The `money` filter: `engine.money.money_display` in the panel's locale."""
    return money_display(amount, currency, PANEL_LOCALE)


def format_points(points) -> str:
    if points is None:
        return "–"
    return f"{int(points):,}".replace(",", "\u202f")


def format_when(value: datetime | None, with_time: bool = True, zone_name: str | None = "UTC") -> str:
    """A time to the minute in the shop's zone, with its name ("2026-12-08 13:42 CET")."""
    return shop_time_text(value, zone_name, with_time)
