"""Whole numbers from outside (URLs, query strings, forms, JSON) are checked
against what the database can hold before any query sees them.

Every id and points column is `Integer`: 32 bits on PostgreSQL, which raises
"integer out of range" (a 500) for `?min_points=99999999999999999999999` or
`/admin/members/<huge>/`, while SQLite quietly compares. Parsing here, once,
turns such input into "no such thing" (404) or a field error (400):
- `DbIntConverter` replaces Flask's `<int:...>` URL converter (create_app),
  so a path id out of range never matches a route: 404;
- `parse_db_int` is the one parser for numbers in query strings and forms.
"""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
_WHOLE = re.compile(r"^[+-]?\d{1,12}$")  # longer can never fit; refuse before int() reads it


def fits_db_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and DB_INT_MIN <= value <= DB_INT_MAX


def parse_db_int(text: object, *, minimum: int = DB_INT_MIN, maximum: int = DB_INT_MAX) -> int | None:
    """The whole number in `text` if it lies in [minimum, maximum] (by default
    what an Integer column holds), else None."""
    raw = str(text if text is not None else "").strip()
    if not _WHOLE.match(raw):
        return None
    value = int(raw)
    return value if max(minimum, DB_INT_MIN) <= value <= min(maximum, DB_INT_MAX) else None


class DbIntConverter(IntegerConverter):
    """`<int:...>` limited to what an id column holds (werkzeug's has no upper bound)."""

    def __init__(
        self,
        url_map,
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002 (werkzeug's names)
        max: int | None = DB_INT_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(
            url_map, fixed_digits=fixed_digits, min=min, max=DB_INT_MAX if max is None else max, signed=signed
        )
