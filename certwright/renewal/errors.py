"""The renewal app's refusals, each with a message for the person refused."""

from __future__ import annotations


class RenewalError(Exception):
    """A renewal action refused; ``str(error)`` says why, for the person."""

    code = "renewal"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
