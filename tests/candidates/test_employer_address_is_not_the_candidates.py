"""A candidate cannot name one of their own e-mail addresses as the employer's (any
address on their account, however spelled), so they cannot confirm their own
experience; the refusal says why and nothing is written or mailed."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import experience_submit
from certwright.notifications.models import OutboundEmail
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def secondary(candidate):
    user, _technician = candidate
    EmailAddress.objects.create(user=user, email="Pat.Home@Mail.example")
    return "Pat.Home@Mail.example"


@pytest.mark.parametrize(
    "address",
    [
        "cand1@example.com",  # the account's and the record's address
        "CAND1@EXAMPLE.COM",
        "cand1@Example.COM",  # a domain's case is no difference
        "cand1+boss@example.com",  # a +tag reaches the same mailbox
        "pat.home@mail.example",  # an address added to the account
    ],
)
def test_my_own_address_is_refused_as_the_employers_on_the_web(
    client, candidate, secondary, address
):
    """The employer's e-mail field says it is the candidate's own address."""
    # given
    user, _technician = candidate
    client.force_login(user)

    # when
    answer = client.post(
        reverse("candidates:experience_add"),
        {
            "kind": "employment",
            "employer": "Main Street Auto",
            "employer_email": address,
            "start": ago(years=3).isoformat(),
            "hours": "full",
        },
    )

    # then
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert "one of your own e-mail addresses" in " ".join(errors["employer_email"])
    assert not ExperienceRecord.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_my_own_address_is_refused_when_correcting_through_the_api(
    client, candidate, secondary
):
    """Changing a record's employer address to the candidate's own is refused
    with 400 on the field; the record keeps its address."""
    # given
    user, technician = candidate
    record = experience_submit(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=3),
        end=None,
        full_time=True,
        employer="Main Street Auto",
        employer_email="boss@mainstreet.example",
    )
    client.force_login(user)

    # when
    answer = client.put(
        f"/api/candidates/experience/{record.pk}",
        {
            "kind": "employment",
            "start": ago(years=3).isoformat(),
            "employer": "Main Street Auto",
            "employer_email": secondary.upper(),
            "revision": record.revision,
        },
        content_type="application/json",
    )

    # then
    assert answer.status_code == 400
    assert "employer_email" in {e["field"] for e in answer.json()["errors"]}
    record.refresh_from_db()
    assert record.employer_email == "boss@mainstreet.example"
    assert OutboundEmail.objects.count() == 1  # the submission's link only


def test_a_colleague_at_the_same_domain_is_accepted(client, candidate):
    """Another address at the candidate's domain is someone else's: accepted
    (a confirmation from it is flagged for staff instead)."""
    # given
    user, _technician = candidate
    client.force_login(user)

    # when
    answer = client.post(
        "/api/candidates/experience",
        {
            "kind": "employment",
            "employer": "Example Motors",
            "employer_email": "boss@example.com",
            "start": ago(years=3).isoformat(),
        },
        content_type="application/json",
    )

    # then
    assert answer.status_code == 201
