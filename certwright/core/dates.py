"""Checking a calendar date typed into a fact (a result, a span of experience).

Shared by every app that records facts, so "in the future" and "too early" read the
same wherever a date is refused. Pure: the day to compare with is passed in.
"""

from __future__ import annotations

import datetime as dt


def day_problem(day: object, *, earliest: dt.date, on: dt.date) -> str | None:
    """Why ``day`` cannot be a fact's date on ``on`` (None: it can): not a date, in
    the future, or before ``earliest`` (a typing error, not history)."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        return f"{day!r} is not a date"
    if day > on:
        return f"{day.isoformat()} is in the future (today is {on.isoformat()})"
    if day < earliest:
        return f"{day.isoformat()} is before {earliest.isoformat()}"
    return None
