"""A session pass: Django's decision that a signed-in session may do one thing (save
answers to an exam attempt, answer a renewal question), signed, so that a WSGI layer
in front of Django (certwright/core/fast_layer.py) can act on it without running the
session, user and role checks again.

A pass holds the values its app names (the attempt, the question, the user) and a
keyed hash of the session's key, never the key itself (that stays in its HttpOnly
cookie). It is good only beside the same session cookie and for ``max_age`` seconds,
and whoever acts on it also asks, in the same statement, that the session still be
live: a pass copied out of a page is useless without the cookie, and signing out, a
new sign-in or an expired session stop it at once. Sent in a header or a form field
that another site can neither read nor make, it is also the request's CSRF check.
The signature is Django's (``django.core.signing``, with ``SECRET_KEY`` and its
fallbacks).
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.utils.crypto import salted_hmac

# Longer is not a pass (one is 100 to 200 characters).
MAX_LENGTH = 400


def _session_mark(salt: str, session_key: str) -> str:
    return salted_hmac(salt, session_key, algorithm="sha256").hexdigest()[:32]


def session_pass_issue(salt: str, values: list[Any], *, session_key: str) -> str:
    """A pass of ``values`` (JSON values) for the session ``session_key``; ``salt``
    names what it is for."""
    return signing.dumps(
        [*values, _session_mark(salt, session_key)], salt=salt, compress=False
    )


def session_pass_read(
    salt: str, value: str | None, *, max_age: int, session_key: str | None
) -> list[Any] | None:
    """The values of the pass ``value`` if it is well signed for ``salt``, at most
    ``max_age`` seconds old and for the session ``session_key``; else None."""
    if not value or not session_key or len(value) > MAX_LENGTH:
        return None
    try:
        data = signing.loads(value, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None
    if (
        not isinstance(data, list)
        or not data
        or data[-1] != _session_mark(salt, session_key)
    ):
        return None
    return data[:-1]


def is_id(value: object) -> bool:
    """A database id as a pass holds it: an int, not a bool."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
