"""`evolve` gives what `dataclasses.replace` gives, for every record it copies."""

from dataclasses import dataclass, replace

import pytest
from engine_factories import books, day, line, order

from loyalty_sync.engine.evolve import evolve
from loyalty_sync.engine.ledger import CouponLine, CouponStatus, MemberBooks
from loyalty_sync.engine.plan import plan_member
from loyalty_sync.engine.program import DEFAULT_PROGRAM


def test_evolve_equals_replace_for_the_records_a_replay_copies():
    b = books(order(1, line(1, "1200.00"), created=day(3)), tier="")
    plan = plan_member(b, DEFAULT_PROGRAM, 1, day(40))
    coupon = plan.coupons[0]
    assert isinstance(coupon, CouponLine) and isinstance(b, MemberBooks)
    for record, changes in (
        (b, {"orders": (), "tier": "Gold"}),
        (plan, {"coupons": []}),
        (coupon, {"status": CouponStatus.USED}),
    ):
        copied = evolve(record, **changes)
        assert copied == replace(record, **changes) and copied is not record
        assert type(copied) is type(record) and copied.__dict__.keys() == record.__dict__.keys()
    assert b.tier == "" and coupon.status != CouponStatus.USED  # the originals are untouched


def test_evolve_refuses_what_it_cannot_copy_faithfully():
    @dataclass(frozen=True)
    class Checked:
        n: int

        def __post_init__(self):
            assert self.n >= 0

    @dataclass(frozen=True, slots=True)
    class Slotted:
        n: int

    for record in (Checked(1), Slotted(1)):
        with pytest.raises(TypeError):
            evolve(record, n=2)
    with pytest.raises(TypeError, match="no field"):
        evolve(books(), points=3)
