"""The save pass: Django's decision that a signed-in session may save answers to an
attempt, signed and kept for half a minute, so the exam's saves can be answered
before Django's middleware (certwright/delivery/wsgi.py).

At an exam peak the saves are most of the requests, and through Django each one
read the session, the user and the user's roles before its one upsert statement
(about 4 ms of CPU in all on a 2-core host, bench/save_answer.py). The player polls
the attempt's state through Django every 2 seconds anyway, with the whole check
(session, user, owner); each answer carries a pass, and the save's own statement
checks the rest as it always has (the attempt's owner, its workstation, in progress,
before the deadline, the item on its form).

A pass names the attempt, the user and a hash of the session's key (the key itself
is in an HttpOnly cookie and stays out of the page). It is good for ``MAX_AGE``
seconds and only beside the same session cookie, and the save's statement also
asks that the session still be live: a pass copied out of a page is useless without
the cookie, and signing out, another sign-in or an expired session stops the saves
at once. A changed password does too, at the next poll (Django then flushes the
session); a deactivated account stops within ``MAX_AGE`` seconds, when the poll
gives no new pass. Sent in a header of its own, the pass is also the save's CSRF
check: another site can neither read it nor add the header.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import salted_hmac

SALT = "certwright.delivery.save_pass"
HEADER = "X-Save-Pass"
# The WSGI environ's key for HEADER.
ENVIRON_KEY = "HTTP_X_SAVE_PASS"
MAX_AGE = 30  # seconds; the exam player polls every 2.
# Longer is not a pass (it is about 130 characters).
MAX_LENGTH = 400


@dataclass(frozen=True, slots=True)
class SavePass:
    attempt_id: int
    user_id: int


def _session_mark(session_key: str) -> str:
    return salted_hmac(SALT, session_key, algorithm="sha256").hexdigest()[:32]


def save_pass_issue(*, attempt_id: int, user_id: int, session_key: str) -> str:
    """A pass for the signed-in ``user_id`` (session ``session_key``) to save
    answers to ``attempt_id``; the caller has checked the user may."""
    return signing.dumps(
        [attempt_id, user_id, _session_mark(session_key)], salt=SALT, compress=False
    )


def save_pass_read(
    value: str | None, *, attempt_id: int, session_key: str | None
) -> SavePass | None:
    """The pass ``value`` if it is well signed, at most ``MAX_AGE`` seconds old,
    for ``attempt_id`` and for the session ``session_key``; else None."""
    if not value or not session_key or len(value) > MAX_LENGTH:
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError):
        return None
    if (
        not isinstance(data, list)
        or len(data) != 3
        or data[0] != attempt_id
        or not isinstance(data[1], int)
        or isinstance(data[1], bool)
        or data[2] != _session_mark(session_key)
    ):
        return None
    return SavePass(attempt_id=attempt_id, user_id=data[1])
