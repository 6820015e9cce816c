"""Fuzz `import results`: arbitrary, mutated and cell-scrambled results CSV either
imports or comes back with the documented error report (``report.errors``), never
an exception; a refused file writes nothing, and the dry run reports exactly what
the import does, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certwright.audit.models import Event
from certwright.candidates.services import technician_create
from certwright.core.clock import today
from certwright.credentials.models import TestResult
from certwright.credentials.results_import import COLUMNS, results_import
from tests.fuzz.mutations import NASTY, mutated

BOUNDED = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def certification_ids(db: Any) -> list[str]:
    return [
        technician_create(
            name=f"Fuzz {n}", email=f"fuzz{n}@example.com"
        ).certification_id
        for n in range(2)
    ]


def _cells(certification_ids: list[str]) -> st.SearchStrategy[list[str]]:
    day = today().replace(day=1).isoformat()
    good = {
        "certification_id": st.sampled_from(certification_ids),
        "test": st.sampled_from(["A1", "A2", "T1", "Z9"]),
        "date": st.sampled_from([day, "2020-02-30", "1969-12-31", "9999-01-01"]),
        "kind": st.sampled_from(["initial", "recert"]),
        "outcome": st.sampled_from(["pass", "fail", "no_show"]),
        "result_id": st.text(min_size=1, max_size=12).map(lambda s: f"R-{s}"),
    }
    odd = st.one_of(st.sampled_from(NASTY), st.text(max_size=12), st.just("R" * 101))
    return st.tuples(*(st.one_of(good[c], odd) for c in COLUMNS)).map(list)


def _csv(rows: list[list[str]]) -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    lines = [",".join(COLUMNS)] + [",".join(cell(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _stored() -> tuple[int, int]:
    return TestResult.objects.count(), Event.objects.count()


@BOUNDED
@given(data=st.data())
def test_fuzz_results_csv(
    certification_ids: list[str], tmp_path: Path, data: Any
) -> None:
    """Scrambled rows, mutated files and random bytes: no exception; refused means
    nothing written; the dry run's errors are the import's."""
    # given
    rows = st.lists(_cells(certification_ids), min_size=1, max_size=4)
    seed = _csv(
        [[certification_ids[0], "A1", today().isoformat(), "initial", "pass", "R-seed"]]
    )
    content = data.draw(
        st.one_of(rows.map(_csv), mutated(seed), st.binary(max_size=200))
    )
    path = tmp_path / data.draw(st.sampled_from(["results.csv", "r" * 194 + ".csv"]))
    path.write_bytes(content)
    before = _stored()
    # when
    dry = results_import(path=path, dry_run=True)
    report = results_import(path=path)
    # then
    assert dry.errors == report.errors
    if report.errors:
        assert _stored() == before
        assert not report.applied
    else:
        assert report.applied
        assert TestResult.objects.count() == before[0] + report.created
