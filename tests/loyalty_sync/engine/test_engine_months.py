"""Month arithmetic: the shortcuts the replay's checkpoints rely on equal relativedelta's answers."""

from datetime import datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from loyalty_sync.engine.months import add_months, start_of_next_month

MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 12, 31)).map(
    lambda at: at.replace(tzinfo=timezone.utc)
)


@given(MOMENTS)
def test_start_of_next_month_is_the_first_of_the_month_plus_one_month(at):
    assert start_of_next_month(at) == at.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + relativedelta(
        months=1
    )


@given(MOMENTS, st.integers(-24, 24))
def test_a_year_on_the_month_after_is_the_month_after_a_year_on(at, months):
    assert start_of_next_month(add_months(at, months)) == add_months(start_of_next_month(at), months)
    assert add_months(at, months) == at + relativedelta(months=months)


def test_month_ends_and_new_year():
    at = datetime(2024, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
    assert start_of_next_month(at) == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert add_months(datetime(2024, 1, 31, tzinfo=timezone.utc), 1) == datetime(2024, 2, 29, tzinfo=timezone.utc)
    assert start_of_next_month(at - timedelta(days=366)).month == 1
