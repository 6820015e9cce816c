"""The save pass: Django's decision that a signed-in session may save answers to an
attempt (a session pass, certwright/core/session_pass.py), so the exam's saves can be
answered before Django's middleware (certwright/delivery/wsgi.py).

At an exam peak the saves are most of the requests, and through Django each one
read the session, the user and the user's roles before its one upsert statement
(about 4 ms of CPU in all on a 2-core host, bench/save_answer.py). The player polls
the attempt's state through Django every 2 seconds anyway, with the whole check
(session, user, owner); the poll gives a fresh pass, each save carries it, and the
save's own statement checks the rest as it always has (the attempt's owner, its
workstation, in progress, before the deadline, the item on its form) and that the
session is live.

A pass names the attempt and the user, beside this session's cookie, for
``MAX_AGE`` seconds. Signing out, another sign-in or an expired session stop the
saves at once; a changed password at the next poll (Django then flushes the
session); a deactivated account within ``MAX_AGE`` seconds, when the poll gives no
new pass. Sent in a header of its own, the pass is also the save's CSRF check.
"""

from __future__ import annotations

from dataclasses import dataclass

from certwright.core.session_pass import is_id, session_pass_issue, session_pass_read

SALT = "certwright.delivery.save_pass"
HEADER = "X-Save-Pass"
# The WSGI environ's key for HEADER.
ENVIRON_KEY = "HTTP_X_SAVE_PASS"
MAX_AGE = 30  # seconds; the exam player polls every 2.


@dataclass(frozen=True, slots=True)
class SavePass:
    attempt_id: int
    user_id: int


def save_pass_issue(*, attempt_id: int, user_id: int, session_key: str) -> str:
    """A pass for the signed-in ``user_id`` (session ``session_key``) to save
    answers to ``attempt_id``; the caller has checked the user may."""
    return session_pass_issue(SALT, [attempt_id, user_id], session_key=session_key)


def save_pass_read(
    value: str | None, *, attempt_id: int, session_key: str | None
) -> SavePass | None:
    """The pass ``value`` if it is well signed, at most ``MAX_AGE`` seconds old,
    for ``attempt_id`` and for the session ``session_key``; else None."""
    data = session_pass_read(SALT, value, max_age=MAX_AGE, session_key=session_key)
    if data is None or len(data) != 2 or data[0] != attempt_id or not is_id(data[1]):
        return None
    return SavePass(attempt_id=attempt_id, user_id=data[1])
