"""Calendar-month arithmetic, remembered.

relativedelta gets month ends right (31 January + 1 month = 28 February)
but costs microseconds a call, and the planner asks the same questions at
every plan of a member (when does this lot expire, where does this order's
12-month window start); a what-if replay plans each member at many
checkpoints. The answers depend on the date alone, so they are cached.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from dateutil.relativedelta import relativedelta


@lru_cache(maxsize=65536)
def add_months(at: datetime, months: int) -> datetime:
    return at + relativedelta(months=months)


@lru_cache(maxsize=65536)
def start_of_next_month(at: datetime) -> datetime:
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    return at.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
