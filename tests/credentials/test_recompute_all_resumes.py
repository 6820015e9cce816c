"""``recompute --all`` walks technicians in chunks and resumes after an interruption,
without redoing the chunks it committed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import F

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add
from certwright.credentials.models import (
    Certification,
    RecomputeRun,
    RecomputeRunStatus,
)
from certwright.credentials.recompute import certifications_recompute_all
from certwright.credentials.services import result_record
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


class Interrupted(Exception):
    pass


@pytest.fixture
def ten_stale(make_technician):
    """Ten technicians with a pass each, recorded but not yet derived."""
    technicians = []
    for _ in range(10):
        t = make_technician()
        experience_record_add(
            technician_id=t.pk, kind="employment", start=ago(years=5), approved=True
        )
        result_record(
            technician_id=t.pk,
            test="A1",
            date=ago(months=3),
            kind="initial",
            outcome="pass",
            source="test",
        )
        technicians.append(t)
    return technicians


def _stop_after(chunks):
    seen = []

    def progress(n):
        seen.append(n)
        if len(seen) == chunks:
            raise Interrupted

    return progress, seen


def test_an_interrupted_run_resumes_after_its_last_committed_chunk(ten_stale):
    """Stopped after two chunks of three, the run keeps their work and its position;
    the next call finishes the remaining four technicians only."""
    # given a run interrupted after two chunks
    progress, _ = _stop_after(2)
    with pytest.raises(Interrupted):
        certifications_recompute_all(chunk_size=3, progress=progress)
    run = RecomputeRun.objects.get()
    assert run.status == RecomputeRunStatus.RUNNING
    assert run.processed == 6
    assert run.last_technician_id == ten_stale[5].pk
    assert Certification.objects.count() == 6
    # when the run is started again
    seen: list[int] = []
    resumed = certifications_recompute_all(chunk_size=3, progress=seen.append)
    # then the same run finishes with only the rest
    assert resumed.pk == run.pk
    assert seen == [3, 1]
    assert resumed.status == RecomputeRunStatus.FINISHED
    assert resumed.processed == 10
    assert resumed.changed == 10
    assert Certification.objects.count() == 10
    assert not Technician.objects.exclude(facts_version=F("derived_version")).exists()


def test_restart_abandons_the_unfinished_run(ten_stale):
    """``restart`` marks the unfinished run abandoned and walks everyone again."""
    # given an interrupted run
    progress, _ = _stop_after(1)
    with pytest.raises(Interrupted):
        certifications_recompute_all(chunk_size=4, progress=progress)
    # when restarted
    run = certifications_recompute_all(chunk_size=4, restart=True)
    # then a new run visited all ten; the old one is abandoned
    assert run.processed == 10
    assert run.changed == 6  # the first chunk's four were already derived
    old = RecomputeRun.objects.exclude(pk=run.pk).get()
    assert old.status == RecomputeRunStatus.ABANDONED


def test_the_command_resumes_too(ten_stale, capsys):
    """``certwright recompute --all`` resumes an unfinished run and says so."""
    # given an interrupted run
    progress, _ = _stop_after(1)
    with pytest.raises(Interrupted):
        certifications_recompute_all(chunk_size=5, progress=progress)
    # when the command runs
    call_command("recompute", "--all", "--no-progress")
    # then it resumed and finished the run
    out = capsys.readouterr().out
    assert "resuming run" in out
    run = RecomputeRun.objects.get()
    assert (run.status, run.processed) == (RecomputeRunStatus.FINISHED, 10)
