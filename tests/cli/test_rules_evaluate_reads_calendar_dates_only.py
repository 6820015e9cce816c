"""`rules evaluate` takes dates as YYYY-MM-DD only, as docs/facts-format.md says.

Python's date.fromisoformat also reads ISO week dates such as 2020-W01-1 (which is
2019-12-30); a facts file must not have its dates guessed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize("value", ["2020-W01-1", "2020-01-1Z", "２０２０-01-01"])
def test_a_date_in_another_iso_form_exits_2(
    tmp_path: Path, mini_program_path: Path, value: str
) -> None:
    """A week date, a stray suffix or non-ASCII digits: status 2 naming the field."""
    # given
    path = tmp_path / "facts.json"
    path.write_text(
        json.dumps(
            {
                "program": str(mini_program_path),
                "results": [{"test": "A1", "date": value, "outcome": "pass"}],
            }
        ),
        encoding="utf-8",
    )
    # when
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path))
    # then
    assert error.value.returncode == 2
    assert f"results[0].date: {value!r} is not a date (YYYY-MM-DD)" in str(error.value)
