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


# gunicorn 25.1+ opens a control socket for `gunicornc` at $XDG_RUNTIME_DIR/gunicorn.ctl
# or ~/.gunicorn/gunicorn.ctl: one path for every app server of a host (all run as
# the certwright user), each new one taking it from the one before. Under systemd each
# instance has its own runtime directory (RuntimeDirectory=, which sets
# $RUNTIME_DIRECTORY): its socket goes there. Older gunicorns ignore the name.
_runtime_directory = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
if _runtime_directory:
    control_socket = str(Path(_runtime_directory) / "gunicorn.ctl")
