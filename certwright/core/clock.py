"""The one place that reads the clock.

Everything else asks here, so a test freezes time with time-machine (which patches
``datetime`` and ``time``) and the rules core, which never reads a clock, gets the
date passed in.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current moment, timezone-aware in UTC."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the program's calendar: the UTC date."""
    return now().astimezone(dt.UTC).date()
