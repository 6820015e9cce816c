"""Moving dates by whole months and years, as validity periods do."""

from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from certwright.rules.dates import add_months, add_years


@given(
    day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
    months=st.integers(min_value=-1200, max_value=1200),
)
def test_a_month_move_keeps_the_day_or_takes_the_months_last(
    day: dt.date, months: int
) -> None:
    """The same day of the target month, or its last day when it is shorter (the
    31st into April is the 30th; 29 February into a common year is the 28th)."""
    # when
    moved = add_months(day, months)

    # then: checked against the standard library's calendar
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    assert moved == dt.date(year, month0 + 1, min(day.day, last))


def test_leap_days_move_to_the_28th_in_a_common_year() -> None:
    """Five years on from 29 February 2024 is 28 February 2029; four is the 29th."""
    assert add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert add_years(dt.date(2000, 2, 29), 100) == dt.date(2100, 2, 28)
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
