"""`certwright rules evaluate FACTS.json`: the rules core from the command line."""

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
def certified_a1(mini_program_path) -> dict:
    """A1 passed with two years of full-time employment behind it."""
    return {
        "program": str(mini_program_path),
        "results": [{"test": "A1", "date": "2024-03-01", "outcome": "pass"}],
        "experience": [
            {"kind": "employment", "start": "2022-01-01", "end": "2023-12-31"}
        ],
    }


def test_evaluate_prints_the_derived_state_as_json(tmp_path, certified_a1, capsys):
    """The output names the program, the day and each certification's status."""
    # given
    path = facts_file(tmp_path, certified_a1)
    # when
    call_command("rules", "evaluate", str(path), "--as-of", "2025-01-01")
    # then
    output = json.loads(capsys.readouterr().out)
    assert output["program"] == "mini"
    assert output["as_of"] == "2025-01-01"
    [a1] = output["certifications"]
    assert (a1["test"], a1["status"], a1["certified_on"]) == (
        "A1",
        "certified",
        "2024-03-01",
    )


def test_as_of_comes_from_the_option_then_the_file(tmp_path, certified_a1, capsys):
    """--as-of wins over the file's as_of."""
    # given
    path = facts_file(tmp_path, {**certified_a1, "as_of": "2024-06-01"})
    # when
    call_command("rules", "evaluate", str(path))
    from_file = json.loads(capsys.readouterr().out)["as_of"]
    call_command("rules", "evaluate", str(path), "--as-of", "2030-01-01")
    from_option = json.loads(capsys.readouterr().out)
    # then
    assert from_file == "2024-06-01"
    assert from_option["as_of"] == "2030-01-01"
    assert from_option["certifications"][0]["status"] == "expired"


def test_an_invalid_field_fails_with_2_and_names_it(tmp_path, certified_a1):
    """A bad date is refused, naming the field; nothing is printed as a result."""
    # given
    certified_a1["results"][0]["date"] = "2024-02-30"
    path = facts_file(tmp_path, certified_a1)
    # when
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path))
    # then
    assert error.value.returncode == 2
    assert "results[0].date" in str(error.value)


def test_not_json_fails_with_2(tmp_path):
    """A file that is not JSON says where it stops being JSON."""
    path = tmp_path / "facts.json"
    path.write_text("{results: []}")
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path))
    assert error.value.returncode == 2
    assert "not valid JSON at line 1" in str(error.value)


def test_facts_can_come_from_stdin(certified_a1, certwright_cli):
    """`-` reads the facts from standard input; the real process exits 0."""
    result = certwright_cli(
        "rules",
        "evaluate",
        "-",
        "--as-of",
        "2025-01-01",
        stdin=json.dumps(certified_a1),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["certifications"][0]["status"] == "certified"


def test_invalid_input_exits_with_status_2(certified_a1, certwright_cli):
    """The real process exits 2 on invalid facts and names the field on stderr."""
    # given
    certified_a1["results"][0]["outcome"] = "passed"
    # when
    result = certwright_cli("rules", "evaluate", "-", stdin=json.dumps(certified_a1))
    # then
    assert result.returncode == 2
    assert "results[0].outcome" in result.stderr
    assert result.stdout == ""
