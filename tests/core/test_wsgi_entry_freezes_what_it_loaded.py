"""The WSGI entry point loads the URL conf and keeps what the process has loaded
by then out of the garbage collector's full collections (``gc.freeze``): a full
collection of an unfrozen app took 120 ms on a 2-core host and held every thread
of the worker, most of the renewal answers' p99 at the monthly peak
(bench/renewal.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import gc, json
import certwright.wsgi
from django.urls import get_resolver
gc.collect()
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "urlconf_loaded": "url_patterns" in get_resolver().__dict__,
}))
"""


def test_the_entry_point_freezes_what_it_loaded() -> None:
    # In a fresh interpreter, as gunicorn's master imports it (this test process
    # has loaded other things first).
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "certwright.settings",
            "CERTWRIGHT_DEBUG": "1",
        },
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["urlconf_loaded"]
    # Most of what a worker holds is frozen: Django, the apps, the views.
    assert seen["frozen"] > 50_000
    assert seen["tracked"] < seen["frozen"] / 10
