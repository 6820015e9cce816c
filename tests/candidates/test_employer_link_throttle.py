"""The employer's confirmation mail is throttled: one resend per interval and a few
sends a day per record, a daily cap per candidate; beyond that the web page and the
API answer 429 with the reason, and nothing is mailed or written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import (
    EMPLOYER_LINK_INTERVAL,
    EMPLOYER_LINK_PER_CANDIDATE_PER_DAY,
    EMPLOYER_LINK_PER_RECORD_PER_DAY,
    experience_submit,
)
from certwright.core.clock import now
from certwright.notifications.models import OutboundEmail
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

API = "/api/candidates"


def _submit(technician: Any, n: int = 0) -> ExperienceRecord:
    # Each record a different, non-overlapping year, so none clashes with another.
    return experience_submit(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=40 - 2 * n),
        end=ago(years=39 - 2 * n),
        full_time=True,
        employer="Main Street Auto",
        employer_email=f"boss{n}@mainstreet.example",
    )


def _mails() -> int:
    return OutboundEmail.objects.filter(template="experience_employer_confirm").count()


def _sends() -> int:
    return Event.objects.filter(kind=EventKind.EXPERIENCE_EMPLOYER_LINK_SENT).count()


def test_a_resend_within_the_interval_answers_429_on_the_web(client, candidate):
    """Twenty quick resends mail the employer once (the submission): each resend
    is refused with 429 and a message saying when it may go again."""
    # given
    user, technician = candidate
    record = _submit(technician)
    client.force_login(user)
    url = reverse("candidates:experience_link_resend", args=[record.pk])

    # when
    answers = [client.post(url) for _ in range(20)]

    # then
    assert {a.status_code for a in answers} == {429}
    page = answers[-1].content.decode()
    assert "You can send it again from" in page
    assert int(answers[-1]["Retry-After"]) <= EMPLOYER_LINK_INTERVAL.total_seconds()
    assert _mails() == 1
    assert _sends() == 1


def test_a_resend_within_the_interval_answers_429_in_the_api(client, candidate):
    """The API refuses the same way, with a JSON reason and Retry-After."""
    # given
    user, technician = candidate
    record = _submit(technician)
    client.force_login(user)

    # when
    answer = client.post(f"{API}/experience/{record.pk}/employer-link")

    # then
    assert answer.status_code == 429
    assert "You can send it again from" in answer.json()["detail"]
    assert int(answer["Retry-After"]) > 0
    assert _mails() == 1


def test_a_record_is_mailed_at_most_a_few_times_a_day(client, candidate):
    """Past the interval a resend goes out, until the record's daily number is
    reached; the next is refused until a day after the oldest of them."""
    # given
    user, technician = candidate
    client.force_login(user)
    start = now()
    step = EMPLOYER_LINK_INTERVAL + dt.timedelta(seconds=1)
    with time_machine.travel(start, tick=False):
        record = _submit(technician)
    url = f"{API}/experience/{record.pk}/employer-link"
    answers = []
    for i in range(1, EMPLOYER_LINK_PER_RECORD_PER_DAY + 1):
        with time_machine.travel(start + i * step, tick=False):
            answers.append(client.post(url).status_code)

    # then
    assert answers == [200] * (EMPLOYER_LINK_PER_RECORD_PER_DAY - 1) + [429]
    assert _mails() == EMPLOYER_LINK_PER_RECORD_PER_DAY
    with time_machine.travel(start + dt.timedelta(days=1, seconds=1), tick=False):
        assert client.post(url).status_code == 200
    assert _mails() == EMPLOYER_LINK_PER_RECORD_PER_DAY + 1


def test_a_candidate_mails_employers_at_most_so_often_a_day(client, candidate):
    """Once a candidate's daily number of employer mails is reached, a new record
    naming an employer is refused with 429 and nothing is written."""
    # given
    user, technician = candidate
    for n in range(EMPLOYER_LINK_PER_CANDIDATE_PER_DAY):
        _submit(technician, n)
    client.force_login(user)
    records = ExperienceRecord.objects.count()

    # when
    web = client.post(
        reverse("candidates:experience_add"),
        {
            "kind": "employment",
            "employer": "Another Garage",
            "employer_email": "owner@another.example",
            "start": ago(years=3).isoformat(),
            "end": ago(years=2).isoformat(),
            "hours": "full",
        },
    )
    api = client.post(
        f"{API}/experience",
        {
            "kind": "employment",
            "employer": "Another Garage",
            "employer_email": "owner@another.example",
            "start": ago(years=3).isoformat(),
            "end": ago(years=2).isoformat(),
        },
        content_type="application/json",
    )

    # then
    assert web.status_code == 429
    assert "the most we send in a day" in web.content.decode()
    assert api.status_code == 429
    assert "the most we send in a day" in api.json()["detail"]
    assert ExperienceRecord.objects.count() == records
    assert _mails() == EMPLOYER_LINK_PER_CANDIDATE_PER_DAY


def test_a_record_without_an_employer_address_is_not_throttled(client, candidate):
    """The cap is on mail: a record that mails no one is still accepted."""
    # given
    user, technician = candidate
    for n in range(EMPLOYER_LINK_PER_CANDIDATE_PER_DAY):
        _submit(technician, n)
    client.force_login(user)

    # when
    answer = client.post(
        f"{API}/experience",
        {
            "kind": "employment",
            "employer": "Another Garage",
            "start": ago(years=3).isoformat(),
            "end": ago(years=2).isoformat(),
        },
        content_type="application/json",
    )

    # then
    assert answer.status_code == 201
