"""The employer's name (and the role) reach the employer as plain text: a web
address, domain or e-mail address in them is refused on the web and in the API
with a clear message, and a mail for a record that holds one anyway shows it
broken, never as something a mail client turns into a link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from certwright.audit.models import Event
from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import (
    experience_employer_link_send,
    experience_record_add,
)
from certwright.notifications.models import OutboundEmail
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

PHISH = "Your bank: verify your account at http://evil.example/login"


@pytest.mark.parametrize(
    "name", [PHISH, "evil.example", "www.evil.com", "pay@evil.example"]
)
def test_a_link_in_the_employer_name_is_refused_on_the_web(client, candidate, name):
    """The form shows why on the employer field; no record, event or mail."""
    # given
    user, _technician = candidate
    client.force_login(user)

    # when
    answer = client.post(
        reverse("candidates:experience_add"),
        {
            "kind": "employment",
            "employer": name,
            "employer_email": "victim@bank.example",
            "start": ago(years=3).isoformat(),
            "hours": "full",
        },
    )

    # then
    assert answer.status_code == 400
    assert "without a web address, domain or e-mail address" in (
        " ".join(answer.context["form"].errors["employer"])
    )
    assert not ExperienceRecord.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not Event.objects.filter(kind__startswith="fact.").exists()


def test_a_link_in_the_role_is_refused_in_the_api(client, candidate):
    """The API refuses a link in the role the same way, by field."""
    # given
    user, _technician = candidate
    client.force_login(user)

    # when
    answer = client.post(
        "/api/candidates/experience",
        {
            "kind": "employment",
            "employer": "Main Street Auto",
            "role": "see https://evil.example",
            "employer_email": "boss@mainstreet.example",
            "start": ago(years=3).isoformat(),
        },
        content_type="application/json",
    )

    # then
    assert answer.status_code == 400
    assert "role" in {e["field"] for e in answer.json()["errors"]}
    assert not ExperienceRecord.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_ordinary_names_with_dots_are_accepted(client, candidate):
    """Abbreviations are names, not links: "J.D. Byrider, Inc." and "A.A.S."."""
    # given
    user, _technician = candidate
    client.force_login(user)

    # when
    answer = client.post(
        "/api/candidates/experience",
        {
            "kind": "employment",
            "employer": "J.D. Byrider, Inc.",
            "role": "A.A.S. Automotive",
            "employer_email": "boss@byrider.example",
            "start": ago(years=3).isoformat(),
        },
        content_type="application/json",
    )

    # then
    assert answer.status_code == 201


def test_a_stored_link_like_name_is_mailed_broken(candidate):
    """A record holding a link-like employer name and technician name (stored
    before the check, or by staff) mails them broken: no "http://", no bare
    domain, and no link in the HTML but the confirmation button."""
    # given
    _user, technician = candidate
    technician.name = "Visit www.evil.example now"
    technician.save(update_fields=["name"])
    record = experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=3),
        employer=PHISH,
        role="evil.example",
        employer_email="victim@bank.example",
    )

    # when
    experience_employer_link_send(record_id=record.pk)

    # then
    email = OutboundEmail.objects.get(template="experience_employer_confirm")
    for part in (email.subject, email.text_body, email.html_body):
        assert "evil.example" not in part
        assert "http://evil" not in part
    assert "http[:]//evil[.]example/login" in email.text_body
    assert "www[.]evil[.]example" in email.subject
    links = re.findall(r'href="([^"]+)"', email.html_body)
    assert links
    assert all("evil" not in link for link in links)
