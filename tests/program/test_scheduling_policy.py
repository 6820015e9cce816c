"""The program's [scheduling] table: ASE's values load, and a bad value is an
error naming the file and key (nothing is loaded)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certwright.program.loader import ProgramError, get_program, load
from tests.support.program import MINI_PROGRAM


def test_ase_has_no_same_day_booking_a_3_day_window_and_an_address():
    """ASE: same_day_booking false, change_cutoff_days 3, a 90-minute default, and
    the body's address for invoices."""
    program = get_program("ase")
    assert program.scheduling.same_day_booking is False
    assert program.scheduling.change_cutoff_days == 3
    assert program.scheduling.default_test_minutes == 90
    assert program.address
    assert "Leesburg" in " ".join(program.address)


def test_a_test_without_a_stated_time_takes_the_programs_default():
    """A4's blueprint states no time: sitting_minutes is the program's default, and
    A1's stated 75 minutes stands."""
    program = get_program("ase")
    day = dt.date(2026, 6, 1)
    assert program.sitting_minutes("A4", "initial", day) == 90
    assert program.sitting_minutes("A1", "initial", day) == 75
    assert program.sitting_minutes("A1", "recert", day) == 30


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ("same_day_booking = 1", "boolean"),
        ("change_cutoff_days = -1", "negative"),
        ("default_test_minutes = 0", "≥ 1"),
        ("walk_ins = true", "walk_ins"),
    ],
)
def test_a_bad_scheduling_value_is_an_error(tmp_path: Path, table: str, reason: str):
    """Each bad [scheduling] value is reported with its key; no program loads."""
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM + f"\n[scheduling]\n{table}\n", encoding="utf-8")
    with pytest.raises(ProgramError) as error:
        load(path)
    text = str(error.value)
    assert "scheduling" in text
    assert reason in text
