"""Referrals: the personal coupon, the referrer's bonus for a friend's first
completed order, self-referral earning nothing (and saying why), take-back."""

from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.referrals import ReferralUse, Referrer, referral_coupon_for, referral_lines
from loyalty_sync.extensions import db
from loyalty_sync.engine.facts import order_from_wc
from loyalty_sync.engine.program import Program
from tests.loyalty_sync.program.helpers import badges, coupons, customers, lines, member, orders
from tests.support.wc import customer, day, order

NOW = day(40)


def _anna(store, *, needs_code: bool = True):
    customers(store, [customer(2, "anna@example.com")], NOW)
    anna = member(store, "anna@example.com")
    if needs_code:  # the member page or the storefront API asked for it
        referral_coupon_for(store, anna, program_in_force(store)[1], NOW)
        db.session.commit()
    return anna


def test_a_member_gets_one_personal_referral_coupon_when_first_needed(store):
    anna = _anna(store, needs_code=False)
    assert coupons(anna, "referral") == [] and anna.referral_code is None  # not on the sync, for every customer
    issued = referral_coupon_for(store, anna, program_in_force(store)[1], NOW)
    assert referral_coupon_for(store, anna, program_in_force(store)[1], NOW) is issued  # once
    db.session.commit()
    [coupon] = coupons(anna, "referral")
    assert anna.referral_code and coupon.code == anna.referral_code
    assert coupon.key == f"referral:m{anna.id}"
    assert coupon.email == "" and coupon.expires_at is None  # not restricted, no expiry
    assert (coupon.discount_type, coupon.amount) == ("percent", 10)  # the program's referral_coupon
    customers(store, [customer(2, "anna@example.com", first_name="Anna-Maria")], NOW)
    assert len(coupons(member(store, "anna@example.com"), "referral")) == 1


def test_friends_first_completed_order_earns_the_referrer_the_bonus_once(store):
    anna = _anna(store)
    code = anna.referral_code
    friend = order(
        50,
        customer_id=3,
        email="bob@example.com",
        first_name="Bob",
        address="Gartenweg 9",
        coupons=[code],
        created=day(10),
    )
    orders(store, [friend], NOW)
    anna = member(store, "anna@example.com")
    assert [(k, kind, p) for k, kind, p, _ in lines(anna)] == [("referral:50", "bonus", 200)]
    assert anna.points == 200
    assert "Referred a friend" in badges(anna)
    # the friend earns for the order as usual, nothing more
    bob = member(store, "bob@example.com")
    assert [(kind, p) for _, kind, p, _ in lines(bob)] == [("earn", 100)]
    # applied again, re-planned: nothing new
    orders(store, [friend], NOW)
    from tests.loyalty_sync.program.helpers import replan

    replan(store, day(41))
    assert len(lines(member(store, "anna@example.com"), "referral:")) == 1


def test_pending_order_waits_and_a_cancelled_first_order_takes_the_bonus_back(store):
    code = _anna(store).referral_code
    pending = order(
        50,
        customer_id=3,
        email="bob@example.com",
        address="Gartenweg 9",
        coupons=[code],
        status="processing",
        created=day(10),
    )
    orders(store, [pending], NOW)
    assert lines(member(store, "anna@example.com"), "referral:") == []
    orders(
        store,
        [
            order(
                50,
                customer_id=3,
                email="bob@example.com",
                address="Gartenweg 9",
                coupons=[code],
                created=day(10),
                modified=day(11),
            )
        ],
        NOW,
    )
    assert member(store, "anna@example.com").points == 200
    orders(
        store,
        [
            order(
                50,
                customer_id=3,
                email="bob@example.com",
                address="Gartenweg 9",
                coupons=[code],
                status="cancelled",
                created=day(10),
                modified=day(12),
            )
        ],
        NOW,
    )
    anna = member(store, "anna@example.com")
    assert [(k, kind, p) for k, kind, p, _ in lines(anna, "referral:")] == [
        ("referral:50", "bonus", 200),
        ("referral:50:2", "reverse", -200),
    ]
    assert anna.points == 0
    assert "cancelled" in lines(anna, "referral:")[1].reason


def test_self_referral_and_second_orders_earn_nothing_and_say_why(store):
    anna = _anna(store)
    code = anna.referral_code
    own = order(60, customer_id=2, email="anna@example.com", coupons=[code], created=day(5))
    same_address = order(
        61, customer_id=4, email="carl@example.com", address="Hauptstr. 1", coupons=[code], created=day(6)
    )
    first = order(62, customer_id=3, email="bob@example.com", address="Gartenweg 9", created=day(7))
    second = order(63, customer_id=3, email="bob@example.com", address="Gartenweg 9", coupons=[code], created=day(8))
    orders(store, [own, same_address, first, second], NOW)
    anna = member(store, "anna@example.com")
    found = {k: (kind, p, reason) for k, kind, p, reason in lines(anna, "referral:")}
    assert set(found) == {"referral:60", "referral:61", "referral:63"}
    assert all(p == 0 and kind == "bonus" for kind, p, _ in found.values())
    assert "same customer" in found["referral:60"][2] and "same email" in found["referral:60"][2]
    assert "same billing address" in found["referral:61"][2]  # Anna's own order 60 was shipped there
    assert "not the friend's first order" in found["referral:63"][2]
    assert anna.points == 100  # her own order's earn only
    assert "Referred a friend" not in badges(anna)


def test_referral_lines_are_pure():
    friend = order_from_wc(
        order(70, customer_id=3, email="bob@example.com", address="Gartenweg 9", coupons=["ref-x"], created=day(1))
    )
    anna = Referrer("m1", 1, 2, "anna@example.com", frozenset({"hauptstr. 1, 10115, berlin, de"}))
    [bonus] = referral_lines(anna, [ReferralUse(friend, 9, True)], (), Program(), day(2))
    assert (bonus.key, bonus.points, bonus.order_id) == ("referral:70", 200, 70)
    # once booked, nothing more
    assert referral_lines(anna, [ReferralUse(friend, 9, True)], (bonus,), Program(), day(3)) == []
    # the program's bonus is what is paid
    [custom] = referral_lines(anna, [ReferralUse(friend, 9, True)], (), Program(referral_bonus=350), day(2))
    assert custom.points == 350
