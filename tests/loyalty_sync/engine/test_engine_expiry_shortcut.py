"""The FIFO expiry walk is skipped only when it would find nothing.

`may_hold_points` is a bound (a lot holds at most what was booked up to it
minus what was spent before it expires); these examples check that it never
says "nothing" where the walk itself books an expiry, on ledgers with debts,
same-instant lines and expiries booked by earlier plans.
"""

from dataclasses import replace
from datetime import timedelta

from engine_factories import day
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_sync.engine.expiry import due_lots, fifo_expiry_lines, fifo_walk, may_hold_points
from loyalty_sync.engine.ledger import LedgerLine
from loyalty_sync.engine.program import DEFAULT_PROGRAM

PROGRAM = replace(DEFAULT_PROGRAM, expiry_months=6)
LINES = st.lists(
    st.tuples(st.integers(0, 720), st.integers(-400, 600).filter(bool), st.sampled_from(["earn", "adjust", "redeem"])),
    max_size=20,
)


def _ledger(specs, replans):
    """Lines in booking order; at each re-plan moment the expiries due then are booked too."""
    ledger: list[LedgerLine] = []
    moments = sorted(replans)
    for n, (days, points, kind) in enumerate(sorted(specs)):
        kind = kind if points > 0 or kind != "earn" else "adjust"
        if kind == "redeem" and points > 0:
            kind = "earn"
        while moments and day(moments[0]) < day(days):
            ledger += fifo_expiry_lines(ledger, day(moments.pop(0)), PROGRAM)
        ledger.append(LedgerLine(f"{kind}:{n}", kind, points, day(days) + timedelta(hours=n % 3)))
    return ledger


@settings(max_examples=300, deadline=None)
@given(LINES, st.lists(st.integers(0, 720), max_size=4), st.integers(0, 1000))
def test_the_walk_is_skipped_only_when_it_finds_nothing(specs, replans, now_day):
    ledger, now = _ledger(specs, replans), day(now_day)
    due = due_lots(ledger, now, PROGRAM.expiry_months)
    walked = fifo_walk(ledger, due, PROGRAM, None) if due else []
    if walked:
        assert may_hold_points(ledger, due)
    assert fifo_expiry_lines(ledger, now, PROGRAM) == walked


def test_a_lot_redeemed_before_it_expires_needs_no_walk():
    ledger = [
        LedgerLine("earn:1", "earn", 500, day(0)),
        LedgerLine("redeem:1", "redeem", -500, day(30)),
        LedgerLine("earn:2", "earn", 100, day(40)),
    ]
    due = due_lots(ledger, day(200), PROGRAM.expiry_months)
    assert [key for *_, key in due] == ["earn:1"]
    assert not may_hold_points(ledger, due)
    assert fifo_walk(ledger, due, PROGRAM, None) == []


def test_a_lot_partly_spent_may_still_expire():
    ledger = [LedgerLine("earn:1", "earn", 500, day(0)), LedgerLine("redeem:1", "redeem", -300, day(30))]
    due = due_lots(ledger, day(200), PROGRAM.expiry_months)
    assert may_hold_points(ledger, due)
    assert [(line.key, line.points) for line in fifo_walk(ledger, due, PROGRAM, None)] == [("expire:earn:1", -200)]
