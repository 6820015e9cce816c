"""The program's [verification] table: ASE's values load, a program without the table
gets the defaults, and a bad value is an error naming the key (nothing is loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from certwright.program.loader import ProgramError, get_program, load
from tests.support.program import MINI_PROGRAM


def test_ase_offers_the_public_lookup_and_lets_technicians_opt_out():
    program = get_program("ase")
    assert program.verification.public_lookup is True
    assert program.verification.technician_may_opt_out is True


def test_a_program_without_the_table_gets_the_defaults(tmp_path: Path):
    # Given a program file with no [verification] table
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM, encoding="utf-8")
    # When it loads, then the lookup is on and opting out allowed
    program = load(path)
    assert program.verification.public_lookup is True
    assert program.verification.technician_may_opt_out is True


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ("public_lookup = 1", "boolean"),
        ("technician_may_opt_out = 'yes'", "boolean"),
        ("lookup = true", "lookup"),
    ],
)
def test_a_bad_verification_value_is_an_error(tmp_path: Path, table: str, reason: str):
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM + f"\n[verification]\n{table}\n", encoding="utf-8")
    with pytest.raises(ProgramError) as error:
        load(path)
    text = str(error.value)
    assert "verification" in text
    assert reason in text
