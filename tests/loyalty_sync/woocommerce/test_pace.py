"""The client's one limit and how it gives way (woocommerce/pace.py)."""

from loyalty_sync.woocommerce.pace import SLOW_FLOOR, Pace


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _answer(pace: Pace, clock: FakeClock, kind: str, seconds: float) -> None:
    with pace.slot(kind):
        clock.now += seconds


def test_a_429_halves_the_limit_and_good_answers_bring_it_back_one_by_one():
    clock = FakeClock()
    pace = Pace(4, clock=clock)
    pace.pushed_back(None)
    assert pace.limit == 2
    for expected in (2, 3):  # `limit` good answers in a row give one slot back
        for _ in range(expected):
            _answer(pace, clock, "POST coupons/batch", 0.5)
    assert pace.limit == 4
    for _ in range(10):
        _answer(pace, clock, "POST coupons/batch", 0.5)
    assert pace.limit == 4  # never above the ceiling


def test_answers_much_slower_than_the_fastest_of_their_kind_take_slots_away():
    clock = FakeClock()
    pace = Pace(4, clock=clock)
    _answer(pace, clock, "POST coupons/batch", 0.6)
    _answer(pace, clock, "GET orders", 3.0)  # another kind: its own fastest, not slow
    assert pace.limit == 4
    _answer(pace, clock, "POST coupons/batch", max(SLOW_FLOOR, 0.6 * 4))
    _answer(pace, clock, "POST coupons/batch", 5.0)
    assert pace.limit == 2 and pace.backed_off == 2
    for _ in range(5):
        _answer(pace, clock, "POST coupons/batch", 9.0)
    assert pace.limit == 1  # never below one


def test_slow_but_short_answers_are_not_a_store_in_trouble():
    clock = FakeClock()
    pace = Pace(4, clock=clock)
    _answer(pace, clock, "GET orders", 0.05)
    _answer(pace, clock, "GET orders", 1.0)  # 20x the fastest, but under the floor
    assert pace.limit == 4
