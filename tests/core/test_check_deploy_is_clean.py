"""`certwright check --deploy` with the production environment of docs/install.md
reports no warning at all (no W004 HSTS, W008 redirect, W012/W016 cookies, ...).

The environment is read from the documentation itself, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

INSTALL = Path(__file__).resolve().parents[2] / "docs" / "install.md"
CHECK_DEPLOY = ("check", "--deploy", "--fail-level", "WARNING")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def documented_environment() -> dict[str, str]:
    """The variables set (not commented out) in install.md's "Configure" block."""
    text = INSTALL.read_text(encoding="utf-8")
    section = text[text.index("### 2. Configure") :]
    block = section[section.index("```sh") + len("```sh") : section.index("```\n", 6)]
    return {
        match[1]: match[2]
        for line in block.splitlines()
        if (match := ASSIGNMENT.match(line.strip()))
    }


def test_the_documented_environment_names_the_production_settings():
    """install.md's block sets the secret key, the site URL and the proxy header."""
    env = documented_environment()
    assert env["CERTWRIGHT_SITE_URL"].startswith("https://")
    assert env["CERTWRIGHT_PROXY_SSL_HEADER"] == "X-Forwarded-Proto"
    assert "CERTWRIGHT_SECRET_KEY" in env
    assert "CERTWRIGHT_DEBUG" not in env


def test_check_deploy_reports_nothing_with_the_documented_environment(tmp_path):
    """With install.md's environment (a real secret key and a data directory in
    place of the placeholders) the deploy checks pass at warning level."""
    # given: nothing from this test run's own environment (debug, redirect off...)
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CERTWRIGHT_", "DATABASE_URL", "DJANGO_"))
    }
    env = {
        **base,
        **documented_environment(),
        "CERTWRIGHT_SECRET_KEY": secrets.token_urlsafe(50),
        "CERTWRIGHT_DATA_DIR": str(tmp_path),
    }
    # when
    done = subprocess.run(
        [sys.executable, "-m", "certwright.cli", *CHECK_DEPLOY],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output
    assert not re.search(r"\b[\w.]+\.W\d{3}\b", output), output
