"""The store's clock from its `Date` headers (woocommerce/store_clock.py)."""

from datetime import datetime, timezone

from loyalty_sync.woocommerce.store_clock import StoreClock, parse_date_header


def test_the_newest_date_is_kept_and_garbage_ignored():
    clock = StoreClock()
    assert clock.newest is None
    clock.note({"Date": "Tue, 08 Dec 2026 01:00:05 GMT"})
    clock.note({"date": "Tue, 08 Dec 2026 01:00:01 GMT"})  # an older answer arriving late
    clock.note({"Date": "soon"})
    clock.note({})
    clock.note(None)
    assert clock.newest == datetime(2026, 12, 8, 1, 0, 5, tzinfo=timezone.utc)


def test_http_dates_in_every_form_are_utc():
    expected = datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)
    assert parse_date_header("Sun, 06 Nov 1994 08:49:37 GMT") == expected
    assert parse_date_header("Sunday, 06-Nov-94 08:49:37 GMT") == expected
    assert parse_date_header("Sun Nov  6 08:49:37 1994") == expected
    assert parse_date_header("") is None
