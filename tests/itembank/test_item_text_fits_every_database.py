"""What an items check passes stores on PostgreSQL as on SQLite: a NUL character, a
lone surrogate, a field over its column's length or a file name too long to record
is refused by the check (so by --dry-run too), naming file, line or item, and
field; the command exits 2 and nothing is stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from certwright.itembank.item_files import read_path
from certwright.itemformats import CSV_COLUMNS, ItemFileError
from tests.itembank.import_files import document, item, stored, write_json


def _command(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    try:
        call_command("items", "import", *args, stdout=io.StringIO(), stderr=err)
    except CommandError as exc:
        return exc.returncode, err.getvalue()
    return 0, err.getvalue()


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"stem": "Stem\x00?"}, "item A1-002: field stem contains a NUL character"),
        (
            {"options": {"A": "a", "B": "b\x00", "C": "c", "D": "d"}},
            "item A1-002: option B contains a NUL character",
        ),
        (
            {"rationale": "Because\ud800"},
            "item A1-002: field rationale is not valid Unicode text",
        ),
        (
            {"stats": {"p\x00": 0.5}},
            "item A1-002: field stats: a text contains a NUL character",
        ),
        ({"task": "t" * 301}, "item A1-002: field task is longer than 300"),
        ({"area": "A" * 11}, "item A1-002: field area is longer than 10"),
    ],
)
def test_text_a_database_refuses_is_refused_by_the_check(
    db: Any, tmp_path: Path, change: dict[str, Any], expected: str, dry_run: bool
) -> None:
    """A NUL, a lone surrogate or an over-long field in one item: exit 2 with the
    reason, in a dry run as in an import, and nothing stored."""
    # given (json.dumps escapes the NUL and the surrogate as \\u0000, \\ud800)
    path = write_json(tmp_path, document(item("A1-001"), item("A1-002", **change)))
    before = stored()
    # when
    status, err = _command(str(path), *(["--dry-run"] if dry_run else []))
    # then
    assert status == 2
    assert f"A1.json: {expected}" in err
    assert stored() == before


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_file_name_too_long_to_record_is_refused(
    db: Any, tmp_path: Path, dry_run: bool
) -> None:
    """The versions record 'import:<file name>' (200 characters): a 194-character
    name is refused by the check, before anything is written."""
    # given
    path = write_json(tmp_path, document(), name="A" * 189 + ".json")
    before = stored()
    # when
    status, err = _command(str(path), *(["--dry-run"] if dry_run else []))
    # then
    assert status == 2
    assert "the file name is longer than 193 characters" in err
    assert stored() == before


def test_csv_problems_name_the_line(db: Any, tmp_path: Path) -> None:
    """In a CSV, each problem names its line (a quoted stem spans two lines)."""
    # given
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    row = ["A1-001", "A1", "A", "", "Two\nlines?", "a", "b", "c", "d", "B", "", ""]
    writer.writerow([*row, "", "operational"])
    writer.writerow(["A1-002", "A1", "A", "", "Nul\x00?", *row[5:], "", "draft"])
    writer.writerow(["A1-003", "A1", "A"])
    path = tmp_path / "A1.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    # when
    with pytest.raises(ItemFileError) as refused:
        read_path(path)
    # then
    assert sorted(refused.value.problems) == [
        "A1.csv: line 4: item A1-002: field stem contains a NUL character",
        "A1.csv: line 5: expected 14 fields, found 3",
    ]


def test_a_csv_field_over_the_reader_limit_is_reported(db: Any, tmp_path: Path) -> None:
    """A field longer than the CSV reader takes is a problem on its line, not a
    traceback."""
    # given
    path = tmp_path / "A1.csv"
    stem = "x" * (1 << 18)
    path.write_text(
        ",".join(CSV_COLUMNS) + f"\nA1-001,A1,A,,{stem},a,b,c,d,B,,,,draft\n",
        encoding="utf-8",
    )
    # when / then
    with pytest.raises(ItemFileError, match=r"A1\.csv: line 2: field larger than"):
        read_path(path)


def test_a_checked_file_stores(db: Any, tmp_path: Path) -> None:
    """The control: the same document without the bad text imports."""
    # given
    path = write_json(tmp_path, document())
    # when
    status, _ = _command(str(path))
    # then
    assert status == 0
    assert json.loads(path.read_text())["items"][0]["code"] == "A1-001"
    assert stored()[0] == 2
