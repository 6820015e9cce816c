"""The program's [shops] table: a bad area or recognition is an error naming the
key, and a program without the table has no areas and no recognition."""

from __future__ import annotations

from pathlib import Path

import pytest

from certwright.program.loader import ProgramError, load
from tests.support.program import MINI_PROGRAM


def test_a_program_without_shops_has_no_recognition(tmp_path: Path) -> None:
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM, encoding="utf-8")
    program = load(path)
    assert program.shops.areas == {}
    assert program.shops.recognitions == {}


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ('[shops.areas.engine]\nname = "Engine"\ntests = ["Z9"]', "unknown test 'Z9'"),
        ('[shops.areas.engine]\nname = "Engine"\ntests = []', "at least one test"),
        ('[shops.areas.engine]\ntests = ["A1"]', "name"),
        (
            '[shops.recognitions.seal]\nname = "Seal"\nrank = 1\n'
            "min_certified_percent = 120",
            "min_certified_percent",
        ),
        (
            '[shops.recognitions.a]\nname = "A"\nrank = 1\n'
            '[shops.recognitions.b]\nname = "B"\nrank = 1',
            "rank 1 is also 'a'",
        ),
        ('[shops.recognitions.a]\nname = "A"\nrank = 1\nfee = 3', "fee"),
    ],
)
def test_a_bad_shops_value_is_an_error(tmp_path: Path, table: str, reason: str) -> None:
    # given a program with a bad [shops] value
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM + "\n" + table + "\n", encoding="utf-8")
    # when loaded, then an error naming the key, and no program
    with pytest.raises(ProgramError) as error:
        load(path)
    text = str(error.value)
    assert "shops" in text
    assert reason in text
