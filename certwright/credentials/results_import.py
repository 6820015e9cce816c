"""Importing the test provider's results feed (CSV); the format is in
docs/results-import.md.

All or nothing: every row is checked before anything is written, and one bad row
stops the whole file, so an operator fixes the file and runs it again rather than
untangling half an import. Rows are identified by the provider's ``result_id``: a row
already imported with identical content is skipped, which makes a second run of the
same file change nothing, while the same ``result_id`` with different content is an
error (the provider never changes a result, so a difference is a mix-up).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F

from certwright.audit.models import Event, EventKind
from certwright.audit.services import (
    Actor,
    EventDraft,
    event_record,
    events_record_bulk,
)
from certwright.candidates.ids import certification_id_normalize
from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_ids_by_certification_id
from certwright.core.clock import now
from certwright.core.program import current_program
from certwright.core.text import field_max_length, text_problem
from certwright.credentials.models import TestResult
from certwright.credentials.recompute import technicians_recompute
from certwright.credentials.selectors import REF_RESULT
from certwright.credentials.services import result_errors

COLUMNS = ("certification_id", "test", "date", "kind", "outcome", "result_id")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BATCH = 2000
# What a result's ``source``, and the import's events, record of the file.
SOURCE = "import:{name}"


@dataclass(frozen=True, slots=True)
class ResultRow:
    line: int
    technician_id: int
    test: str
    date: dt.date
    kind: str
    outcome: str
    result_id: str


@dataclass(slots=True)
class ImportReport:
    file_name: str
    sha256: str
    rows: int = 0
    created: int = 0
    skipped: int = 0  # already imported with identical content
    technicians: int = 0  # technicians with new results
    recomputed_changed: int = 0  # of those, how many certifications/titles changed
    errors: list[str] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "skipped": self.skipped,
            "technicians": self.technicians,
        }


def _file_name_problem(name: str) -> str | None:
    """The file name is recorded as ``import:<name>`` in each result's source and
    in the events' actor and subject; it must fit all three."""
    problem = text_problem(name)
    if problem is not None:
        return problem
    longest = min(
        field_max_length(TestResult, "source"),
        field_max_length(Event, "actor_label"),
        field_max_length(Event, "subject"),
    ) - len(SOURCE.format(name=""))
    if len(name) > longest:
        return f"longer than {longest} characters (rename the file)"
    return None


def _parse_date(text: str) -> dt.date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _existing(result_ids: list[str]) -> dict[str, tuple[int, str, dt.date, str, str]]:
    """result_id -> (technician_id, test, date, kind, outcome) of stored results."""
    found: dict[str, tuple[int, str, dt.date, str, str]] = {}
    for start in range(0, len(result_ids), _BATCH):
        batch = result_ids[start : start + _BATCH]
        for ext, tid, test, day, kind, outcome in TestResult.objects.filter(
            external_id__in=batch
        ).values_list(
            "external_id", "technician_id", "test", "date", "kind", "outcome"
        ):
            if ext is not None:
                found[ext] = (tid, test, day, kind, outcome)
    return found


# A data row's cells by column, with the line it starts on.
_Record = tuple[int, dict[str, str]]
# A problem with the file: the line it is on, and the message naming it.
_Problem = tuple[int, str]


def _result_rows(text: str, report: ImportReport) -> list[ResultRow]:
    """The good rows of the results file ``text``; every problem goes to
    ``report``, in line order."""
    problems: list[_Problem] = []
    records = _records_read(text, report, problems)
    if records is None:
        return []
    good = _records_check(records, report, problems)
    # A stable sort: one line's problems keep the column order.
    report.errors.extend(message for _, message in sorted(problems, key=lambda p: p[0]))
    return good


def _records_read(
    text: str, report: ImportReport, problems: list[_Problem]
) -> list[_Record] | None:
    """The data rows of ``text`` as cells by column (blank rows skipped, each
    counted in ``report.rows``). A missing or incomplete header goes to ``report``
    and gives None; a row with the wrong number of fields, or where the CSV reader
    cannot go on, goes to ``problems``."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        report.errors.append("line 1: the file is empty (expected a header row)")
        return None
    except csv.Error as exc:
        report.errors.append(f"line 1: {exc}")
        return None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        report.errors.append(
            f"line 1: missing column(s) {', '.join(missing)} "
            f"(expected {','.join(COLUMNS)})"
        )
        return None
    index = {name: header.index(name) for name in COLUMNS}

    records: list[_Record] = []
    line = reader.line_num
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            report.rows += 1
            if len(record) != len(header):
                problems.append(
                    (
                        start,
                        f"line {start}: expected {len(header)} fields, "
                        f"found {len(record)}",
                    )
                )
                continue
            records.append((start, {c: record[i].strip() for c, i in index.items()}))
    except csv.Error as exc:
        # A field over the csv module's size limit or a broken quote: the reader
        # cannot go on past it.
        problems.append((line + 1, f"line {line + 1}: {exc}"))
    return records


def _result_id_problem(rid: str, longest: int) -> str | None:
    """What is wrong with ``rid`` as a result_id (None: nothing)."""
    if not rid:
        return "missing"
    problem = text_problem(rid)
    if problem is not None:
        return problem
    if len(rid) > longest:
        return f"longer than {longest} characters"
    return None


def _records_check(
    records: list[_Record], report: ImportReport, problems: list[_Problem]
) -> list[ResultRow]:
    """Each record checked against the program, the technicians and the results
    already imported. A record already imported with the same content is counted
    in ``report.skipped``; what is wrong goes to ``problems``, column by column; the
    new, good rows come back."""
    program = current_program()
    longest = field_max_length(TestResult, "external_id")
    technicians = technician_ids_by_certification_id(
        {v["certification_id"] for _, v in records}
    )
    # Only storable ids are looked up: PostgreSQL refuses a NUL even in a query.
    existing = _existing(
        sorted(
            {
                v["result_id"]
                for _, v in records
                if not _result_id_problem(v["result_id"], longest)
            }
        )
    )
    seen: dict[str, int] = {}
    good: list[ResultRow] = []
    for start, v in records:
        errors: dict[str, str] = {}
        cid = certification_id_normalize(v["certification_id"])
        tid = technicians.get(cid) if cid else None
        if cid is None:
            errors["certification_id"] = (
                f"{v['certification_id']!r} is not a certification ID"
            )
        elif tid is None:
            errors["certification_id"] = f"no technician with certification ID {cid}"
        day = _parse_date(v["date"])
        errors.update(
            result_errors(
                program=program,
                test=v["test"],
                date=day,
                kind=v["kind"],
                outcome=v["outcome"],
            )
        )
        if day is None:
            errors["date"] = f"{v['date']!r} is not a date (YYYY-MM-DD)"
        rid = v["result_id"]
        if (problem := _result_id_problem(rid, longest)) is not None:
            errors["result_id"] = problem
        elif rid in seen:
            errors["result_id"] = f"{rid!r} is also on line {seen[rid]}"
        else:
            seen[rid] = start
        ordered = {c: errors[c] for c in COLUMNS if c in errors}
        if ordered:
            problems.extend(
                (start, f"line {start}: {c}: {m}") for c, m in ordered.items()
            )
            continue
        assert tid is not None
        assert day is not None
        row = ResultRow(start, tid, v["test"], day, v["kind"], v["outcome"], rid)
        stored = existing.get(rid)
        if stored is not None:
            if stored != (row.technician_id, row.test, row.date, row.kind, row.outcome):
                _, s_test, s_day, s_kind, s_outcome = stored
                problems.append(
                    (
                        start,
                        f"line {start}: result_id: {rid!r} was already imported with "
                        f"different content ({s_test} {s_day.isoformat()} {s_kind} "
                        f"{s_outcome})",
                    )
                )
            else:
                report.skipped += 1
            continue
        good.append(row)
    return good


def _apply(rows: list[ResultRow], report: ImportReport, actor: Actor) -> list[int]:
    source = SOURCE.format(name=report.file_name)
    created_at = now()
    objs = TestResult.objects.bulk_create(
        [
            TestResult(
                technician_id=r.technician_id,
                test=r.test,
                date=r.date,
                kind=r.kind,
                outcome=r.outcome,
                source=source,
                external_id=r.result_id,
                created_at=created_at,
            )
            for r in rows
        ],
        batch_size=_BATCH,
    )
    per_technician = Counter(r.technician_id for r in rows)
    # One UPDATE per distinct count keeps facts_version exact (one per new fact)
    # without one statement per technician.
    by_count: dict[int, list[int]] = {}
    for tid, n in per_technician.items():
        by_count.setdefault(n, []).append(tid)
    for n, tids in by_count.items():
        for start in range(0, len(tids), _BATCH):
            Technician.objects.filter(pk__in=tids[start : start + _BATCH]).update(
                facts_version=F("facts_version") + n
            )
    events_record_bulk(
        [
            EventDraft(
                EventKind.FACT_RECORDED,
                f"{REF_RESULT}:{obj.pk}",
                r.technician_id,
                {
                    "after": {
                        "test": r.test,
                        "date": r.date.isoformat(),
                        "kind": r.kind,
                        "outcome": r.outcome,
                        "source": source,
                        "external_id": r.result_id,
                    }
                },
                f"{r.test} {r.kind} result imported: {r.outcome} on "
                f"{r.date.isoformat()} (line {r.line})",
            )
            for obj, r in zip(objs, rows, strict=True)
        ],
        actor=actor,
        occurred_at=created_at,
    )
    return sorted(per_technician)


def results_import(
    *,
    path: str | Path,
    dry_run: bool = False,
    actor: Actor = None,
    file_name: str | None = None,
) -> ImportReport:
    """Check every row of the results file at ``path``; if all are good (and not
    ``dry_run``), record the new ones in one transaction and recompute their
    technicians after commit."""
    data = Path(path).read_bytes()
    name = file_name or Path(path).name
    report = ImportReport(
        file_name=name, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run
    )
    name_problem = _file_name_problem(name)
    if name_problem is not None:
        report.errors.append(f"file name: {name_problem}")
        return report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report.errors.append(f"line {line}: the file is not UTF-8 text")
        return report
    rows = _result_rows(text, report)
    if report.errors:
        return report
    report.created = len(rows)
    report.technicians = len({r.technician_id for r in rows})
    if dry_run:
        return report
    with transaction.atomic():
        technician_ids = _apply(rows, report, actor) if rows else []
        event_record(
            kind=EventKind.IMPORT_APPLIED,
            subject=SOURCE.format(name=name),
            actor=actor,
            data={"file": name, "sha256": report.sha256, **report.counts()},
            reason=f"results file {name}: {report.created} new results, "
            f"{report.skipped} already imported",
        )
        report.applied = True

        def recompute() -> None:
            result = technicians_recompute(technician_ids=technician_ids, actor=actor)
            report.recomputed_changed = result.changed

        if technician_ids:
            # After commit: the recompute reads the committed facts, and a failure
            # there leaves the import in place for the daily sweep to catch up on.
            transaction.on_commit(recompute, using=connection.alias)
    return report
