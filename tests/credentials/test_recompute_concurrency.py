"""A bulk chunk evaluates outside its transaction; a fact recorded meanwhile is not
lost, and worker processes derive the same state as one process."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.test import override_settings

from certwright import rules
from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials import recompute as recompute_module
from certwright.credentials.models import Certification, RecomputeRunStatus
from certwright.credentials.recompute import (
    certifications_recompute_all,
    technicians_recompute,
)
from certwright.credentials.selectors import technicians_facts
from certwright.credentials.services import result_record
from tests.support.dates import ago


def _stale_population(make_technician, n):
    technicians = []
    for i in range(n):
        t = make_technician()
        experience_record_add(
            technician_id=t.pk, kind="employment", start=ago(years=3 + i), approved=True
        )
        result_record(
            technician_id=t.pk,
            test=("A1", "A4", "A8")[i % 3],
            date=ago(years=i % 7, months=1),
            kind="initial",
            outcome="pass",
            source="test",
        )
        technicians.append(t)
    return technicians


@pytest.mark.django_db
def test_a_fact_recorded_while_a_chunk_evaluates_is_derived(
    make_technician, monkeypatch
):
    """If a technician's facts change between the chunk's snapshot and its write,
    that technician is recomputed under the lock with the new fact included."""
    # given two stale technicians, and a new pass recorded for the first one just
    # after the chunk has read and evaluated its snapshot
    first, second = _stale_population(make_technician, 2)
    real_plan = recompute_module._plan
    late: list[int] = []

    def plan_then_record(*args, **kwargs):
        plan = real_plan(*args, **kwargs)
        if late:
            return plan  # the recompute under the lock: no more surprises
        late.append(1)
        result_record(
            technician_id=first.pk,
            test="A5",
            date=ago(days=2),
            kind="initial",
            outcome="pass",
            source="concurrent",
        )
        return plan

    monkeypatch.setattr(recompute_module, "_plan", plan_then_record)
    # when the chunk is recomputed
    result = technicians_recompute(technician_ids=[first.pk, second.pk])
    # then both are derived and the first includes the late fact
    assert result.processed == 2
    assert set(
        Certification.objects.filter(technician=first).values_list("test", flat=True)
    ) == {"A1", "A5"}
    assert not Technician.objects.exclude(facts_version=F("derived_version")).exists()


@pytest.mark.django_db(
    transaction=True,
    # Committed data (the workers are other processes) and only the apps involved.
    available_apps=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "certwright.audit",
        "certwright.candidates",
        "certwright.credentials",
    ],
)
@override_settings(
    # Facts are committed as they are recorded: keep their recompute from running.
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
)
def test_worker_processes_derive_what_the_rules_say(make_technician):
    """With two worker processes (on PostgreSQL or a file SQLite database; an
    in-memory test database falls back to one process) every chunk is done once and
    the stored state equals the rules on the stored facts."""
    # given twelve stale technicians
    technicians = _stale_population(make_technician, 12)
    # when recomputed in chunks of three by two workers
    seen: list[int] = []
    run = certifications_recompute_all(chunk_size=3, workers=2, progress=seen.append)
    # then every chunk was done once and the run finished
    assert sorted(seen) == [3, 3, 3, 3]
    assert (run.status, run.processed, run.changed) == (
        RecomputeRunStatus.FINISHED,
        12,
        12,
    )
    assert run.last_technician_id == technicians[-1].pk
    # then the rows are the rules' answer
    program, day = current_program(), today()
    facts = technicians_facts([t.pk for t in technicians])
    for t in technicians:
        expected = rules.evaluate(program, facts[t.pk], day, explain=False)
        stored = dict(
            Certification.objects.filter(technician=t).values_list("test", "status")
        )
        assert stored == {c: s.status for c, s in expected.certifications.items()}
