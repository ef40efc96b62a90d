"""The expiring-points report: what the engine's own expiry would book in the
next 30 days, as rows and CSV."""

from datetime import timedelta

from loyalty_sync.analysis.expiring import expiring_points, write_csv
from tests.loyalty_sync.program.helpers import orders, replan, set_program
from tests.support.wc import day, line, order


def test_fifo_points_expiring_in_the_next_30_days(store, runner):
    orders(
        store,
        [
            order(1, lines=[line(10, "120.00")], created=day(0)),
            order(2, lines=[line(20, "80.00")], created=day(20), email="ben@example.com"),
            order(3, lines=[line(30, "60.00")], created=day(200)),
        ],
        day(210),
    )
    # 12 months after day 0: Anna's 120 (day 0) and 60 (day 200) lots; Ben's 80 (day 20)
    now = day(0) + timedelta(days=340)
    rows = expiring_points(store, now, days=30)
    assert [(r.email, r.expiring_points, r.points) for r in rows] == [("anna@example.com", 180 - 60, 180)]
    rows = expiring_points(store, now, days=60)
    assert [(r.email, r.expiring_points) for r in rows] == [("anna@example.com", 120), ("ben@example.com", 80)]
    text = write_csv(rows)
    assert text.splitlines()[0].startswith("member_id,customer_id,email") and "ben@example.com" in text
    # once booked by the daily re-evaluation, they are gone from the report
    replan(store, now + timedelta(days=60))
    assert expiring_points(store, now + timedelta(days=60), days=30) == []
    result = runner.invoke(args=["members", "expiring", "--store", "shop", "--csv"])
    assert result.exit_code == 0 and result.output.startswith("member_id,")


def test_inactivity_mode(store):
    set_program(store, expiry_mode="inactivity", expiry_months=6)
    orders(store, [order(1, lines=[line(10, "120.00")], created=day(0))], day(1))
    assert expiring_points(store, day(150), days=30) == []
    [row] = expiring_points(store, day(170), days=30)
    assert row.expiring_points == 120
