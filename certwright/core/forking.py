"""Whether work may be shared out to forked worker processes (the recompute's and
the renewal dispatch's ``workers``)."""

from __future__ import annotations

import multiprocessing
import threading

from django.db import connection


def can_fork() -> bool:
    """Worker processes need ``fork`` and a database they can reopen: an in-memory
    SQLite database (the test suite's) exists only in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    # Forking a process that runs other threads (a web server's, a test's live
    # server) copies their open database connections into the children half-alive;
    # work in this process instead.
    if threading.active_count() > 1:
        return False
    return not connection.settings_dict["NAME"] or not (
        connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    )
