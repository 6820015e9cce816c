"""``recompute --all`` walks technicians in chunks and resumes after an interruption,
without redoing the chunks it committed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import F

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add
from certwright.credentials.models import (
    Certification,
    RecomputeRun,
    RecomputeRunStatus,
)
from certwright.credentials.recompute import (
    certifications_recompute_all,
    recompute_run_drain,
)
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


def test_an_enqueued_run_is_shared_out_and_finished_once(ten_stale, capsys):
    """``recompute --all --enqueue``: the run is planned by the command and drained
    by the tasks (the tests' immediate backend runs them in turn): the first does
    every chunk, the others find none left, and the run finishes with one event."""
    # when the run is enqueued for three tasks
    call_command("recompute", "--all", "--enqueue", "--tasks", "3", "--chunk-size", "4")
    # then it was planned as three chunks and finished
    assert "10 technicians enqueued for 3 tasks" in capsys.readouterr().out
    run = RecomputeRun.objects.get()
    assert (run.status, run.processed, run.changed) == (
        RecomputeRunStatus.FINISHED,
        10,
        10,
    )
    assert run.chunks.count() == 3
    assert not run.chunks.filter(done_at=None).exists()
    assert Certification.objects.count() == 10
    events = Event.objects.filter(kind=EventKind.RECOMPUTE_RUN)
    assert [e.subject for e in events] == [f"recompute:{run.pk}"]


def test_a_drainer_finishes_what_an_interrupted_process_left(ten_stale):
    """A run whose process stopped after one chunk is finished by a drain (what a
    task worker does when another worker died): only the open chunks are done."""
    # given a run interrupted after its first chunk of four
    progress, _ = _stop_after(1)
    with pytest.raises(Interrupted):
        certifications_recompute_all(chunk_size=4, progress=progress)
    run = RecomputeRun.objects.get()
    # when a drainer takes it
    visited = recompute_run_drain(run, actor="task")
    # then it visited the six left, and the run is finished with every technician
    run.refresh_from_db()
    assert visited == 6
    assert (run.status, run.processed) == (RecomputeRunStatus.FINISHED, 10)
    assert Certification.objects.count() == 10
    # and draining a finished run does nothing
    assert recompute_run_drain(run, actor="task") == 0
    assert Event.objects.filter(kind=EventKind.RECOMPUTE_RUN).count() == 1
