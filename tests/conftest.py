"""Fixtures shared by the whole suite.

Environment defaults for the run (a secret key, inline tasks) are set earlier, by
``certwright.conf.pytest_plugin`` (see pyproject.toml), because pytest-django imports
the settings before this file is read.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from hypothesis import settings as hypothesis_settings

from certwright.program.loader import load
from certwright.program.model import Program
from tests.support.cli import CERTWRIGHT
from tests.support.forms import forms_publish_for_every_test
from tests.support.program import MINI_PROGRAM

# No deadline: this suite shares small CI machines, where a slow example is noise.
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None, max_examples=50)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Fixtures shared by more than one test package (tests/support/__init__.py).
pytest_plugins = [
    "tests.support.scheduling",
    "tests.support.delivery",
    "tests.support.badges",
    "tests.support.s3",
]


@pytest.fixture
def mini_program_path(tmp_path: Path) -> Path:
    """The mini program as a file: ``program.toml`` in a fresh directory."""
    path = tmp_path / "mini" / "program.toml"
    path.parent.mkdir()
    path.write_text(MINI_PROGRAM, encoding="utf-8")
    return path


@pytest.fixture
def mini_program(mini_program_path: Path) -> Program:
    return load(mini_program_path)


@pytest.fixture
def certwright_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``certwright`` command in a child process.

    For what only a real process shows: the exit status, the program name in usage
    text, that no database is touched.
    """

    def run(
        *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CERTWRIGHT), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def admin_user(admin_user: Any) -> Any:
    """pytest-django's superuser, with an authenticator app as staff must have.

    The platform sends staff without two-factor authentication to set it up before
    anything else, so a superuser fixture without one could open no admin page.
    """
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=admin_user,
        type=Authenticator.Type.TOTP,
        defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}},
    )
    return admin_user


@pytest.fixture
def racing_database(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A database that real threads can race on.

    On PostgreSQL that is the test database itself. SQLite's in-memory test
    database is shared between connections through a shared cache, whose table
    locks fail at once ("database table is locked") instead of waiting as a real
    file database does in WAL mode with IMMEDIATE transactions and a busy timeout.
    So on SQLite the test runs on a migrated file database in ``tmp_path``.
    """
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    settings_dict = conn.settings_dict  # shared with every thread's connection
    old_name = settings_dict["NAME"]
    # Closing the last connection to a shared-cache memory database destroys it
    # (Django never closes it): set the open one aside and put it back after.
    conn.ensure_connection()
    kept = conn.connection
    conn.connection = None
    settings_dict["NAME"] = str(tmp_path / "race.sqlite3")
    try:
        call_command("migrate", run_syncdb=True, verbosity=0)
        forms_publish_for_every_test()  # the file database starts empty
        yield
    finally:
        conn.close()
        settings_dict["NAME"] = old_name
        conn.connection = kept
