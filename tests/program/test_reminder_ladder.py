"""The program's [reminders] table: ASE's ladder loads (marked estimated, ASE's own
schedule is not public), a program without it sends none, and a bad ladder is an
error naming the file and key; nothing loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from certwright.program.listing import program_summary
from certwright.program.loader import ProgramError, get_program, load
from tests.support.program import MINI_PROGRAM


def test_ase_reminds_180_90_30_and_7_days_before_and_30_after():
    ladder = get_program("ase").reminders
    assert ladder.before_days == (180, 90, 30, 7)
    assert ladder.after_days == (30,)
    assert ladder.offsets == (-180, -90, -30, -7, 30)
    assert ladder.estimated
    assert "not public" in ladder.note


def test_program_show_lists_the_ladder():
    """The program's JSON (``program show --json``) carries the ladder as loaded."""
    summary = program_summary(get_program("ase"))
    assert summary["reminders"]["before_days"] == [180, 90, 30, 7]
    assert summary["reminders"]["after_days"] == [30]
    assert summary["reminders"]["estimated"] is True


def test_a_program_without_reminders_sends_none(mini_program):
    assert mini_program.reminders.offsets == ()


def test_a_ladder_loads_in_any_order(tmp_path: Path):
    path = tmp_path / "program.toml"
    path.write_text(
        MINI_PROGRAM + "\n[reminders]\nbefore_days = [7, 60]\nafter_days = [0]\n",
        encoding="utf-8",
    )
    ladder = load(path).reminders
    assert ladder.offsets == (-60, -7, 0)
    assert ladder.catch_up_days == 30


@pytest.mark.parametrize(
    ("table", "key", "reason"),
    [
        ("before_days = [90, -7]", "reminders.before_days[1]", "must be ≥ 1, got -7"),
        ("before_days = [0]", "reminders.before_days[0]", "must be ≥ 1, got 0"),
        ("after_days = [-30]", "reminders.after_days[0]", "must not be negative"),
        ("before_days = [30, 7, 30]", "reminders.before_days[2]", "given twice"),
        ("before_days = [30, '7']", "reminders.before_days[1]", "got a string"),
        ("before_days = 30", "reminders.before_days", "expected an array"),
        ("after_days = [40000]", "reminders.after_days[0]", "must be ≤ 36_525"),
        ("catch_up_days = -1", "reminders.catch_up_days", "must not be negative"),
        ("befor_days = [30]", "reminders.befor_days", "did you mean 'before_days'"),
    ],
)
def test_a_bad_ladder_is_an_error(tmp_path: Path, table: str, key: str, reason: str):
    """Each bad value is reported as FILE: KEY: REASON; no program loads."""
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM + f"\n[reminders]\n{table}\n", encoding="utf-8")
    with pytest.raises(ProgramError) as error:
        load(path)
    (issue,) = error.value.issues
    assert issue.file == str(path)
    assert issue.key == key
    assert reason in issue.reason
