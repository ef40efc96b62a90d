"""Times as the shop's people read them: in the shop's own time zone.

Everything is stored and computed in aware UTC; only what a person reads is
turned into the shop's local time, with the zone's abbreviation so nobody
has to guess ("2026-12-08 13:42 CET"). A store's zone is an IANA name or a
fixed offset "UTC+05:30" (woocommerce/site_index.py, from WordPress).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_FIXED = re.compile(r"^UTC([+-])(\d\d):(\d\d)$")


@cache
def zone(name: str | None) -> tzinfo:
    """The tzinfo of a stored zone name; UTC for anything unknown."""
    if not name or name == "UTC":
        return timezone.utc
    fixed = _FIXED.match(name)
    if fixed:
        sign = 1 if fixed.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(fixed.group(2)), minutes=int(fixed.group(3))), name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def shop_time(value: datetime, zone_name: str | None) -> datetime:
    """`value` (aware, or naive UTC as SQLite gives it back) in the shop's zone."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(zone(zone_name))


def shop_time_text(value: datetime | None, zone_name: str | None, with_time: bool = True) -> str:
    """ "2026-12-08 13:42 CET" (to the minute, with the zone), or the date alone."""
    if value is None:
        return "–"
    local = shop_time(value, zone_name)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}" if with_time else f"{local:%Y-%m-%d}"
