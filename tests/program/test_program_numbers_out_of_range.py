"""A number in a program beyond what the platform can store or compute with is
refused by the validator; `program load` then writes nothing.

A validity of a million years overflowed the rules' date arithmetic; registration
fees of 10**20 cents overflowed the catalog's integer columns (a crash on SQLite); a
5000-digit number made tomllib raise a bare ValueError.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from certwright.catalog.models import ProgramVersion
from certwright.program import Issue, ProgramError, load
from tests.support.program import MINI_PROGRAM


def mini_with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in MINI_PROGRAM
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM.replace(old, new, 1), encoding="utf-8")
    return path


def issues(path: Path) -> list[Issue]:
    with pytest.raises(ProgramError) as caught:
        load(path)
    return caught.value.issues


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        (
            "[series.A]",
            "[policy]\nvalidity_years = 1000000\n\n[series.A]",
            "policy.validity_years",
            "must be ≤ 100, got 1_000_000",
        ),
        (
            "required_days = 730",
            "required_days = 100000",
            "experience.rules.standard.required_days",
            "must be ≤ 36_525, got 100_000",
        ),
        (
            "registration_cents = 3400",
            "registration_cents = 100000000000000000000",
            "fees[0].registration_cents",
            "must be ≤ 2_147_483_647, got 100_000_000_000_000_000_000",
        ),
        (
            "scored = 50",
            "scored = 9223372036854775808",
            "tests.A1.blueprints[0].scored",
            "must be ≤ 2_147_483_647, got 9_223_372_036_854_775_808",
        ),
    ],
)
def test_a_number_out_of_range_is_one_issue(
    tmp_path: Path, old: str, new: str, key: str, reason: str
) -> None:
    """The issue names the key, the limit and the value."""
    # given
    path = mini_with(tmp_path, old, new)
    # when
    [issue] = issues(path)
    # then
    assert (issue.key, issue.reason) == (key, reason)


def test_a_number_too_long_to_read_is_a_syntax_issue(tmp_path: Path) -> None:
    """A 5000-digit number is reported against the file, not raised."""
    # given
    path = mini_with(tmp_path, "scored = 50", "scored = " + "9" * 5000)
    # when
    [issue] = issues(path)
    # then
    assert (issue.key, issue.reason) == ("(syntax)", "a number is too long to read")


@pytest.mark.django_db
def test_program_load_refuses_and_writes_nothing(tmp_path: Path) -> None:
    """`program load` of a program with a fee of 10**20 cents exits 2; no version."""
    # given
    path = mini_with(
        tmp_path, "registration_cents = 3400", "registration_cents = " + "1" + "0" * 20
    )
    before = ProgramVersion.objects.count()
    # when
    with pytest.raises(CommandError) as error:
        call_command("program", "load", str(path))
    # then
    assert error.value.returncode == 2
    assert "fees[0].registration_cents: must be ≤ 2_147_483_647" in str(error.value)
    assert ProgramVersion.objects.count() == before
    assert not ProgramVersion.objects.filter(program="mini").exists()
