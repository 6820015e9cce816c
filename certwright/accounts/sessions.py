"""Database sessions, read with one plain query.

Every signed-in request loads its session first; at an exam peak that is hundreds of
answer saves a second, and the ORM's query building for ``Session.objects.get`` was
a sixth of a save's server time. Writes, expiry and everything else are Django's
(``SESSION_ENGINE = "certwright.accounts.sessions"``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connection, connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if not key:
            self._session_key = None
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn('session_data')} FROM {qn(model._meta.db_table)} "
                f"WHERE {qn('session_key')} = %s AND {qn('expire_date')} > %s",
                [key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's store: an unknown or expired key starts a new session.
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])


def session_live_sql(alias: str) -> str:
    """A condition, for a statement of the default database, that the session
    given by two parameters (its key, then ``session_live_params``' moment) is live:
    not signed out, flushed or expired. For the statements that act on a session
    pass (certwright/core/session_pass.py) without loading the session first."""
    qn = connection.ops.quote_name
    return (
        f"EXISTS (SELECT 1 FROM {qn(Session._meta.db_table)} {alias}"
        f" WHERE {alias}.{qn('session_key')} = %s"
        f" AND {alias}.{qn('expire_date')} > %s)"
    )


def session_live_params(session_key: str) -> list[Any]:
    """The parameters of ``session_live_sql``: the key, and now (a session's
    expiry is real time, as ``SessionStore`` reads it)."""
    return [session_key, connection.ops.adapt_datetimefield_value(timezone.now())]
