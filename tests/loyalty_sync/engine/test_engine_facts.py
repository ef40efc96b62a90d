"""order_from_wc / customer_from_wc on real captures and on broken records."""

import copy
import json
from datetime import datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest

from loyalty_sync.engine.earning import award_for_order, eligible_amount
from loyalty_sync.engine.facts import BadRecord, Refund, RefundLine, customer_from_wc, order_from_wc
from loyalty_sync.engine.program import DEFAULT_PROGRAM as P
from tests.support import wc

CAPTURES = Path("/work/shared/woocommerce/captures")
UTC = timezone.utc


def body(name):
    return json.loads((CAPTURES / name).read_text())["response"]["body"]


needs_captures = pytest.mark.skipif(not CAPTURES.exists(), reason="captures not available")


@needs_captures
def test_order_074():
    o = order_from_wc(body("074-order-get.json"), categories_by_product={11: frozenset({3})})
    assert o.order_id == 20 and o.status == "completed" and o.currency == "EUR"
    # date_created_gmt "2026-11-23T17:13:30" is UTC (date_created is local UTC+1)
    assert o.created == datetime(2026, 11, 23, 17, 13, 30, tzinfo=UTC)
    assert o.paid == datetime(2026, 11, 23, 17, 13, 37, tzinfo=UTC)
    assert o.completed == datetime(2026, 11, 23, 17, 13, 39, tzinfo=UTC)
    assert (o.total, o.total_tax, o.shipping_total, o.shipping_tax, o.discount_total) == (
        D("115.39"),
        D("18.42"),
        D("4.90"),
        D("0.93"),
        D("10.23"),
    )
    assert [
        (ln.line_id, ln.product_id, ln.variation_id, ln.sku, ln.quantity, ln.total, ln.total_tax) for ln in o.lines
    ] == [
        (1, 11, 0, "ESP-1KG", 2, D("44.82"), D("8.52")),
        (2, 13, 14, "FILTER-250", 1, D("7.65"), D("1.45")),
        (3, 12, 0, "FROTH-01", 1, D("39.60"), D("7.52")),
    ]
    assert o.lines[0].categories == frozenset({3}) and o.lines[1].categories == frozenset()
    assert o.customer_id == 2 and o.email == "anna.schmidt@example.com"
    assert o.coupon_codes == ("loyal10",)
    assert o.refunds == ()
    assert o.billing_address == "hauptstrasse 5, 10115, berlin, de"
    # 44.82 + 7.65 + 39.60 = 92.07 eligible -> 92 points
    assert eligible_amount(o, P) == D("92.07")
    assert award_for_order(o, P, D(1), D(1)).points == 92


@needs_captures
def test_order_090_with_refund_089():
    refund = body("089-refund-create-partial.json")
    o = order_from_wc(body("090-order-get-after-partial-refund.json"), [refund])
    # the refund line's own id is 12; the order line it refunds is meta _refunded_item_id = 1
    assert o.refunds == (
        Refund(23, datetime(2026, 11, 23, 17, 13, 41, tzinfo=UTC), D("26.67"), (RefundLine(1, 1, D("22.41")),)),
    )
    # 92.07 - 22.41 = 69.66 -> 69 points
    assert eligible_amount(o, P) == D("69.66")
    assert award_for_order(o, P, D(1), D(1)).points == 69


@needs_captures
def test_order_090_without_refund_details_uses_amount_share():
    o = order_from_wc(body("090-order-get-after-partial-refund.json"))
    # refunds[] has total "-26.67", no lines, no date (the order's modification date stands in)
    assert o.refunds == (Refund(23, datetime(2026, 11, 23, 17, 13, 41, tzinfo=UTC), D("26.67"), ()),)
    # each line loses 26.67/115.39 of itself: 92.07 * (1 - 26.67/115.39) = 70.7899... -> 70
    assert award_for_order(o, P, D(1), D(1)).points == 70


@needs_captures
def test_order_093_fully_refunded_earns_nothing():
    o = order_from_wc(body("093-order-get-after-full-refund.json"), body("094-refunds-list.json"))
    assert o.status == "refunded"
    assert [r.refund_id for r in o.refunds] == [23, 24]  # oldest first
    assert award_for_order(o, P, D(1), D(1)).points == 0


@needs_captures
def test_customer_040():
    c = customer_from_wc(body("040-customer-get-after-meta.json"))
    assert (c.customer_id, c.email, c.first_name, c.last_name) == (2, "anna.schmidt@example.com", "Anna", "Schmidt")
    assert c.created == datetime(2026, 11, 23, 17, 13, 28, tzinfo=UTC)
    assert c.meta["loyalty_points"] == "250" and c.meta["loyalty_tier"] == "gold"


def _order():
    """A guest's order as a store answers it, with what the reading must clean up:
    an email with spaces and capitals, a coupon code in capitals, a line whose
    product lost its sku (null), a double space in the address; not paid yet."""
    record = wc.order(
        5,
        lines=[wc.line(1, "20.00", product_id=11, tax="3.80", sku=None)],
        coupons=["welcome5"],
        created=datetime(2026, 3, 1, 10, 15, tzinfo=UTC),
        modified=datetime(2026, 3, 1, 10, 16, tzinfo=UTC),
    )
    record["billing"].update(email="  Guest@Example.COM ", address_1="Hauptstrasse  5", postcode="", country="")
    record["coupon_lines"][0]["code"] = "WELCOME5"
    record["date_paid"] = record["date_paid_gmt"] = None
    return record


def test_guest_order_email_lowercased_and_codes_lowercased():
    o = order_from_wc(_order())
    assert o.email == "guest@example.com" and o.customer_id == 0
    assert o.coupon_codes == ("welcome5",)
    assert o.lines[0].sku == ""
    assert o.paid is None
    assert o.billing_address == "hauptstrasse 5, berlin"


def _broken(path, value):
    d = copy.deepcopy(_order())
    target = d
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return d


BROKEN = [
    (("total",), KeyError, "total", "missing"),
    (("total",), "abc", "total", "'abc' is not an amount"),
    (("line_items", 0, "total"), "-5.00", "line_items.0.total", "wrong sign"),
    (("total",), "1e12", "total", "not a believable amount"),
    (("total",), None, "total", "expected an amount"),
    (("status",), "shipped", "status", "unknown order status 'shipped'"),
    (("date_created_gmt",), "2026-13-45T10:00:00", "date_created_gmt", "is not a date"),
    (("date_created_gmt",), None, "date_created_gmt", "missing"),
    (("id",), "five", "id", "expected a whole number"),
    (("line_items", 0, "total"), "12,50", "line_items.0.total", "is not an amount"),
    (("line_items", 0, "quantity"), "x", "line_items.0.quantity", "expected a whole number"),
    (("line_items",), "none", "line_items", "expected a list"),
    (("currency",), "euro", "currency", "is not a currency code"),
    (("billing", "email"), "not-an-email", "billing.email", "is not an email address"),
    (("refunds",), [{"id": 3, "total": "-99.00"}], "refunds", "more than the order total"),
    (("refunds",), [{"id": 3, "total": "12.00"}], "refunds.0.total", "wrong sign"),
]


@pytest.mark.parametrize("path,value,field,message", BROKEN, ids=[f"{b[0]}={b[1]!r}" for b in BROKEN])
def test_bad_records(path, value, field, message):
    with pytest.raises(BadRecord) as caught:
        order_from_wc(_broken(path, value))
    assert caught.value.field == field
    assert message in caught.value.message
    assert str(caught.value).startswith(caught.value.record_ref + ": " + field)


def test_refund_line_without_refunded_item_is_refused():
    refund = {
        "id": 9,
        "date_created_gmt": "2026-03-02T00:00:00",
        "amount": "5.00",
        "line_items": [{"id": 77, "quantity": -1, "total": "-5.00", "meta_data": []}],
    }
    with pytest.raises(BadRecord, match="_refunded_item_id"):
        order_from_wc(_order(), [refund])


def test_refund_of_unknown_line_is_refused():
    refund = {
        "id": 9,
        "date_created_gmt": "2026-03-02T00:00:00",
        "amount": "5.00",
        "line_items": [
            {"id": 77, "quantity": -1, "total": "-5.00", "meta_data": [{"key": "_refunded_item_id", "value": "42"}]}
        ],
    }
    with pytest.raises(BadRecord, match="refunds line 42"):
        order_from_wc(_order(), [refund])


def test_broken_customer():
    with pytest.raises(BadRecord, match="customer 3: date_created_gmt: missing"):
        customer_from_wc({"id": 3, "email": "a@b.c"})


# --- negative fees and dates far ahead (issue 16 #6, issue 17) ------------------------------------


def test_a_total_below_zero_is_read_and_earns_nothing():
    record = _order()
    record["fee_lines"] = [{"id": 9, "name": "goodwill", "total": "-500.00", "total_tax": "-95.00"}]
    record["total"] = "-20.00"
    o = order_from_wc(record)
    assert o.total == D("-20.00") and o.fee_discount == D("500.00")
    assert eligible_amount(o, P) == 0
    assert award_for_order(o, P, D(1), D(1)).points == 0


def test_a_negative_fee_is_spread_over_the_lines_and_refund_shares_still_work():
    record = _order()
    items = sum(D(li["total"]) for li in record["line_items"])
    record["fee_lines"] = [
        {"id": 9, "name": "goodwill", "total": f"-{items / 4:.2f}", "total_tax": "0.00"},
        {"id": 10, "name": "gift wrap", "total": "3.00", "total_tax": "0.57"},
    ]
    o = order_from_wc(record)
    assert o.fee_discount == (items / 4).quantize(D("0.01"))
    assert eligible_amount(o, P) == items - o.fee_discount


def test_an_amount_refund_on_an_order_of_total_zero_divides_by_nothing():
    record = _order()
    record["fee_lines"] = [{"id": 9, "name": "goodwill", "total": "-100000.00", "total_tax": "0.00"}]
    record["total"] = "0.00"
    o = order_from_wc(
        record, [{"id": 4, "date_created_gmt": "2026-11-24T10:00:00", "amount": "0.00", "line_items": []}]
    )
    assert eligible_amount(o, P) == 0


def test_dates_later_than_allowed_are_refused_by_field():
    limit = datetime(2026, 12, 8, tzinfo=UTC)
    for field in ("date_created_gmt", "date_modified_gmt", "date_paid_gmt", "date_completed_gmt"):
        record = _order()
        record[field] = "9999-12-31T23:59:59"
        with pytest.raises(BadRecord) as err:
            order_from_wc(record, not_after=limit)
        assert err.value.field == field and "in the future" in err.value.message
        order_from_wc(record)  # without a limit (the engine is pure): read as given
    refund = {"id": 4, "date_created_gmt": "2027-01-01T00:00:00", "amount": "1.00", "line_items": []}
    with pytest.raises(BadRecord) as err:
        order_from_wc(_order(), [refund], not_after=limit)
    assert err.value.field == "refunds.0.date_created_gmt"
    customer = {
        "id": 5,
        "email": "a@example.com",
        "date_created_gmt": "2026-01-01T00:00:00",
        "date_modified_gmt": "9999-12-31T23:59:59",
    }
    with pytest.raises(BadRecord) as err:
        customer_from_wc(customer, not_after=limit)
    assert err.value.field == "date_modified_gmt"


def test_an_address_longer_than_the_stored_line_is_cut_to_fit_it():
    """Seen on PostgreSQL with the broken-orders corpus: a 5,000-character street overflowed
    orders.billing_address (varchar 1000) and failed the whole batch."""
    from loyalty_sync.engine.facts import ADDRESS_MAX, address_text

    line = address_text({"address_1": "Hauptstr. " + "9" * 5000, "city": "Berlin"})
    assert len(line) == ADDRESS_MAX and line.startswith("hauptstr. 999")
