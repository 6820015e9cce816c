"""`rules evaluate` refuses a key given twice in one JSON object, naming it.

JSON decoders keep the last of two equal keys, so a facts file with two `results`
lists used to lose the first one without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def evaluate(tmp_path: Path, text: str) -> CommandError:
    path = tmp_path / "facts.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path), "--as-of", "2025-01-01")
    return error.value


def test_a_top_level_key_given_twice_exits_2(tmp_path: Path, mini_program_path):
    """Two `results` lists: status 2, the message names the key and the file."""
    # given
    text = (
        f'{{"program": "{mini_program_path}", '
        '"results": [{"test": "A1", "date": "2024-01-01", "outcome": "fail"}], '
        '"results": []}'
    )
    # when
    error = evaluate(tmp_path, text)
    # then
    assert error.returncode == 2
    assert str(error) == (
        f"{tmp_path / 'facts.json'}: duplicate key 'results': each key may appear once"
    )


def test_a_key_given_twice_inside_a_fact_exits_2(tmp_path: Path, mini_program_path):
    """A result with two outcomes is refused, not read as its last one."""
    # given
    text = (
        f'{{"program": "{mini_program_path}", "results": [{{"test": "A1", '
        '"date": "2024-01-01", "outcome": "fail", "outcome": "pass"}]}'
    )
    # when
    error = evaluate(tmp_path, text)
    # then
    assert error.returncode == 2
    assert "duplicate key 'outcome'" in str(error)
