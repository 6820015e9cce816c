"""The refusal exam delivery raises (its writes, practice, proctoring).

Its own module so that every delivery module, the selectors included, can raise it
without importing the writes, which import most of the others.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class DeliveryError(ValidationError):
    """A refused request, with a message for the candidate or proctor; nothing was
    written. ``code``: not_found, forbidden, state, not_started, paused, finished,
    deadline, item, choice, seq, flagged, no_form, entitlement, minutes, reason,
    stale, busy."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def attempt_not_found() -> DeliveryError:
    """No such attempt, as far as the asker may know."""
    return DeliveryError("not_found", _("There is no such exam attempt."))
