"""Running the same call in several threads at the same moment, for race tests
(with the ``racing_database`` fixture, which gives SQLite a file database)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import close_old_connections

T = TypeVar("T")


def at_once(call: Callable[[], T], count: int = 2) -> list[T | Exception]:
    """``call`` in ``count`` threads released together; each result, or the
    exception it raised, in the order they finished. Each thread closes its own
    database connection."""
    barrier = threading.Barrier(count)
    results: list[T | Exception] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:
            results.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
