"""A rule change in money (analysis/whatif_money.py): 'before' is the books, 'after' the books plus the
change between the two replays; a hand-computed case, Decimal exact."""

from datetime import datetime, timezone
from decimal import Decimal as D

from loyalty_sync.analysis.whatif_money import Sampling, money_change
from loyalty_sync.engine.replay import Figures

AT = datetime(2026, 12, 8, 12, 0, tzinfo=timezone.utc)


def test_before_is_the_books_and_after_adds_the_replays_difference():
    # The books: 3 coupons worth 15.00 (one 5-off still open, one 5-off tier-up given without points),
    # 1,450 points given, 950 outstanding; 2,000.00 of paid revenue; a point is worth 0.012.
    books = Figures(
        coupons=3,
        coupon_money=D("15.00"),
        points_issued=1450,
        outstanding=950,
        open_coupon_money=D("5.00"),
        free_coupon_money=D("5.00"),
    )
    # The replays: the new rules give 400 more points, and one more reward coupon (12 off, taken as used).
    replay_before = Figures(
        coupons=2,
        coupon_money=D("10.00"),
        points_issued=1000,
        outstanding=500,
        open_coupon_money=D("5.00"),
        free_coupon_money=D("5.00"),
    )
    replay_after = Figures(
        coupons=3,
        coupon_money=D("22.00"),
        points_issued=1400,
        outstanding=0,
        open_coupon_money=D("5.00"),
        free_coupon_money=D("5.00"),
    )
    change = money_change(
        books,
        replay_before,
        replay_after,
        revenue=D("2000.00"),
        point_value_before=D("0.012"),
        point_value_after=D("0.012"),
        currency="EUR",
        sampling=Sampling(at=AT, members=4, replayed=4, every=1),
    )
    b, a = change.before, change.after
    assert (b.coupons, b.coupon_value, b.points) == (3, D("15.00"), 950)
    assert b.liability == D("11.400") + D("5.00")  # 950 x 0.012 + the open coupon
    assert b.earn_cost == D("17.400") + D("5.00")  # 1450 x 0.012 + the tier-up coupon
    assert b.earn_cost_share == D("22.400") / D("2000.00") == D("0.0112")
    assert (a.coupons, a.coupon_value, a.points) == (4, D("27.00"), 450)
    assert a.liability == D("5.400") + D("5.00")
    assert a.earn_cost == D("22.200") + D("5.00")
    assert a.earn_cost_share == D("0.0136")
    shown = change.as_json()
    assert shown["coupons"] == {"before": 3, "after": 4, "change": 1}
    assert shown["coupon_value"] == {"before": "15.00", "after": "27.00", "change": "12.00"}
    assert shown["liability"] == {"before": "16.40", "after": "10.40", "change": "-6.00"}
    assert shown["earn_cost"] == {"before": "22.40", "after": "27.20", "change": "4.80"}
    assert shown["earn_cost_share"] == {"before": "0.0112", "after": "0.0136"}
    assert shown["revenue"] == "2000.00" and shown["currency"] == "EUR"
    assert shown["sampled"] == {"at": "2026-12-08T12:00:00+00:00", "members": 4, "replayed": 4, "every": 1, "all": True}


def test_a_new_catalogue_values_the_points_the_books_hold_at_its_price():
    books = Figures(outstanding=1000, points_issued=1000)
    change = money_change(
        books,
        Figures(),
        Figures(),
        revenue=D(0),
        point_value_before=D("0.010"),
        point_value_after=D("0.012"),
        currency="EUR",
        sampling=Sampling(at=AT, members=1, replayed=1, every=1),
    )
    assert (change.before.liability, change.after.liability) == (D("10.000"), D("12.000"))
    assert change.before.earn_cost_share is None  # no revenue: no share
