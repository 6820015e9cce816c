"""`rules evaluate` refuses facts and --as-of days after 9000-12-31 with status 2.

The rules move dates on by years and months, and the calendar ends on 9999-12-31;
a facts file dated near its end used to crash with ValueError or OverflowError.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def facts_file(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def far_pass(mini_program_path: Path) -> dict:
    return {
        "program": str(mini_program_path),
        "results": [{"test": "A1", "date": "9998-03-01", "outcome": "pass"}],
        "experience": [
            {"kind": "employment", "start": "9990-01-01", "end": "9999-12-31"}
        ],
    }


def test_a_result_after_the_latest_date_exits_2_naming_the_field(
    far_pass: dict, certwright_cli
) -> None:
    """A pass in 9998 is refused, naming results[0].date; nothing is printed."""
    # when
    result = certwright_cli(
        "rules", "evaluate", "-", "--as-of", "9000-01-01", stdin=json.dumps(far_pass)
    )
    # then
    assert result.returncode == 2
    assert (
        "results[0].date: 9998-03-01 is after 9000-12-31, the latest supported date"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_every_date_field_is_checked(tmp_path: Path, far_pass: dict) -> None:
    """An experience end in 9999 is refused like a result date."""
    # given
    far_pass["results"][0]["date"] = "2020-01-01"
    far_pass["experience"][0]["start"] = "2010-01-01"
    path = facts_file(tmp_path, far_pass)
    # when
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path), "--as-of", "2021-01-01")
    # then
    assert error.value.returncode == 2
    assert "experience[0].end: 9999-12-31 is after 9000-12-31" in str(error.value)


def test_an_as_of_after_the_latest_date_exits_2(tmp_path: Path, far_pass: dict):
    """--as-of 9999-12-31 is refused before the file is read."""
    # given
    path = facts_file(tmp_path, {"program": far_pass["program"]})
    # when
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path), "--as-of", "9999-12-31")
    # then
    assert error.value.returncode == 2
    assert "--as-of: 9999-12-31 is after 9000-12-31" in str(error.value)


def test_facts_on_the_latest_date_are_evaluated(
    tmp_path: Path, far_pass: dict, capsys
) -> None:
    """A pass on 9000-12-31 is certified with a real expiry, five years on."""
    # given
    far_pass["results"][0]["date"] = "9000-12-31"
    far_pass["experience"][0] = {
        "kind": "employment",
        "start": "8990-01-01",
        "end": "9000-12-31",
    }
    path = facts_file(tmp_path, far_pass)
    # when
    call_command("rules", "evaluate", str(path), "--as-of", "9000-12-31")
    # then
    [a1] = json.loads(capsys.readouterr().out)["certifications"]
    assert (a1["status"], a1["expires_on"]) == ("certified", "9005-12-31")
