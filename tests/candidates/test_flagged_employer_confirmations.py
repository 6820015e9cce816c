"""A confirmation from a free-mail address (the program's list) or from the
candidate's own e-mail domain is recorded but flagged: the record shows as
"flagged", not "confirmed", and staff's review queue says why."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from certwright.audit.models import Event
from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import (
    employer_link_token,
    experience_edit,
    experience_employer_respond,
    experience_submit,
)
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def _confirmed_by(technician: Any, address: str) -> ExperienceRecord:
    record = experience_submit(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=3),
        end=None,
        full_time=True,
        employer="Main Street Auto",
        employer_email=address,
    )
    return experience_employer_respond(
        token=employer_link_token(record), confirmed=True
    )


def test_a_confirmation_from_free_mail_is_flagged(client, candidate, staff_user):
    """gmail.com is on the program's list: the confirmation is kept, flagged
    free_mail, and the review queue shows the flag and the reason."""
    # given
    _user, technician = candidate

    # when
    record = _confirmed_by(technician, "mainstreet.boss@gmail.com")

    # then
    assert record.employer_confirmed_at is not None
    assert record.employer_status == "flagged"
    assert record.employer_flags == "free_mail"
    event = Event.objects.get(kind="experience.employer_confirmed")
    assert event.data["flags"] == ["free_mail"]
    client.force_login(staff_user)
    page = client.get(reverse("candidates:review_queue")).content.decode()
    assert "Flagged for review:" in page
    assert "free-mail address (gmail.com)" in page
    api = client.get(f"/api/candidates/experience/{record.pk}").json()
    assert api["employer_status"] == "flagged"
    assert api["employer_flags"] == ["free_mail"]


def test_a_confirmation_from_the_candidates_own_domain_is_flagged(
    client, make_candidate, staff_user
):
    """A colleague's address at the candidate's own domain is accepted, but what
    it confirms is flagged own_domain for staff."""
    # given
    _user, technician = make_candidate()
    technician.email = "pat@mainstreet-auto.example"
    technician.save(update_fields=["email"])

    # when
    record = _confirmed_by(technician, "boss@MainStreet-Auto.example")

    # then
    assert record.employer_status == "flagged"
    assert record.employer_flags == "own_domain"
    client.force_login(staff_user)
    page = client.get(
        reverse("candidates:experience_detail", args=[record.pk])
    ).content.decode()
    assert "candidate&#x27;s own e-mail domain (mainstreet-auto.example)" in page


def test_a_confirmation_from_the_employers_domain_is_not_flagged(candidate):
    """An address at the employer's own domain confirms as before."""
    # given
    _user, technician = candidate

    # when
    record = _confirmed_by(technician, "boss@mainstreet.example")

    # then
    assert record.employer_status == "confirmed"
    assert record.employer_flags == ""
    assert record.employer_flag_reasons == []


def test_a_correction_clears_the_flag_with_the_answer(candidate):
    """Changing what the employer confirmed drops the answer and its flag."""
    # given
    _user, technician = candidate
    record = _confirmed_by(technician, "boss@gmail.com")

    # when
    record = experience_edit(
        record_id=record.pk,
        kind="employment",
        start=ago(years=3),
        end=None,
        full_time=True,
        employer="Main Street Auto",
        employer_email="boss@mainstreet.example",
    )

    # then
    record.refresh_from_db()
    assert record.employer_flags == ""
    assert record.employer_status == "awaiting"
