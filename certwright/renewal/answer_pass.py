"""The answer pass: Django's decision that a signed-in session may answer one
renewal question (a session pass, certwright/core/session_pass.py), put in the
question's answer form, so that the answer can be taken before Django's middleware
(certwright/renewal/wsgi.py).

On the first day of a month the answers are the peak's requests, and through Django
each one read the session, the user, the user's roles and the technician before the
answer's own statements (bench/renewal.py). The question's page, rendered through
Django with the whole check, gives the pass: the question, the technician and the
user (with the user's name, which the audit event records), beside this session's
cookie, for ``MAX_AGE`` seconds. The answer's own locking read checks the rest: the
question is the technician's, and the session is live (signing out, another sign-in
or an expired session: refused at once). In the form, the pass is also the answer's
CSRF check: another site can neither read it nor make it.
"""

from __future__ import annotations

from dataclasses import dataclass

from certwright.core.session_pass import is_id, session_pass_issue, session_pass_read

SALT = "certwright.renewal.answer_pass"
FIELD = "answer_pass"
# A question is answered within its time limit of minutes (program data); a page
# left open longer still answers, through Django.
MAX_AGE = 3600


@dataclass(frozen=True, slots=True)
class AnswerPass:
    question_id: int
    technician_id: int
    user_id: int
    username: str


def answer_pass_issue(
    *,
    question_id: int,
    technician_id: int,
    user_id: int,
    username: str,
    session_key: str,
) -> str:
    """A pass for the signed-in ``user_id`` (session ``session_key``), technician
    ``technician_id``, to answer ``question_id``; the caller has checked it is
    theirs."""
    return session_pass_issue(
        SALT, [question_id, technician_id, user_id, username], session_key=session_key
    )


def answer_pass_read(
    value: str | None, *, question_id: int, session_key: str | None
) -> AnswerPass | None:
    """The pass ``value`` if it is well signed, at most ``MAX_AGE`` seconds old,
    for ``question_id`` and for the session ``session_key``; else None."""
    data = session_pass_read(SALT, value, max_age=MAX_AGE, session_key=session_key)
    if (
        data is None
        or len(data) != 4
        or data[0] != question_id
        or not is_id(data[1])
        or not is_id(data[2])
        or not isinstance(data[3], str)
    ):
        return None
    return AnswerPass(
        question_id=question_id,
        technician_id=data[1],
        user_id=data[2],
        username=data[3],
    )
