"""Recording a fact schedules a recompute of that technician, run after commit."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend

from certwright.candidates.services import (
    experience_record_add,
    experience_record_approve,
)
from certwright.credentials.models import Certification, CertificationStatus
from certwright.credentials.services import result_record
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_a_recorded_pass_becomes_a_certification_after_commit(
    experienced, django_capture_on_commit_callbacks
):
    """A pass recorded for an experienced technician is certified once the
    transaction commits (the task runs on the inline backend)."""
    # given an experienced technician
    # when a pass is recorded and the transaction commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result_record(
            technician_id=experienced.pk,
            test="A1",
            date=ago(months=1),
            kind="initial",
            outcome="pass",
            source="test",
        )
        # then nothing is derived before the commit
        assert not Certification.objects.filter(technician=experienced).exists()
    # then the recompute ran after it: the one callback the fact queued (the
    # recompute, having changed a certification, queues certifications_changed)
    assert callbacks[0].keywords == {"technician_id": experienced.pk}
    assert len(callbacks) == 2
    cert = Certification.objects.get(technician=experienced, test="A1")
    assert cert.status == CertificationStatus.CERTIFIED
    experienced.refresh_from_db()
    assert experienced.derived_version == experienced.facts_version


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
)
def test_the_recompute_is_enqueued_as_a_task_with_the_technician_id(
    experienced, django_capture_on_commit_callbacks
):
    """The after-commit callback enqueues ``technician_recompute_task`` by id."""
    # given a task backend that only collects what is enqueued
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    # when a fact is recorded and committed
    with django_capture_on_commit_callbacks(execute=True):
        result_record(
            technician_id=experienced.pk,
            test="A5",
            date=ago(days=3),
            kind="initial",
            outcome="fail",
            source="test",
        )
    # then one recompute of that technician was enqueued, and nothing ran yet
    assert [(r.task.func.__name__, r.kwargs) for r in backend.results] == [
        # with the request id passed along ("-": no request here)
        (
            "technician_recompute_task",
            {"technician_id": experienced.pk, "request_id": "-"},
        )
    ]
    experienced.refresh_from_db()
    assert experienced.is_stale


def test_a_rolled_back_fact_enqueues_nothing(
    experienced, django_capture_on_commit_callbacks
):
    """A fact whose transaction rolls back never triggers a recompute."""
    from django.db import transaction

    # given a transaction that records a pass and then fails
    def record_then_fail():
        with transaction.atomic():
            result_record(
                technician_id=experienced.pk,
                test="A1",
                date=ago(months=1),
                kind="initial",
                outcome="pass",
                source="test",
            )
            raise RuntimeError("rolled back")

    # when it runs
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        record_then_fail()
    # then no callback ran and nothing is stored
    assert callbacks == []
    assert not Certification.objects.filter(technician=experienced).exists()


def test_approving_experience_turns_a_pending_pass_into_a_certification(
    make_technician, record_pass, django_capture_on_commit_callbacks
):
    """A pass pending experience is certified once the experience is approved."""
    # given a pass and unapproved experience
    technician = make_technician()
    with django_capture_on_commit_callbacks(execute=True):
        record = experience_record_add(
            technician_id=technician.pk, kind="employment", start=ago(years=4)
        )
        record_pass(technician, "A4", ago(months=2))
    assert (
        Certification.objects.get(technician=technician).status
        == CertificationStatus.PENDING_EXPERIENCE
    )
    # when staff approve the experience
    with django_capture_on_commit_callbacks(execute=True):
        experience_record_approve(record_id=record.pk)
    # then the certification follows
    assert (
        Certification.objects.get(technician=technician).status
        == CertificationStatus.CERTIFIED
    )
