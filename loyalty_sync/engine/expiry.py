"""Points expiry (PRODUCT.md, "Points expiry").

FIFO (default): every positive line (earn, bonus, restore, adjust) is a lot;
every negative line (reverse, redeem, expire, negative adjust) uses up the
oldest lots first, and a negative balance is a debt the next lots pay back
first. Whatever is left of a lot `expiry_months` after it was booked expires,
one `expire:<lot key>` line per lot, dated at that moment.

The walk is a replay through time in which the expiries not yet booked are
inserted at their moment, so an expire line consumes exactly its own lot and
planning again finds nothing new.

Inactivity: all points expire `expiry_months` after the last order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import datetime

from loyalty_sync.engine.earning import order_earns
from loyalty_sync.engine.facts import OrderFacts
from loyalty_sync.engine.ledger import LedgerKind, LedgerLine
from loyalty_sync.engine.months import add_months
from loyalty_sync.engine.program import Program

EXPIRE_PREFIX = "expire:"


class _Lot:
    __slots__ = ("key", "at", "remaining", "reason")

    def __init__(self, line: LedgerLine):
        self.key = line.key
        self.at = line.at
        self.remaining = line.points
        self.reason = line.reason


def may_hold_points(ledger: Sequence[LedgerLine], due: list[tuple]) -> bool:
    """Whether a due lot may still hold points when it expires. FIFO spends
    older lots first, so a lot holds at most what was booked up to it (in
    time order) minus everything spent before its expiry; mostly that is
    nothing (the lot was redeemed long ago), and the walk can be skipped."""
    booked_up_to: dict[int, int] = {}  # ledger position -> positive points booked up to it, in time order
    booked = 0
    spend_times: list[datetime] = []
    spent_before = [0]  # spent_before[k]: points spent by the first k spends in time order
    for at, i, points in sorted((line.at, i, line.points) for i, line in enumerate(ledger)):
        if points > 0:
            booked += points
            booked_up_to[i] = booked
        elif points < 0:
            spend_times.append(at)
            spent_before.append(spent_before[-1] - points)
    return any(booked_up_to[i] > spent_before[bisect_left(spend_times, expires)] for expires, _, i, _ in due)


def due_lots(ledger: Sequence[LedgerLine], now: datetime, months: int) -> list[tuple]:
    """(expiry moment, 0, ledger position, key) of the lots old enough at
    `now` to expire and not booked as expired yet."""
    due = []
    for i, line in enumerate(ledger):
        if line.points > 0:
            expires = add_months(line.at, months)
            if expires <= now:
                due.append((expires, 0, i, line.key))
    if due:
        booked = {line.key for line in ledger}
        due = [event for event in due if EXPIRE_PREFIX + event[3] not in booked]
    return due


def fifo_expiry_lines(
    ledger: Sequence[LedgerLine],
    now: datetime,
    program: Program,
    program_version: int | None = None,
) -> list[LedgerLine]:
    """New expire lines for lots older than `expiry_months` at `now`."""
    due = due_lots(ledger, now, program.expiry_months)
    if not due or not may_hold_points(ledger, due):  # nothing can expire: no need to walk
        return []
    return fifo_walk(ledger, due, program, program_version)


def fifo_walk(
    ledger: Sequence[LedgerLine], due: list[tuple], program: Program, program_version: int | None
) -> list[LedgerLine]:
    """The expire lines of the `due` lots: a walk through time that spends lots oldest first."""
    # (time, 0 = expiry before a line booked at the same instant, order, payload)
    events: list[tuple] = due + [(line.at, 1, i, line) for i, line in enumerate(ledger)]
    events.sort()  # by (time, expiry first, position): never equal, so payloads are not compared

    lots: dict[str, _Lot] = {}
    open_lots: list[_Lot] = []  # oldest first; emptied lots are skipped, never removed
    head = 0  # open_lots[:head] are all empty
    debt = 0
    new_lines: list[LedgerLine] = []

    def consume(amount: int) -> int:
        nonlocal head
        for index in range(head, len(open_lots)):
            lot = open_lots[index]
            if amount <= 0:
                break
            used = min(lot.remaining, amount)
            lot.remaining -= used
            amount -= used
        while head < len(open_lots) and open_lots[head].remaining <= 0:
            head += 1
        return amount

    for at, is_line, _, payload in events:
        if not is_line:
            lot = lots.get(payload)
            if lot is None or lot.remaining <= 0:
                continue
            new_lines.append(
                LedgerLine(
                    key=EXPIRE_PREFIX + lot.key,
                    kind=LedgerKind.EXPIRE,
                    points=-lot.remaining,
                    at=at,
                    reason=f"{lot.remaining} points booked {lot.at:%Y-%m-%d} expired after "
                    f"{program.expiry_months} months ({lot.reason or lot.key})",
                    rule_version=program_version,
                )
            )
            lot.remaining = 0
            continue
        line: LedgerLine = payload
        if line.points > 0:
            lot = _Lot(line)
            paid_back = min(debt, lot.remaining)
            lot.remaining -= paid_back
            debt -= paid_back
            lots[line.key] = lot
            if lot.remaining > 0:
                open_lots.append(lot)
        elif line.points < 0:
            take = -line.points
            if line.kind == LedgerKind.EXPIRE and line.key.startswith(EXPIRE_PREFIX):
                own = lots.get(line.key[len(EXPIRE_PREFIX) :])
                if own is not None:
                    used = min(own.remaining, take)
                    own.remaining -= used
                    take -= used
            debt += consume(take)
    return new_lines


def last_activity(orders: Iterable[OrderFacts], ledger: Sequence[LedgerLine], program: Program) -> datetime | None:
    """The last order (in an earning status); without any, the last points booked."""
    dates = [o.created for o in orders if order_earns(o, program)]
    if dates:
        return max(dates)
    positive = [line.at for line in ledger if line.points > 0]
    return max(positive) if positive else None


def inactivity_expiry_line(
    ledger: Sequence[LedgerLine],
    orders: Iterable[OrderFacts],
    now: datetime,
    program: Program,
    program_version: int | None = None,
) -> LedgerLine | None:
    """All points expire `expiry_months` after the last order (one line,
    keyed by the deadline so the same quiet spell expires only once)."""
    last = last_activity(orders, ledger, program)
    if last is None:
        return None
    deadline = add_months(last, program.expiry_months)
    balance = sum(line.points for line in ledger)
    key = f"{EXPIRE_PREFIX}inactive:{deadline.isoformat()}"
    if now < deadline or balance <= 0 or any(line.key == key for line in ledger):
        return None
    return LedgerLine(
        key=key,
        kind=LedgerKind.EXPIRE,
        points=-balance,
        at=deadline,
        reason=f"{balance} points expired: no order for {program.expiry_months} months since {last:%Y-%m-%d}",
        rule_version=program_version,
    )


def expiry_lines(
    ledger: Sequence[LedgerLine],
    orders: Iterable[OrderFacts],
    now: datetime,
    program: Program,
    program_version: int | None = None,
) -> list[LedgerLine]:
    if program.expiry_mode == "fifo":
        return fifo_expiry_lines(ledger, now, program, program_version)
    if program.expiry_mode == "inactivity":
        line = inactivity_expiry_line(ledger, orders, now, program, program_version)
        return [line] if line else []
    return []
