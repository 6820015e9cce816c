"""What the project's management commands share: argument types and exit codes."""

from __future__ import annotations

import argparse
import datetime as dt

# The exit status for input the command cannot accept (a bad program or facts file,
# an unknown test code); 1 stays Django's "something else went wrong".
INVALID_INPUT = 2


def iso_date(value: str) -> dt.date:
    """An argparse type for YYYY-MM-DD dates."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date (YYYY-MM-DD)"
        ) from None
