"""Clock and date formatting.

WooCommerce shows every date twice: store-local (`date_x`) and UTC
(`date_x_gmt`), both `YYYY-MM-DDTHH:MM:SS` without offset. Internally woosim
keeps integer UTC epoch seconds (orders are stored with second precision, so
two changes in the same second tie, like on a real store) and formats on
output. The clock can be shifted by tests (control endpoint) so that time
windows and the 15 minute OAuth timestamp window can be exercised.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


class Clock:
    """Wall clock plus a test-controlled offset in seconds."""

    def __init__(self, offset: float = 0.0):
        self.offset = offset

    def now(self) -> float:
        return time.time() + self.offset

    def now_s(self) -> int:
        return int(self.now())


_MAX_TS = 253402300800  # 10000-01-01: beyond it (or for floats, negatives) strftime itself decides
_DAYS: dict[int, str] = {}  # epoch day -> "YYYY-MM-DDT"
_HOUR_MINUTES = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SECONDS = [f"{s:02d}" for s in range(60)]


def fmt_gmt(ts: int | None) -> str | None:
    """UTC `YYYY-MM-DDTHH:MM:SS`; a listing page formats 800 dates, so the date
    part is remembered per day and the time part comes from tables (the same
    text strftime gives)."""
    if ts is None:
        return None
    if type(ts) is not int or not 0 <= ts < _MAX_TS:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    day, sec = divmod(ts, 86400)
    date = _DAYS.get(day)
    if date is None:
        if len(_DAYS) >= 4096:  # a seeded store spans ~730 days
            _DAYS.clear()
        date = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    return date + _HOUR_MINUTES[sec // 60] + _SECONDS[sec % 60]


class StoreTZ:
    """The store's time zone (WordPress `timezone_string`), default Europe/Berlin."""

    def __init__(self, name: str = "Europe/Berlin"):
        self.name = name
        self.zone = ZoneInfo(name)
        self._cache: dict[int, int] = {}

    def offset_at(self, ts: int) -> int:
        """UTC offset in seconds at UTC epoch `ts` (cached per hour)."""
        hour = ts // 3600
        off = self._cache.get(hour)
        if off is None:
            off = int(datetime.fromtimestamp(hour * 3600, self.zone).utcoffset().total_seconds())
            if len(self._cache) > 100000:
                self._cache.clear()
            self._cache[hour] = off
        return off

    def fmt_local(self, ts: int | None) -> str | None:
        if ts is None:
            return None
        return fmt_gmt(ts + self.offset_at(ts))

    def local_naive_to_ts(self, dt: datetime) -> int:
        """Interpret a naive datetime as store-local wall time."""
        return int(dt.replace(tzinfo=self.zone).timestamp())


_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$")


class InvalidDate(ValueError):
    pass


def parse_rest_date(value: str, tz: StoreTZ, dates_are_gmt: bool) -> int:
    """Parse a REST `date-time` argument the way WordPress validates it.

    WordPress accepts `YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm]` and rejects
    anything else (`yesterday`, a date without time, month 13) with
    `rest_invalid_date`. An explicit offset is honoured; otherwise the value is
    UTC with dates_are_gmt and store-local time without it (captures 076-078).
    """
    m = _DATE_RE.match(value.strip())
    if not m:
        raise InvalidDate(value)
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    try:
        dt = datetime(y, mo, d, h, mi, s)
    except ValueError as exc:
        raise InvalidDate(value) from exc
    off = m.group(7)
    if off:
        if off in ("Z", "z"):
            delta = timedelta(0)
        else:
            sign = -1 if off[0] == "-" else 1
            digits = off[1:].replace(":", "")
            delta = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        return int(dt.replace(tzinfo=timezone(delta)).timestamp())
    if dates_are_gmt:
        return int(dt.replace(tzinfo=timezone.utc).timestamp())
    return tz.local_naive_to_ts(dt)


def parse_input_local(value: str | None, tz: StoreTZ) -> int | None:
    """Parse a date written into a resource (e.g. coupon date_expires).

    WooCommerce reads these as store-local time; a date without time means
    midnight (captures 053, 054). One it cannot read ("soon") is no error:
    PHP's strtotime gives false, which is saved as local midnight of
    1970-01-01 (real store, 10.0.2: `date_expires` 1970-01-01T00:00:00).
    """
    if value in (None, ""):
        return None
    v = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}$", v):
        v += "T00:00:00"
    try:
        return parse_rest_date(v, tz, dates_are_gmt=False)
    except InvalidDate:
        return parse_rest_date("1970-01-01T00:00:00", tz, dates_are_gmt=False)
