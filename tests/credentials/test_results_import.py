"""``certwright import results FILE.csv``: every row checked first, bad rows
reported by line number with nothing applied, and a second import changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from certwright.audit.models import Event, EventKind
from certwright.credentials.models import Certification, TestResult
from certwright.credentials.results_import import results_import
from certwright.credentials.services import result_record
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

HEADER = "certification_id,test,date,kind,outcome,result_id\n"


def write(tmp_path, name, *lines):
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def two(make_technician):
    from certwright.candidates.services import experience_record_add

    technicians = [make_technician("Ana"), make_technician("Ben")]
    for t in technicians:
        experience_record_add(
            technician_id=t.pk, kind="employment", start=ago(years=6), approved=True
        )
    return technicians


def test_bad_rows_are_reported_by_line_and_nothing_is_applied(tmp_path, two):
    """Each problem is named with its line and field; the good rows are not imported
    either, and the command exits with status 2."""
    # given a result already imported, and a file with one good row and bad ones
    ana, ben = two
    result_record(
        technician_id=ana.pk,
        test="A1",
        date=ago(months=2),
        kind="initial",
        outcome="pass",
        source="feed",
        external_id="R-OLD",
    )
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    day = ago(months=1).isoformat()
    path = write(
        tmp_path,
        "results.csv",
        f"{ana.certification_id},A2,{day},initial,pass,R1",  # line 2: good
        f"CW-ZZZZZZZZZ,A1,{day},initial,pass,R2",  # 3: not an ID (check char)
        f"{ben.certification_id},Z9,{day},initial,pass,R3",  # 4: unknown test
        f"{ben.certification_id},A1,{day},first,maybe,R4",  # 5: kind and outcome
        f"{ben.certification_id},A1,{tomorrow},initial,pass,R5",  # 6: future
        f"{ben.certification_id},A1,2026-13-01,initial,pass,R6",  # 7: not a date
        f"{ben.certification_id},A3,{day},initial,pass,R1",  # 8: duplicate of line 2
        f"{ana.certification_id},A1,{day},initial,fail,R-OLD",  # 9: differs from stored
        f"{ben.certification_id},A1,{day},initial",  # 10: too few fields
    )
    facts_before = TestResult.objects.count()
    events_before = Event.objects.count()
    # when imported
    report = results_import(path=path)
    # then every problem is listed, in line order
    assert report.errors == [
        "line 3: certification_id: 'CW-ZZZZZZZZZ' is not a certification ID",
        "line 4: test: unknown test 'Z9' in program 'ase'",
        "line 5: kind: 'first' is not one of initial, recert",
        "line 5: outcome: 'maybe' is not one of pass, fail, no_show",
        f"line 6: date: {tomorrow} is in the future (today is "
        f"{dt.date.today().isoformat()})",
        "line 7: date: '2026-13-01' is not a date (YYYY-MM-DD)",
        "line 8: result_id: 'R1' is also on line 2",
        "line 9: result_id: 'R-OLD' was already imported with different content "
        f"(A1 {ago(months=2).isoformat()} initial pass)",
        "line 10: expected 6 fields, found 4",
    ]
    # then nothing was applied
    assert not report.applied
    assert TestResult.objects.count() == facts_before
    assert Event.objects.count() == events_before
    # then the command reports the same and exits with status 2
    with pytest.raises(CommandError) as info:
        call_command("import", "results", str(path))
    assert info.value.returncode == 2
    assert TestResult.objects.count() == facts_before


def test_an_unknown_technician_is_named(tmp_path, two):
    """A well-formed certification ID that belongs to nobody is an error too."""
    from certwright.candidates.ids import check_character

    # given an ID that is valid but unused
    body = "ABCDEFGH"
    unused = f"CW-{body}{check_character(body)}"
    path = write(tmp_path, "r.csv", f"{unused},A1,{ago(days=3)},initial,pass,X1")
    # when imported
    report = results_import(path=path)
    # then the row is refused with the canonical ID
    assert report.errors == [
        f"line 2: certification_id: no technician with certification ID {unused}"
    ]


def test_a_good_file_is_applied_and_a_second_import_changes_nothing(
    tmp_path, two, django_capture_on_commit_callbacks, capsys
):
    """The rows become results, the technicians are recomputed after commit, an
    import.applied event records the file; importing the file again adds nothing."""
    # given a valid file
    ana, ben = two
    day = ago(months=1).isoformat()
    path = write(
        tmp_path,
        "feed-2026-06.csv",
        f"{ana.certification_id},A1,{day},initial,pass,P-1",
        f"{ana.certification_id},A2,{day},initial,fail,P-2",
        f"{ben.certification_id.lower()},A5,{day},initial,pass,P-3",
    )
    # when imported through the command
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import", "results", str(path))
    # then the results exist and were derived after commit
    assert "3 rows, imported 3 new results for 2 technicians" in capsys.readouterr().out
    assert TestResult.objects.filter(external_id__startswith="P-").count() == 3
    assert set(Certification.objects.values_list("technician_id", "test")) == {
        (ana.pk, "A1"),
        (ben.pk, "A5"),
    }
    applied = Event.objects.get(kind=EventKind.IMPORT_APPLIED)
    assert applied.data == {
        "file": "feed-2026-06.csv",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rows": 3,
        "created": 3,
        "skipped": 0,
        "technicians": 2,
    }
    assert applied.actor_label == "import:feed-2026-06.csv"
    facts = list(TestResult.objects.order_by("id").values())
    certs = list(Certification.objects.order_by("id").values())
    state_events = Event.objects.exclude(kind=EventKind.IMPORT_APPLIED).count()

    # when the same file is imported again
    with django_capture_on_commit_callbacks(execute=True):
        report = results_import(path=path)
    # then every row is skipped and nothing else changed
    assert (report.created, report.skipped, report.errors) == (0, 3, [])
    assert list(TestResult.objects.order_by("id").values()) == facts
    assert list(Certification.objects.order_by("id").values()) == certs
    assert Event.objects.exclude(kind=EventKind.IMPORT_APPLIED).count() == state_events


def test_a_dry_run_checks_and_writes_nothing(tmp_path, two):
    """``--dry-run`` counts what would be imported and changes nothing."""
    # given a valid file
    ana, _ = two
    path = write(
        tmp_path, "r.csv", f"{ana.certification_id},A1,{ago(days=5)},initial,pass,D1"
    )
    events_before = Event.objects.count()
    # when checked with a dry run
    report = results_import(path=path, dry_run=True)
    # then it would import one row, and nothing was written
    assert (report.created, report.applied, report.errors) == (1, False, [])
    assert not TestResult.objects.filter(external_id="D1").exists()
    assert Event.objects.count() == events_before


def test_a_missing_column_is_reported_on_the_header_line(tmp_path, db):
    """A file without a required column is refused before any row is read."""
    # given a file without result_id
    path = tmp_path / "r.csv"
    path.write_text("certification_id,test,date,kind,outcome\n", encoding="utf-8")
    # when imported
    report = results_import(path=path)
    # then the header line is blamed
    assert report.errors == [
        "line 1: missing column(s) result_id "
        "(expected certification_id,test,date,kind,outcome,result_id)"
    ]
