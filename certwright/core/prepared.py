"""Statements prepared once per PostgreSQL session (``PREPARE``/``EXECUTE``), for
the few hot statements whose planning costs PostgreSQL more than running them: the
public lookup (certwright/verification) and the exam's answer save
(certwright/delivery/answers.py).

Django's PostgreSQL cursors bind parameters on the client, so a statement is
prepared in SQL, once per connection: a new connection (CONN_MAX_AGE, a restart of
the server) prepares it again. Behind a pooler in transaction mode, which may hand
another session to the next statement, turn them off with
``CERTWRIGHT_DB_PREPARED=0`` (``settings.DB_PREPARED``).
"""

from __future__ import annotations

import functools
import re
import weakref
from typing import Any

from django.conf import settings
from django.db import connection

# The raw connections (PostgreSQL) and the statements prepared on each.
_prepared_on: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%s")


def prepared_statements() -> bool:
    """Whether hot statements run prepared per session (PostgreSQL, unless turned
    off)."""
    return connection.vendor == "postgresql" and bool(settings.DB_PREPARED)


def numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders numbered ``$1``, ``$2``… in order, as
    PREPARE takes them (the statement must hold no other ``%s``)."""
    count = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda _m: f"${next(count)}", sql)


def statement_prepared(cursor: Any, name: str, sql: str) -> str:
    """``name``, prepared as ``sql`` (parameters ``$1``, ``$2``…) on the database
    session of ``cursor`` if it is not yet: the caller then runs ``EXECUTE
    name(...)`` on that cursor.

    The session is the cursor's: opening the cursor is when Django replaces a
    connection that failed its health check, so asking before would remember the
    statement on a session about to be dropped."""
    done = _prepared_on.setdefault(connection.connection, set())
    if name not in done:
        cursor.execute(f"PREPARE {name} AS {sql}")
        done.add(name)
    return name


@functools.cache
def _execute_sql(name: str, count: int) -> str:
    return f"EXECUTE {name}({', '.join(['%s'] * count)})"


def execute_prepared(cursor: Any, name: str, sql: str, params: list[Any]) -> None:
    """Run ``sql`` (``%s`` placeholders) with ``params`` on ``cursor`` as the
    statement ``name`` prepared on its session."""
    done = _prepared_on.setdefault(connection.connection, set())
    if name not in done:
        statement_prepared(cursor, name, numbered(sql))
    cursor.execute(_execute_sql(name, len(params)), params)
