"""`rules evaluate` refuses JSON nested more than 32 levels deep with status 2.

The JSON decoder recurses once per level; a file of 100,000 brackets used to end in
RecursionError and a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def test_a_deeply_nested_file_exits_2_naming_the_file(tmp_path: Path, certwright_cli):
    """100,000 nested arrays: status 2, a plain message naming the file."""
    # given
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    # when
    result = certwright_cli("rules", "evaluate", str(path))
    # then
    assert result.returncode == 2
    assert f"{path}: nested more than 32 levels deep" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_depth_counts_brackets_outside_strings_only(
    tmp_path: Path, mini_program_path: Path, capsys
) -> None:
    """Brackets inside a string do not count; 32 levels of bookkeeping are fine."""
    # given: `technician` is free-form and 31 levels deep inside the document
    nested: object = {"note": "[[[[{{{{" * 100}
    for _ in range(30):
        nested = [nested]
    path = tmp_path / "facts.json"
    path.write_text(
        json.dumps({"program": str(mini_program_path), "technician": nested}),
        encoding="utf-8",
    )
    # when
    call_command("rules", "evaluate", str(path), "--as-of", "2025-01-01")
    # then
    assert json.loads(capsys.readouterr().out)["certifications"] == []


def test_one_level_more_is_refused(tmp_path: Path, mini_program_path: Path) -> None:
    """33 levels is refused with status 2."""
    # given
    nested: object = {}
    for _ in range(31):
        nested = [nested]
    path = tmp_path / "facts.json"
    path.write_text(
        json.dumps({"program": str(mini_program_path), "technician": nested}),
        encoding="utf-8",
    )
    # when
    with pytest.raises(CommandError) as error:
        call_command("rules", "evaluate", str(path))
    # then
    assert error.value.returncode == 2
    assert "nested more than 32 levels deep" in str(error.value)
