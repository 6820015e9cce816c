"""What the results check passes stores on PostgreSQL as on SQLite: a result_id
longer than its column, a NUL in it, or a file name too long to record is reported
by the check (so by --dry-run too) with its line, exit 2, and nothing is written; a
line the CSV reader cannot read is a problem on that line, not a traceback."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from certwright.audit.models import Event
from certwright.credentials.models import TestResult
from certwright.credentials.results_import import results_import
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

HEADER = "certification_id,test,date,kind,outcome,result_id\n"


def _write(path: Path, *lines: str) -> Path:
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _stored() -> tuple[int, int]:
    return TestResult.objects.count(), Event.objects.count()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_result_id_a_database_refuses_is_reported_by_line(
    tmp_path: Path, experienced: Any, dry_run: bool
) -> None:
    """A 101-character result_id and one holding a NUL: each reported with its
    line, in a dry run as in an import, and nothing written."""
    # given
    cid, day = experienced.certification_id, ago(months=1).isoformat()
    path = _write(
        tmp_path / "results.csv",
        f"{cid},A1,{day},initial,pass,R-1",
        f"{cid},A2,{day},initial,pass,{'R' * 101}",
        f"{cid},A3,{day},initial,pass,R\x003",
    )
    before = _stored()
    # when
    report = results_import(path=path, dry_run=dry_run)
    # then
    assert report.errors == [
        "line 3: result_id: longer than 100 characters",
        "line 4: result_id: contains a NUL character",
    ]
    assert _stored() == before


def test_a_file_name_too_long_to_record_exits_2(
    tmp_path: Path, experienced: Any
) -> None:
    """Results record 'import:<file name>' (200 characters): a 194-character name
    is refused by the check, before anything is written."""
    # given
    day = ago(months=1).isoformat()
    path = _write(
        tmp_path / ("r" * 190 + ".csv"),
        f"{experienced.certification_id},A1,{day},initial,pass,R-1",
    )
    before = _stored()
    err = io.StringIO()
    # when
    for extra in ([], ["--dry-run"]):
        with pytest.raises(CommandError) as failed:
            call_command(
                "import", "results", str(path), *extra, stdout=io.StringIO(), stderr=err
            )
        assert failed.value.returncode == 2
    # then
    assert "file name: longer than 193 characters" in err.getvalue()
    assert _stored() == before


def test_a_line_the_reader_cannot_read_is_reported(
    tmp_path: Path, experienced: Any
) -> None:
    """A field over the CSV reader's limit is a problem on its line."""
    # given
    day = ago(months=1).isoformat()
    path = _write(
        tmp_path / "results.csv",
        f"{experienced.certification_id},A1,{day},initial,pass,R-1",
        f"{experienced.certification_id},A1,{day},initial,pass,{'x' * (1 << 18)}",
    )
    # when
    report = results_import(path=path)
    # then
    assert report.errors == ["line 3: field larger than field limit (131072)"]
    assert TestResult.objects.count() == 0


def test_the_longest_result_id_and_file_name_store(
    tmp_path: Path, experienced: Any
) -> None:
    """The control: a 100-character result_id in a 193-character file name
    imports."""
    # given
    day = ago(months=1).isoformat()
    path = _write(
        tmp_path / ("r" * 189 + ".csv"),
        f"{experienced.certification_id},A1,{day},initial,pass,{'R' * 100}",
    )
    # when
    report = results_import(path=path)
    # then
    assert report.errors == []
    assert TestResult.objects.get().external_id == "R" * 100


def test_a_header_the_reader_cannot_read_is_reported(tmp_path: Path) -> None:
    """A stray carriage return in the header row is a problem on line 1 (found by
    the fuzz target)."""
    # given
    path = tmp_path / "results.csv"
    path.write_bytes(b"certification_id,te\rst\n")
    # when
    report = results_import(path=path)
    # then
    assert report.errors == [
        "line 1: new-line character seen in unquoted field - do you need to open "
        "the file in universal-newline mode?"
    ]
