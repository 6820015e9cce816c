"""Time arithmetic for centres: opening intervals in UTC and the block grid.

Opening hours and closures are kept in the centre's local time (that is how a centre
states them); seats and appointments are kept in UTC. These functions convert, with
zoneinfo, one local day at a time, so the hours stay right across a daylight-saving
change. A local time that does not exist on a spring-forward day (02:30 in New York)
is read with the offset before the change, as zoneinfo does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from certwright.scheduling.models import BLOCK, BLOCK_MINUTES

_STEP = BLOCK_MINUTES * 60


class HoursRow(Protocol):
    weekday: int
    opens: dt.time
    closes: dt.time


class ClosureRow(Protocol):
    starts_on: dt.date
    ends_on: dt.date
    reason: str


@dataclass(frozen=True, slots=True)
class Interval:
    """One opening interval of one local day, as UTC instants."""

    day: dt.date
    opens: dt.datetime
    closes: dt.datetime


def local_to_utc(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant the local ``day`` begins at."""
    return local_to_utc(day, dt.time(0), tz)


def days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def closure_on(closures: Iterable[ClosureRow], day: dt.date) -> ClosureRow | None:
    for closure in closures:
        if closure.starts_on <= day <= closure.ends_on:
            return closure
    return None


def open_intervals(
    hours: Iterable[HoursRow],
    closures: Iterable[ClosureRow],
    tz: ZoneInfo,
    first: dt.date,
    last: dt.date,
) -> list[Interval]:
    """The opening intervals of the local days ``first``..``last``, closures left
    out, in order."""
    by_weekday: dict[int, list[HoursRow]] = {}
    for row in hours:
        by_weekday.setdefault(row.weekday, []).append(row)
    closures = list(closures)
    found: list[Interval] = []
    for day in days(first, last):
        if closure_on(closures, day) is not None:
            continue
        for row in sorted(by_weekday.get(day.weekday(), ()), key=lambda r: r.opens):
            opens = local_to_utc(day, row.opens, tz)
            closes = local_to_utc(day, row.closes, tz)
            if closes > opens:
                found.append(Interval(day, opens, closes))
    return found


def on_grid(moment: dt.datetime) -> bool:
    return moment.microsecond == 0 and int(moment.timestamp()) % _STEP == 0


def grid_ceil(moment: dt.datetime) -> dt.datetime:
    """The first block boundary at or after ``moment``."""
    seconds = moment.timestamp()
    whole = int(seconds)
    if whole != seconds:
        whole += 1
    return dt.datetime.fromtimestamp(whole + (-whole % _STEP), tz=dt.UTC)


def blocks(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.datetime]:
    """The starts of the blocks an appointment from ``starts_at`` (on the grid) to
    ``ends_at`` occupies: every block that begins before it ends."""
    found = []
    moment = starts_at.astimezone(dt.UTC)
    while moment < ends_at:
        found.append(moment)
        moment += BLOCK
    return found
