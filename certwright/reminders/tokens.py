"""The one-click unsubscribe token: the technician's id signed with the site's secret.

A reminder e-mail's ``List-Unsubscribe`` link carries it (RFC 8058), so a mail client
can turn the reminders off with one POST, without a session or a CSRF token. The
signature is what proves the request came from a mail we sent; it does not expire,
since a reminder may be read months later and turning reminders off is the only thing
it can do.
"""

from __future__ import annotations

from django.core import signing

# Its own salt: a token signed for anything else never unsubscribes anyone.
SALT = "certwright.reminders.unsubscribe"


def unsubscribe_token(technician_id: int) -> str:
    return signing.dumps(technician_id, salt=SALT, compress=False)


def unsubscribe_technician_id(token: str) -> int | None:
    """The technician a token was made for, or None when it is not one of ours."""
    try:
        value = signing.loads(token, salt=SALT, max_age=None)
    except signing.BadSignature:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value
