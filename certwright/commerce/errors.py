"""The refusals commerce services raise.

All are ``ValidationError`` subclasses, so a view or endpoint that shows a
ValidationError's messages shows these too; callers that need to tell them apart
(the API's status codes, scheduling) catch the subclass.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class CommerceError(ValidationError):
    """A request commerce refuses; nothing was written."""


class NotEligible(CommerceError):
    """The rules (or an open line for the same test) forbid the purchase."""


class StaleCart(CommerceError):
    """The cart changed after the form was rendered."""


class VoucherRefused(CommerceError):
    """The voucher code is unknown, used, or does not cover the test."""


class LineStateError(CommerceError):
    """The order line is not in a state that allows the change asked for."""
