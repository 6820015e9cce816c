"""A key given twice in one program file is refused, not last-wins.

tomllib already refuses it; across files the loader's merge does. Pinned here so a
change of TOML reader cannot bring silent last-wins back.
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


def test_a_key_twice_in_one_table_is_a_syntax_issue(tmp_path: Path) -> None:
    """Two `scored` lines in one blueprint: one issue against the file."""
    # given
    path = tmp_path / "program.toml"
    path.write_text(
        MINI_PROGRAM.replace("scored = 50\n", "scored = 50\nscored = 40\n", 1), "utf-8"
    )
    # when
    [issue] = issues(path)
    # then
    assert (issue.file, issue.key) == (str(path), "(syntax)")
    assert "Cannot overwrite a value" in issue.reason


def test_a_table_twice_in_one_file_is_a_syntax_issue(tmp_path: Path) -> None:
    """[series.A] declared twice is refused with its line."""
    # given
    path = tmp_path / "program.toml"
    path.write_text(MINI_PROGRAM + '\n[series.A]\nnote = "again"\n', "utf-8")
    # when
    [issue] = issues(path)
    # then
    assert issue.key == "(syntax)"
    assert "Cannot declare ('series', 'A') twice" in issue.reason


def test_a_key_in_two_files_is_reported_with_both(tmp_path: Path) -> None:
    """The same test code in two files of a program directory is a duplicate."""
    # given
    root = tmp_path / "mini"
    root.mkdir()
    (root / "a.toml").write_text(MINI_PROGRAM, "utf-8")
    (root / "b.toml").write_text(
        '[tests.A1]\nname = "Again"\nseries = "A"\n'
        "[[tests.A1.blueprints]]\neffective = 2020-01-01\nscored = 50\n",
        "utf-8",
    )
    # when
    [issue] = issues(root)
    # then
    assert issue.file == str(root / "b.toml")
    assert (
        issue.reason == f"duplicate test code 'A1': also defined in {root / 'a.toml'}"
    )
