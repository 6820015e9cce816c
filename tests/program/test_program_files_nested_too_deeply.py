"""A program file nested too deeply for tomllib is refused as a syntax issue.

tomllib recurses once per level of arrays and inline tables (RecursionError on a
few kilobytes of `[[[[...`) and keeps every prefix of a dotted key (gigabytes for
`a.a.a...` of 100,000 parts); `program check` now names the file, the line and the
limit, and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from certwright.program import Issue, ProgramError, load
from tests.support.program import MINI_PROGRAM


def issues(path: Path) -> list[Issue]:
    with pytest.raises(ProgramError) as caught:
        load(path)
    return caught.value.issues


def test_deeply_nested_arrays_exit_2_naming_the_file(tmp_path: Path, certwright_cli):
    """100,000 nested arrays: `program check` exits 2 with one plain line."""
    # given
    path = tmp_path / "deep.toml"
    path.write_text("\n\nx = " + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    # when
    result = certwright_cli("program", "check", str(path))
    # then
    assert result.returncode == 2
    assert result.stdout.strip() == (
        f"{path}: (syntax): arrays and inline tables nested more than 32 levels "
        "deep (line 3)"
    )
    assert "Traceback" not in result.stderr


def test_nested_inline_tables_count_too(tmp_path: Path) -> None:
    """Inline tables in inline tables, 33 deep, are one syntax issue."""
    # given
    path = tmp_path / "program.toml"
    path.write_text("x = " + "{y = " * 33 + "1" + "}" * 33 + "\n", "utf-8")
    # when
    [issue] = issues(path)
    # then
    assert issue.key == "(syntax)"
    assert "nested more than 32 levels deep (line 1)" in issue.reason


def test_a_dotted_key_of_100000_parts_is_refused(tmp_path: Path) -> None:
    """A key a.a.a… of 100,000 parts is refused before tomllib reads it."""
    # given
    path = tmp_path / "program.toml"
    path.write_text("a" + ".a" * 100_000 + " = 1\n", "utf-8")
    # when
    [issue] = issues(path)
    # then
    assert issue.reason == "a dotted key of more than 32 parts (line 1)"


def test_brackets_and_dots_in_strings_and_comments_do_not_count(
    tmp_path: Path,
) -> None:
    """A note full of brackets and dots, and such a comment, load as they are."""
    # given
    text = MINI_PROGRAM.replace(
        'name = "Engine Repair"',
        'name = "Engine Repair"\n# ' + "[{a." * 50 + "\n"
        "note = '" + "[[{{a." * 50 + "'\n"
        'languages = ["en", """' + "]}.[{" * 50 + '"""]',
        1,
    )
    path = tmp_path / "program.toml"
    path.write_text(text, "utf-8")
    # when
    program = load(path)
    # then
    assert program.tests["A1"].note.startswith("[[{{a.")
