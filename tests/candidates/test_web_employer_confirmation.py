"""The employer's confirmation link: a valid link records the answer with an audit
event; a tampered, expired or outdated link is refused and records nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from certwright.audit.models import Event
from certwright.candidates.models import ExperienceRecord
from certwright.candidates.services import (
    employer_link_token,
    experience_edit,
    experience_submit,
)
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(candidate: Any, django_capture_on_commit_callbacks: Any) -> ExperienceRecord:
    _user, technician = candidate
    with django_capture_on_commit_callbacks(execute=True):
        return experience_submit(
            technician_id=technician.pk,
            kind="employment",
            start=ago(years=3),
            end=None,
            full_time=True,
            employer="Main Street Auto",
            employer_email="boss@mainstreet.example",
        )


def _link_from_mail() -> str:
    [message] = mail.outbox
    found = re.search(r"https?://\S+/experience/confirm/(\S+)/", str(message.body))
    assert found is not None
    return reverse("candidates:employer_confirm", args=[found.group(1)])


def test_the_employer_confirms_through_the_emailed_link(client, record):
    """The link in the e-mail opens the record; confirming stamps it and writes an
    event naming the employer."""
    # given
    url = _link_from_mail()
    page = client.get(url)
    assert page.status_code == 200
    assert "Main Street Auto" in page.content.decode()

    # when
    response = client.post(url, {"answer": "confirm", "note": ""})

    # then
    assert response.status_code == 200
    assert "You confirmed" in response.content.decode()
    record.refresh_from_db()
    assert record.employer_confirmed_at is not None
    assert record.employer_status == "confirmed"
    event = Event.objects.get(kind="experience.employer_confirmed")
    assert event.actor_label == "employer:boss@mainstreet.example"
    assert event.technician_id == record.technician_id


def test_a_dispute_needs_a_note_and_is_recorded(client, record):
    """Disputing without saying what is wrong is refused; with a note it is kept."""
    # given
    url = reverse("candidates:employer_confirm", args=[employer_link_token(record)])

    # when
    refused = client.post(url, {"answer": "dispute", "note": ""})
    accepted = client.post(url, {"answer": "dispute", "note": "He left in 2023."})

    # then
    assert refused.status_code == 400
    assert "say what is wrong" in refused.content.decode()
    assert accepted.status_code == 200
    record.refresh_from_db()
    assert record.employer_status == "disputed"
    assert record.employer_response == "He left in 2023."
    assert Event.objects.filter(kind="experience.employer_disputed").count() == 1


def test_a_second_answer_is_refused(client, record):
    """The first answer stands; the page says it was already answered."""
    # given
    url = reverse("candidates:employer_confirm", args=[employer_link_token(record)])
    client.post(url, {"answer": "confirm"})

    # when
    again = client.post(url, {"answer": "dispute", "note": "changed my mind"})

    # then
    assert "already answered" in again.content.decode()
    record.refresh_from_db()
    assert record.employer_status == "confirmed"


def test_a_tampered_link_is_refused(client, record):
    """Changing a character of the token (or pointing it at another record) fails
    the signature check: 400, nothing recorded."""
    # given
    token = employer_link_token(record)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    # when
    get = client.get(reverse("candidates:employer_confirm", args=[tampered]))
    post = client.post(
        reverse("candidates:employer_confirm", args=[tampered]), {"answer": "confirm"}
    )
    garbage = client.get(reverse("candidates:employer_confirm", args=["not-a-token"]))

    # then
    assert get.status_code == post.status_code == garbage.status_code == 400
    assert "not valid" in get.content.decode()
    record.refresh_from_db()
    assert record.employer_confirmed_at is None


def test_an_expired_link_is_refused(client, record, settings):
    """After CERTWRIGHT_EMPLOYER_LINK_DAYS the link answers 410 and records nothing."""
    # given
    settings.CERTWRIGHT_EMPLOYER_LINK_DAYS = 30
    url = reverse("candidates:employer_confirm", args=[employer_link_token(record)])

    # when
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=31)
    with time_machine.travel(later, tick=False):
        response = client.post(url, {"answer": "confirm"})

    # then
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    record.refresh_from_db()
    assert record.employer_confirmed_at is None


def test_a_link_to_content_changed_since_is_refused(client, record):
    """A link sent before the candidate changed the dates no longer works."""
    # given
    old = reverse("candidates:employer_confirm", args=[employer_link_token(record)])
    experience_edit(
        record_id=record.pk,
        kind="employment",
        start=ago(years=2),
        end=None,
        full_time=True,
        employer="Main Street Auto",
        employer_email="boss@mainstreet.example",
    )

    # when
    response = client.post(old, {"answer": "confirm"})

    # then
    assert response.status_code == 410
    assert "changed this record" in response.content.decode()
    record.refresh_from_db()
    assert record.employer_confirmed_at is None
