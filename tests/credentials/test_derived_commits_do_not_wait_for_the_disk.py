"""On PostgreSQL, a transaction that only writes derived state commits without
waiting for the WAL flush; one that also writes facts keeps the server's setting."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from certwright.credentials.recompute import _derived_transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="a PostgreSQL setting"
    ),
]


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def test_a_derived_write_transaction_relaxes_only_itself() -> None:
    """Inside the derived transaction synchronous_commit is off; after it, the
    connection is back to the server's default (SET LOCAL)."""
    # given
    default = _synchronous_commit()
    assert default == "on"

    # when / then
    with _derived_transaction():
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == default


def test_inside_a_callers_transaction_nothing_is_relaxed() -> None:
    """A caller's transaction may hold facts, so it keeps a durable commit."""
    with transaction.atomic(), _derived_transaction():
        assert _synchronous_commit() == "on"
