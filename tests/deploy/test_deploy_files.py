"""deploy/ is what an operator installs: the environment file template names every
setting Certwright reads, it passes Django's deploy checks as it stands, the nginx
site renders from it alone, and every periodic command of docs/cli.md has its
systemd timer. (The files are started and broken on purpose in test_stack.py.)"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from certwright import settings as project_settings
from tests.core.test_check_deploy_is_clean import CHECK_DEPLOY
from tests.core.test_configuration_documented import documented, read_directly
from tests.deploy.nginx import TEMPLATE_ENV, env_file_read, render_nginx
from tests.support.docs import table_rows

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
# A setting in the template, set or shown commented with its default.
SETTING = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
# Read by `make run` and `ensure_superuser` only: not a server's settings.
MAKE_RUN_ONLY = {"DJANGO_SUPERUSER_PASSWORD"}
VENV_BIN = "/srv/certwright/venv/bin"


def template_names() -> set[str]:
    return set(SETTING.findall(TEMPLATE_ENV.read_text(encoding="utf-8")))


def test_the_environment_template_names_every_setting():
    """Each variable the settings (certwright/conf/env.py) or the code read is in
    deploy/certwright.env.example, set or commented with its default."""
    # given what Certwright reads and what the template holds
    read = project_settings.env.names | (read_directly() - MAKE_RUN_ONLY)
    names = template_names()
    # then nothing read is missing from the template
    assert len(project_settings.env.names) > 30
    missing = sorted(read - names)
    assert not missing, f"add to deploy/certwright.env.example: {missing}"


def test_the_environment_template_names_nothing_unknown():
    """The template's other names are the deploy files' own (the units and the nginx
    renderer use each of them), never a stale or misspelt setting."""
    deploy_text = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [*SYSTEMD.iterdir(), DEPLOY / "render_nginx.py"]
    )
    unknown = sorted(
        name
        for name in template_names() - documented().keys()
        if name not in deploy_text
    )
    assert not unknown, f"not read by anything: {unknown}"


def test_check_deploy_passes_with_the_environment_template(tmp_path):
    """The template as it stands (a real secret key, and paths of this machine in
    place of the host's) passes ``certwright check --deploy`` at warning level."""
    # given the template's environment and nothing of this test run's
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CERTWRIGHT_", "DATABASE_URL", "DJANGO_"))
    }
    template = env_file_read(TEMPLATE_ENV.read_text(encoding="utf-8"))
    env = {
        **base,
        **template,
        "CERTWRIGHT_SECRET_KEY": secrets.token_urlsafe(50),
        "CERTWRIGHT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
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
    assert not re.search(r"\b[\w.]+\.W\d{3}\b", output), output


def test_the_nginx_site_renders_from_the_template_alone():
    """Every placeholder is filled from the environment file: the public name, the
    two app servers, the certificate, static files and protected media."""
    site = render_nginx(TEMPLATE_ENV.read_text(encoding="utf-8"))
    assert "@@" not in site
    assert "server_name certs.example.org;" in site
    assert "server 127.0.0.1:8001 " in site
    assert "server 127.0.0.1:8002 " in site
    assert "location /protected-media/ {\n        internal;" in site
    assert "alias /var/lib/certwright/media/;" in site
    assert "alias /var/lib/certwright/static/;" in site


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("CERTWRIGHT_APP_SERVERS=", "CERTWRIGHT_APP_SERVERS is not set"),
        ("CERTWRIGHT_APP_SERVERS=app-1", "'app-1' is not host:port"),
        ("CERTWRIGHT_SITE_URL=http://certs.example.org", "must be an https://"),
        ("CERTWRIGHT_TLS_KEY=/a;b", "no ; { } quotes or $"),
        ("CERTWRIGHT_MEDIA_ACCEL_PREFIX=media", "expected a path such as"),
        ("not a setting", "expected KEY=VALUE"),
    ],
)
def test_a_bad_environment_file_names_the_variable(tmp_path, line, error):
    """The renderer refuses a missing or bad value with its name, exit status 2,
    and writes no site."""
    # given the template with one line changed
    env_file = tmp_path / "certwright.env"
    env_file.write_text(TEMPLATE_ENV.read_text(encoding="utf-8") + line + "\n")
    # when it is rendered
    done = subprocess.run(
        [sys.executable, str(DEPLOY / "render_nginx.py"), str(env_file)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    # then
    assert (done.returncode, done.stdout) == (2, "")
    assert error in done.stderr


def periodic_commands() -> list[str]:
    """docs/cli.md's periodic commands, without the `--enqueue`/`enqueue` variants
    ("instead of ...") and the one-off ``email test``."""
    section = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    start = section.index("## Daily and periodic work")
    rows = [
        row
        for row in table_rows("cli.md")
        if f"| {row[0]} |" in section[start : section.index("## Operating")]
    ]
    commands = []
    for command, when, _what in rows:
        if when.startswith("instead") or when == "once":
            continue
        # `certwright recompute --due` -> "recompute --due"; drop optional [...]
        text = re.sub(r"\s*\[.*?\]", "", command.strip("`")).removeprefix("certwright ")
        commands.append(text)
    return commands


def test_every_periodic_command_has_a_service_and_a_timer():
    """Each periodic command of docs/cli.md is the ExecStart of a oneshot service
    that a timer of the same name starts."""
    commands = periodic_commands()
    assert "attempts_expire" in commands
    assert "recompute --due" in commands
    services = {
        path.stem: path.read_text(encoding="utf-8")
        for path in SYSTEMD.glob("certwright-*.service")
        if "@" not in path.name
    }
    for command in commands:
        started = [
            name
            for name, text in services.items()
            if re.search(
                rf"^ExecStart={VENV_BIN}/certwright {re.escape(command)}\b",
                text,
                re.MULTILINE,
            )
        ]
        assert len(started) == 1, f"no service runs `certwright {command}`"
        (name,) = started
        assert "Type=oneshot" in services[name]
        timer = (SYSTEMD / f"{name}.timer").read_text(encoding="utf-8")
        assert re.search(r"^OnCalendar=\S", timer, re.MULTILINE), name
