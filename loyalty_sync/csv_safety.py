"""Every CSV the product writes goes through here, so a spreadsheet never
runs a cell as a formula (OWASP "CSV injection").

Member names, emails and reasons come from the store (anyone can register
as `=HYPERLINK("http://evil",...)`), and viewers download these files into
Excel or LibreOffice. A text cell starting with = + - @ tab or CR is
prefixed with a single quote. Numbers stay numbers: an int/Decimal/float
value, or a text that is a plain decimal number such as "-15" or "12.50"
(negative points must stay summable).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TextIO

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may read it: numbers as they are, text
    that would start a formula with a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` whose rows are escaped cell by cell."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """`csv.DictWriter` whose values are escaped cell by cell."""

    def writerow(self, rowdict):
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)
