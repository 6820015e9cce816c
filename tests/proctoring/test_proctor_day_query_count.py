"""The day page reads a fixed number of queries however many candidates are on it
(appointments, tests, attempts, accommodations and incident counts in one query
each): pinned here so that a change that reads per candidate shows up."""

from __future__ import annotations

import pytest

from certwright.delivery.accommodations import accommodation_approve
from certwright.delivery.attempts import attempt_authorise, attempt_start
from certwright.proctoring.services import incident_record
from certwright.scheduling.services import appointment_check_in
from tests.support.proctoring import (
    board_url,
    book,
    console_proctor,
    day_url,
    seat_of,
    text_of,
)
from tests.support.scheduling import candidate_create

pytestmark = pytest.mark.django_db

# Session and user, the MFA check (roles, authenticator), the centre, then the
# appointments with their candidates, their tests, attempts, accommodations and
# incident counts, which of their tests have a published form; the day page adds
# the centre picker's list.
DAY_QUERIES = 12
BOARD_QUERIES = 11


def test_the_day_costs_the_same_for_one_candidate_or_four(
    client, frozen, centre, exam_form, django_assert_num_queries
):
    # given one candidate booked
    first = book(frozen, candidate_create("First Candidate"), centre, hour=9)
    proctor = console_proctor(centre)
    client.force_login(proctor)
    # when the day and the board are read
    with django_assert_num_queries(DAY_QUERIES):
        client.get(day_url(centre))
    with django_assert_num_queries(BOARD_QUERIES):
        client.get(board_url(centre))
    # given three more, checked in, in progress with an accommodation, with notes
    frozen.move_to(first.starts_at.replace(hour=13))
    others = [
        book(frozen, candidate_create(f"Candidate {n}"), centre, hour=10 + n)
        for n in range(3)
    ]
    for appointment in others:
        appointment_check_in(appointment_id=appointment.pk, actor="proctor")
        accommodation_approve(
            technician_id=appointment.technician_id, extra_minutes=15, actor="staff"
        )
        incident_record(
            note="Arrived late", actor="proctor", appointment_id=appointment.pk
        )
    attempt = attempt_authorise(
        appointment_test_id=seat_of(others[0]).pk, actor="proctor"
    )
    attempt_start(attempt_id=attempt.pk, by="candidate")
    # when the day and the board are read again
    with django_assert_num_queries(DAY_QUERIES):
        day = client.get(day_url(centre))
    with django_assert_num_queries(BOARD_QUERIES):
        client.get(board_url(centre))
    # then all four are on it
    text = text_of(day)
    assert all(
        name in text for name in ("First Candidate", "Candidate 0", "Candidate 2")
    )
    assert "90 min left" in text
