"""Days relative to today, as the facts of a technician's history are dated."""

from __future__ import annotations

import datetime as dt

from certwright.core.clock import today
from certwright.rules.dates import add_months


def ago(*, years: int = 0, months: int = 0, days: int = 0) -> dt.date:
    """A day before today, in calendar years/months and then days."""
    return add_months(today(), -(12 * years + months)) - dt.timedelta(days=days)
