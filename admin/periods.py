"""The period picker of the KPI pages: presets and typed dates -> [start, end).

The form shows the last day *included* ("to 2026-03-31"); the KPIs take an
exclusive end (`kpi.store_kpis(store, start, end)`), so `end` is that day + 1
at midnight UTC. Presets are relative to today (UTC):
- `30d`: the last 30 days, today included;
- `quarter`: this calendar quarter so far, today included;
- `12m`: the last 12 months, today included (from the same day a year ago + 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

PRESETS = (("30d", "Last 30 days"), ("quarter", "This quarter"), ("12m", "Last 12 months"))
DEFAULT_PRESET = "12m"


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive
    preset: str = ""  # "" when typed by hand
    error: str = ""

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def query(self) -> dict:
        """URL arguments that give this period back."""
        if self.preset:
            return {"preset": self.preset}
        return {"start": self.first_day.isoformat(), "end": self.last_day.isoformat()}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def preset_period(preset: str, today: date) -> Period:
    end = _midnight(today + timedelta(days=1))
    if preset == "30d":
        return Period(end - timedelta(days=30), end, preset)
    if preset == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        return Period(_midnight(date(today.year, first_month, 1)), end, preset)
    tomorrow = today + timedelta(days=1)
    try:
        start = tomorrow.replace(year=tomorrow.year - 1)
    except ValueError:  # 29 February
        start = tomorrow.replace(year=tomorrow.year - 1, day=28)
    return Period(_midnight(start), end, "12m")


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def period_from_args(args, today: date | None = None) -> Period:
    """`?start=YYYY-MM-DD&end=YYYY-MM-DD` (end included) or `?preset=30d|quarter|12m`."""
    today = today or datetime.now(timezone.utc).date()
    raw_start, raw_end = (args.get("start") or "").strip(), (args.get("end") or "").strip()
    preset = (args.get("preset") or "").strip()
    if (raw_start or raw_end) and not preset:
        first, last = _day(raw_start), _day(raw_end)
        problem = ""
        if first is None or last is None:
            problem = "Use dates like 2026-03-31 for both ends of the period."
        elif last < first:
            problem = "The period ends before it starts."
        elif (last - first).days > 366 * 10:
            problem = "Pick a period of ten years at most."
        if problem:
            fallback = preset_period(DEFAULT_PRESET, today)
            return Period(fallback.start, fallback.end, fallback.preset, problem)
        return Period(_midnight(first), _midnight(last + timedelta(days=1)))
    return preset_period(preset if preset in dict(PRESETS) else DEFAULT_PRESET, today)


def month_starts(start: datetime, end: datetime) -> list[datetime]:
    """First instants of the calendar months touching [start, end)."""
    months = []
    year, month = start.year, start.month
    while True:
        first = datetime(year, month, 1, tzinfo=timezone.utc)
        if first >= end:
            break
        months.append(first)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
