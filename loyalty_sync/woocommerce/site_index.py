"""The shop's name and time zone, from WordPress' public REST index.

wc/v3 has neither: `system_status` only knows PHP's `default_timezone`, which
WordPress always sets to UTC. The index (`GET /wp-json/`) has the site's
`name` (the blog name the shop's customers see) and its time zone:
`timezone_string` ("Europe/Berlin"), or, when the owner picked a fixed
offset in WordPress' settings, an empty string and `gmt_offset` in hours
(5.5). `_fields` keeps the answer small (the whole index of a WooCommerce
site is over a megabyte). The index is public: no keys are sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIELDS = "name,gmt_offset,timezone_string"


@dataclass(frozen=True)
class SiteIdentity:
    name: str
    timezone: str  # an IANA name, or "UTC+05:30" for a fixed offset


def parse_site_index(body) -> SiteIdentity | None:
    """The identity in an index answer, or None when it is not one."""
    if not isinstance(body, dict) or not ({"name", "timezone_string", "gmt_offset"} & set(body)):
        return None
    name = body.get("name")
    return SiteIdentity(
        name=name.strip()[:200] if isinstance(name, str) else "",
        timezone=zone_name(body.get("timezone_string"), body.get("gmt_offset")),
    )


def zone_name(timezone_string, gmt_offset) -> str:
    """WordPress' two ways of stating a time zone, as one name."""
    if isinstance(timezone_string, str) and timezone_string.strip():
        name = timezone_string.strip()
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass  # WordPress stores "UTC+2" here for some manual offsets
    try:
        hours = Decimal(str(gmt_offset if gmt_offset not in (None, "") else 0))
    except InvalidOperation:
        return "UTC"
    if not hours.is_finite() or abs(hours) > 14:
        return "UTC"
    minutes = int(hours * 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
