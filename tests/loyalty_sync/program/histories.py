"""Order histories that produce the shops' worked retention example
(PRODUCT.md: S = 262, E = 371, N = 153 -> CRR 0.83), with noise that must not
count: lapsed customers, cancelled/pending orders, full refunds."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
END = datetime(2026, 1, 1, tzinfo=timezone.utc)


def worked_example():
    """[(customer, created, status, total, refunded)], customers are strings."""
    rows = []

    def add(who, at, status="completed", total="50.00", refunded="0"):
        rows.append((who, at, status, Decimal(total), Decimal(refunded)))

    for i in range(215):  # active before the period and ordered again in it
        add(f"kept{i}", START - timedelta(days=20 + i % 300))
        add(f"kept{i}", START + timedelta(days=5 + i % 350))
    for i in range(47):  # active before, not in the period: lost
        add(f"lost{i}", START - timedelta(days=1 + i * 7))
        if i < 5:  # an order in the period, refunded in full: does not count
            add(f"lost{i}", START + timedelta(days=40 + i), total="30.00", refunded="30.00")
        elif i < 10:  # cancelled / pending orders do not count either
            add(f"lost{i}", START + timedelta(days=50 + i), status="cancelled" if i % 2 else "pending")
    for i in range(153):  # first ever order inside the period: new
        add(f"new{i}", START + timedelta(days=i * 2, hours=3))
        if i % 3 == 0:
            add(f"new{i}", START + timedelta(days=i * 2 + 1, hours=3), status="processing")
    for i in range(3):  # lapsed (last order > 365 days before start), back in the period
        add(f"back{i}", START - timedelta(days=400 + i))
        add(f"back{i}", START + timedelta(days=100 + i))
    for i in range(30):  # lapsed and gone
        add(f"gone{i}", START - timedelta(days=366 + i * 5))
    add("late", END)  # the first instant after the period
    add("late", END + timedelta(days=3))
    return rows
