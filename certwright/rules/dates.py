"""Calendar arithmetic and sets of date intervals, for the rules core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

# Open-ended intervals end at FOREVER so interval arithmetic needs no special case.
FOREVER = dt.date.max

Span = tuple[dt.date, dt.date]  # start <= day < end


# Days in each month of a common year. The recompute moves ~5 dates per technician
# and calendar.monthrange (which also works out a weekday) was a tenth of the
# rules core's time.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; the 31st becomes the month's last day.

    A result past the end of the calendar is FOREVER (before its start, date.min).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    # An expiry after 9999-12-31 cannot be written down, and no day the rules can be
    # asked about comes after it: a validity that runs past the calendar's end is
    # open-ended for every question the core answers, which is what FOREVER means.
    # Raising instead would let one far-future fact take down a whole recompute.
    if year > dt.MAXYEAR:
        return FOREVER
    if year < dt.MINYEAR:
        return dt.date.min
    d = day.day
    if d > 28:
        last = _MONTH_DAYS[month0]
        if month0 == 1 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
            last = 29
        d = min(d, last)
    return dt.date(year, month0 + 1, d)


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years; 29 February becomes 28 February."""
    return add_months(day, 12 * years)


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, clamped to the calendar like ``add_months``."""
    # Compared in whole days first: timedelta itself overflows past ~2.7 million
    # years, and date + timedelta past 9999-12-31.
    if days > (FOREVER - day).days:
        return FOREVER
    if days < (dt.date.min - day).days:
        return dt.date.min
    return day + dt.timedelta(days=days)


def last_valid_day(expires_on: dt.date | None) -> dt.date | None:
    """The last day a certification that ends at ``expires_on`` is valid.

    The rules core keeps an exclusive end (``expires_on`` is the first day no longer
    certified) so spans subtract cleanly; every page, PDF, e-mail and the API show the
    last valid day ("valid through"), and this is the one place that converts. None
    (open-ended, or FOREVER) stays None.
    """
    if expires_on is None or expires_on == FOREVER:
        return None
    return expires_on - dt.timedelta(days=1)


def union(spans: Iterable[Span]) -> list[Span]:
    """The union of spans as sorted, disjoint spans; touching spans are merged."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersection(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """The intersection of two sorted, disjoint span lists."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def difference(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """The days of ``a`` that are not in ``b`` (both sorted and disjoint)."""
    out: list[Span] = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def span_at(spans: Sequence[Span], day: dt.date) -> Span | None:
    """The span containing ``day``, if any."""
    for start, end in spans:
        if start <= day < end:
            return (start, end)
        if start > day:
            break
    return None
