"""The SQLite database runs in WAL mode with IMMEDIATE transactions and a busy timeout.

The suite's own test database lives in memory (where WAL does not apply), so these
tests open a file database with the same settings the platform builds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from certwright.conf.env import database_config

ALIAS = "wal_check"


@pytest.fixture
def file_database(tmp_path: Path, django_db_blocker) -> Iterator[BaseDatabaseWrapper]:
    """A connection to a fresh SQLite file, configured as DATABASE_URL would be."""
    config = database_config(f"sqlite:///{tmp_path / 'certwright.sqlite3'}")
    # configure_settings fills in Django's defaults; it insists on a "default" entry.
    configured = connections.configure_settings(
        {"default": dict(config), ALIAS: config}
    )
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        try:
            yield connections[ALIAS]
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]


def pragma(connection: BaseDatabaseWrapper, name: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


def test_a_new_connection_is_in_wal_mode(file_database):
    """Opening a connection switches the file to WAL and relaxes fsync to NORMAL."""
    # when
    journal_mode = pragma(file_database, "journal_mode")
    synchronous = pragma(file_database, "synchronous")
    # then
    assert journal_mode == "wal"
    assert synchronous == 1  # NORMAL


def test_a_busy_database_is_waited_for(file_database):
    """A locked database is retried for 20 seconds before "database is locked"."""
    assert pragma(file_database, "busy_timeout") == 20_000


def test_a_transaction_takes_the_write_lock_when_it_begins(file_database, tmp_path):
    """With IMMEDIATE transactions a second writer waits at BEGIN, not mid-transaction.

    A DEFERRED transaction that reads first and writes later can fail outright with
    "database is locked" when another writer got in between; IMMEDIATE avoids it.
    """
    # given
    with file_database.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n integer)")
    other = sqlite3.connect(tmp_path / "certwright.sqlite3", timeout=0.05)
    try:
        # when: a transaction that has not written anything yet is open
        with transaction.atomic(using=ALIAS):
            with file_database.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM counter")
            # then: another writer cannot start
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        # and once it commits, the other writer can
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO counter VALUES (1)")
        other.commit()
    finally:
        other.close()
