"""With debug off, a 500 leaves its traceback on stderr, as one JSON line with the
request id, whatever else is configured (Django's default sent it only to
mail_admins, and there are no admins, so gunicorn's log had nothing).

The request runs in a child process configured as in production, so the test sees
exactly what that process writes to stderr.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REQUEST = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import override_settings
with override_settings(ROOT_URLCONF="tests.core.raising_urls"):
    response = Client(raise_request_exception=False).get(
        "/boom/", secure=True, headers={"X-Request-ID": %r}
    )
print(json.dumps({"status": response.status_code, "id": response["X-Request-ID"]}))
"""


def failing_request(tmp_path: Path, request_id: str) -> tuple[dict[str, Any], str]:
    """GET a view that raises, in a production-configured child: (answer, stderr)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CERTWRIGHT_", "DATABASE_URL", "DJANGO_"))
    }
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "certwright.settings",
        "CERTWRIGHT_SECRET_KEY": "k" * 50,
        "CERTWRIGHT_SITE_URL": "https://certs.example.org",
        "CERTWRIGHT_ALLOWED_HOSTS": "testserver",
        "CERTWRIGHT_DATA_DIR": str(tmp_path),
    }
    # Collected static files, as in production (WhiteNoise warns without them).
    (tmp_path / "static").mkdir()
    child = subprocess.run(
        [sys.executable, "-c", REQUEST % request_id],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout), child.stderr


def test_a_500_writes_its_traceback_to_stderr_with_the_request_id(tmp_path):
    """A view that raises answers 500, and stderr holds a JSON line from
    django.request with the traceback and the request's id."""
    # when
    answer, stderr = failing_request(tmp_path, "req-500-test")
    # then
    assert answer == {"status": 500, "id": "req-500-test"}
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    (error,) = [line for line in lines if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["status"] == 500
    assert (error["method"], error["path"]) == ("GET", "/boom/")
    assert error["request_id"] == "req-500-test"
    assert "Traceback (most recent call last)" in error["exception"]
    assert "RuntimeError: the test's own failure" in error["exception"]


def test_an_unsafe_incoming_request_id_is_replaced(tmp_path):
    """A client's X-Request-ID that could forge log text is not trusted: the
    request gets a fresh id, answered in the header and written in the log."""
    # when
    answer, stderr = failing_request(tmp_path, 'x", "level": "INFO')
    # then
    assert answer["status"] == 500
    assert re.fullmatch(r"[0-9a-f]{32}", answer["id"])
    (error,) = [
        json.loads(line) for line in stderr.splitlines() if "django.request" in line
    ]
    assert error["request_id"] == answer["id"]
