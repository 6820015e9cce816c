"""gunicorn settings for Prometheus' multiprocess mode (docs/install.md).

``gunicorn -c python:certwright.conf.gunicorn certwright.wsgi``: with
``PROMETHEUS_MULTIPROC_DIR`` set, the metric files of an earlier run are removed
when gunicorn starts (their counts would be added to this run's), and a worker's
live gauges are dropped when it exits. Without the variable it changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def on_starting(server: Any) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
