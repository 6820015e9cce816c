"""Fixtures shared by the whole suite.

Environment defaults for the run (a secret key, inline tasks) are set earlier, by
``certwright.conf.pytest_plugin`` (see pyproject.toml), because pytest-django imports
the settings before this file is read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from certwright.program.loader import load
from certwright.program.model import Program

# No deadline: this suite shares small CI machines, where a slow example is noise.
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None, max_examples=50)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# A program small enough to read at a glance: one series, three tests (one with a
# prerequisite), one title. Tests that need the real thing use the built-in "ase".
MINI_PROGRAM = """\
[program]
id = "mini"
name = "Mini Certification Program"
version = "2026.1"
body = "Mini Certification Board"

[experience]
default_rule = "standard"

[experience.kinds.employment]
name = "Full-time employment"
accrual = "time"

[experience.rules.standard]
required_days = 730

[series.A]
name = "Automobile"

[[fees]]
start = 2020-01-01
currency = "USD"
registration_cents = 3400
registration_per = "order"
recert_cap_cents = 15000

[fees.test_fees]
standard = 5400

[tests.A1]
name = "Engine Repair"
series = "A"

[[tests.A1.blueprints]]
effective = 2023-07-01
scored = 50
unscored = 10
minutes = 75

[[tests.A1.blueprints.areas]]
code = "A"
name = "General Engine Diagnosis"
questions = 30

[[tests.A1.blueprints.areas]]
code = "B"
name = "Cylinder Head and Valve Train"
questions = 20

[[tests.A1.blueprints]]
effective = 2026-01-01
scored = 45
unscored = 10
minutes = 75

[[tests.A1.blueprints.areas]]
code = "A"
name = "General Engine Diagnosis"
questions = 25

[[tests.A1.blueprints.areas]]
code = "B"
name = "Cylinder Head and Valve Train"
questions = 20

[tests.A1.recert]
scored = 25
minutes = 30

[tests.A8]
name = "Engine Performance"
series = "A"

[[tests.A8.blueprints]]
effective = 2023-07-01
scored = 50

[tests.L1]
name = "Advanced Engine Performance"
series = "A"

[[tests.L1.blueprints]]
effective = 2023-07-01
scored = 50

[[tests.L1.prerequisites]]
expr = "A8"

[titles.master]
name = "Master Technician"
rule = { all_of = ["A1", "A8"] }
"""


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


CERTWRIGHT = Path(sys.executable).with_name("certwright")


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
