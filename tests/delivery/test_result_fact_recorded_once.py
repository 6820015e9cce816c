"""Submitting records the test-result fact once (a replayed submit is a no-op), the
recompute after commit makes the certification appear, and the seat's appointment
is completed with its order line taken."""

from __future__ import annotations

import datetime as dt

import pytest

from certwright.audit.models import Event
from certwright.candidates.services import experience_record_add
from certwright.commerce.models import LineStatus, OrderLine
from certwright.credentials.models import Certification, TestResult
from certwright.delivery.attempts import attempt_submit
from certwright.scheduling.models import AppointmentStatus
from tests.support.delivery import EXAM_DAY, KEYS, SEATS, form_items, save

pytestmark = pytest.mark.django_db


def _pass(attempt, candidate):
    items = form_items(attempt)
    for seq, code in enumerate(["A1-001", "A1-002", "A1-003", "A1-004"], start=1):
        save(attempt, items[code], seq=seq, choice=KEYS[code])


def test_a_pass_becomes_one_fact_and_a_certification(
    started, candidate, django_capture_on_commit_callbacks
):
    """With two years of approved experience, a pass certifies A1 at once; the
    second submit (another tab) adds no second fact and no second event."""
    # given documented experience and a passing set of answers
    experience_record_add(
        technician_id=candidate.pk,
        kind="employment",
        start=dt.date(2020, 1, 1),
        approved=True,
        actor="staff",
    )
    _pass(started, candidate)
    # when the candidate submits, twice
    with django_capture_on_commit_callbacks(execute=True):
        first = attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
    with django_capture_on_commit_callbacks(execute=True):
        second = attempt_submit(
            attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
        )
    # then one fact, linked from the attempt
    results = TestResult.objects.filter(technician=candidate)
    assert [(r.test, r.kind, r.outcome, r.date, r.source) for r in results] == [
        ("A1", "initial", "pass", EXAM_DAY, "certwright-delivery")
    ]
    assert first.result_id == second.result_id == results[0].pk
    assert results[0].external_id == f"attempt:{started.pk}"
    assert Event.objects.filter(kind="attempt.submitted").count() == 1
    # then the certification is there
    certification = Certification.objects.get(technician=candidate, test="A1")
    assert certification.status == "certified"
    assert certification.certified_on == EXAM_DAY


def test_the_last_test_submitted_completes_the_appointment(started, candidate):
    """The appointment is completed and the order line taken."""
    _pass(started, candidate)
    attempt_submit(attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk])
    appointment = started.appointment
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    line = OrderLine.objects.get(pk=started.appointment_test.order_line_id)
    assert line.status == LineStatus.TAKEN
