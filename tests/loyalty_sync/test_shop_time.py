"""Times people read are in the shop's zone, to the minute, with the zone's name."""

from datetime import datetime, timezone

from loyalty_sync.shop_time import shop_time_text, zone

NOON_UTC_WINTER = datetime(2026, 12, 8, 12, 0, 59, tzinfo=timezone.utc)
NOON_UTC_SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)


def test_a_zone_with_summer_time():
    assert shop_time_text(NOON_UTC_WINTER, "Europe/Berlin") == "2026-12-08 13:00 CET"
    assert shop_time_text(NOON_UTC_SUMMER, "Europe/Berlin") == "2026-07-01 14:00 CEST"


def test_a_fixed_offset_and_the_day_it_is_in_the_shop():
    late = datetime(2026, 12, 8, 20, 30, tzinfo=timezone.utc)
    assert shop_time_text(late, "UTC+05:30") == "2026-12-09 02:00 UTC+05:30"
    assert shop_time_text(late, "UTC+05:30", with_time=False) == "2026-12-09"


def test_naive_times_are_utc_and_unknown_zones_read_as_utc():
    assert shop_time_text(datetime(2026, 12, 8, 12, 0), "Europe/Berlin") == "2026-12-08 13:00 CET"
    assert shop_time_text(NOON_UTC_WINTER, "Mars/Olympus") == "2026-12-08 12:00 UTC"
    assert zone(None) is timezone.utc and shop_time_text(None, "UTC") == "–"
