"""Program staff erase a person at their request (``person_erase``, the admin's
action, ``certwright erase_person``): the personal data goes, the facts stay under
a pseudonym, the derived state does not move, and bad input changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from certwright.accounts.models import ShareGrant
from certwright.audit.models import Event, EventKind
from certwright.audit.services import event_record, events_pseudonymise
from certwright.candidates.models import ExperienceDocument, Technician
from certwright.certificates.models import CertificateFile, DocumentKind
from certwright.certificates.services import certificate_file_get
from certwright.commerce.models import Order
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.models import Certification, TestResult, TitleHolding
from certwright.credentials.recompute import technician_recompute
from certwright.delivery.models import Attempt
from certwright.notifications.models import OutboundEmail
from certwright.privacy.services import person_erase
from certwright.verification.models import ShareLink
from certwright.verification.selectors import lookup_answer
from tests.support.privacy import EMAIL, FAMILY, NAME, account_of
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db


def _derived(technician: Technician) -> list[Any]:
    certs = Certification.objects.filter(technician_id=technician.pk)
    titles = TitleHolding.objects.filter(technician_id=technician.pk)
    return [
        sorted(
            certs.values_list(
                "test", "status", "passed_on", "certified_on", "expires_on"
            )
        ),
        sorted(titles.values_list("title_id", "held", "since", "until")),
    ]


def _lookup(technician: Technician, last_name: str) -> Any:
    return lookup_answer(
        technician.certification_id, last_name, program=current_program(), on=today()
    )


def _staff() -> Any:
    return user_create(is_staff=True, is_superuser=True)


def _everything_personal(technician: Technician) -> str:
    """Every text the database still holds about the technician, as one string."""
    rows: list[Any] = [
        list(Technician.objects.filter(pk=technician.pk).values()),
        list(get_user_model().objects.filter(pk=account_of(technician).pk).values()),
        list(Event.objects.filter(technician_id=technician.pk).values()),
        list(Event.objects.filter(actor_id=technician.user_id).values()),
        list(OutboundEmail.objects.values("to", "subject", "text_body", "html_body")),
        list(technician.experience_records.values()),
    ]
    return json.dumps(rows, default=str).lower()


def test_erasure_removes_the_person_and_keeps_the_facts(
    person: Technician, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    signed_in = Client()
    signed_in.force_login(account_of(person))
    assert signed_in.get(reverse("accounts:profile")).status_code == 200
    assert certificate_file_get(technician=person, kind=DocumentKind.CERTIFICATE)
    (stored,) = ExperienceDocument.objects.filter(record__technician=person)
    stored_path = Path(stored.file.path)
    assert stored_path.exists()
    assert _lookup(person, FAMILY) is not None
    technician_recompute(technician_id=person.pk)
    derived = _derived(person)
    assert derived[0], "the person holds a certification"
    kept = (
        TestResult.objects.filter(technician=person).count(),
        Attempt.objects.filter(technician=person).count(),
        Order.objects.filter(technician=person).count(),
    )
    user_id = account_of(person).pk

    staff = _staff()
    # The files go once the erasure commits.
    with django_capture_on_commit_callbacks(execute=True):
        pseudonym = person_erase(person, reason="their request of 6 Dec", actor=staff)

    person.refresh_from_db()
    assert person.name == person.family_name == pseudonym
    assert person.email == ""
    user = get_user_model().objects.get(pk=user_id)
    assert (user.username, user.email, user.is_active) == (pseudonym, "", False)
    assert not user.has_usable_password()
    # Signed out everywhere, and no way back in.
    assert not Session.objects.exists()
    assert signed_in.get(reverse("accounts:profile")).status_code == 302
    # Share links revoked, documents and name-bearing PDFs gone.
    assert not ShareLink.objects.filter(technician=person, revoked_at=None).exists()
    assert not ShareGrant.objects.filter(technician=person, revoked_at=None).exists()
    assert not ExperienceDocument.objects.filter(record__technician=person).exists()
    assert not stored_path.exists()
    assert not CertificateFile.objects.filter(technician=person).exists()
    # Nothing the database holds about them names them any more.
    text = _everything_personal(person)
    for word in (NAME, FAMILY, EMAIL, "boss@garage.example"):
        assert word.lower() not in text, word
    # The public lookup no longer finds them by their old last name.
    assert _lookup(person, FAMILY) is None
    # The facts stay, and the derived state does not move.
    assert kept == (
        TestResult.objects.filter(technician=person).count(),
        Attempt.objects.filter(technician=person).count(),
        Order.objects.filter(technician=person).count(),
    )
    assert technician_recompute(technician_id=person.pk) is False
    assert _derived(person) == derived
    # The one event, which names no one.
    (event,) = Event.objects.filter(technician=person, kind=EventKind.PERSON_ERASED)
    assert event.reason == "their request of 6 Dec"
    assert event.data["pseudonym"] == pseudonym
    assert event.data["removed"]["experience_documents_deleted"] == 1
    for word in (NAME, FAMILY, EMAIL):
        assert word.lower() not in json.dumps(event.data).lower()


def test_the_employers_other_mail_is_left_alone(person: Technician) -> None:
    """The employer the person named loses the confirmation e-mail about them, not
    the mail about someone else; their address goes from the person's events."""
    # As experience_employer_link_send writes them (it sends after the commit).
    about_them, other = (
        OutboundEmail.objects.create(
            to=["boss@garage.example"],
            subject="Please confirm an experience record",
            template="experience_employer_confirm",
            text_body=f"{who} says they worked for you.",
            status="sent",
        )
        for who in (NAME, "Robin Other")
    )

    pseudonym = person_erase(person, reason="their request", actor="test")

    about_them.refresh_from_db()
    assert about_them.to == [f"employer-of-{pseudonym}"]
    assert about_them.text_body == ""
    other.refresh_from_db()
    assert other.to == ["boss@garage.example"]
    assert other.text_body == "Robin Other says they worked for you."
    events = json.dumps(list(Event.objects.filter(technician=person).values("data")))
    assert "boss@garage.example" not in events
    assert f"employer-of-{pseudonym}" in events


def _snapshot(technician: Technician) -> Any:
    return (
        list(Technician.objects.filter(pk=technician.pk).values()),
        list(get_user_model().objects.filter(pk=account_of(technician).pk).values()),
        list(ShareLink.objects.filter(technician=technician).values()),
        list(ExperienceDocument.objects.values("id", "file")),
        list(OutboundEmail.objects.values()),
        Event.objects.count(),
        Session.objects.count(),
    )


def test_bad_input_is_refused_and_changes_nothing(person: Technician) -> None:
    Client().force_login(account_of(person))
    before = _snapshot(person)
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="reason"):
            person_erase(person, reason=reason, actor="test")
    with pytest.raises(ValidationError, match="reason"):
        person_erase(person, reason="x" * 501, actor="test")
    assert _snapshot(person) == before

    person_erase(person, reason="their request", actor="test")
    after = _snapshot(person)
    with pytest.raises(ValidationError, match="already erased"):
        person_erase(person, reason="their request again", actor="test")
    assert _snapshot(person) == after


def test_the_command_erases_and_refuses_bad_input(person: Technician) -> None:
    before = _snapshot(person)
    with pytest.raises(CommandError, match="no technician"):
        call_command("erase_person", "CW-NOSUCH1", "--reason", "request")
    with pytest.raises(CommandError, match="reason"):
        call_command("erase_person", person.certification_id, "--reason", " ")
    assert _snapshot(person) == before

    call_command("erase_person", person.certification_id, "--reason", "request")
    person.refresh_from_db()
    assert person.name.startswith("erased-")
    with pytest.raises(CommandError, match="already erased"):
        call_command("erase_person", person.certification_id, "--reason", "request")


def test_the_admin_action_asks_for_the_reason_first(
    admin_client: Client, person: Technician
) -> None:
    client = admin_client
    url = reverse("admin:candidates_technician_changelist")
    chosen = {"action": "erase_person", "_selected_action": [person.pk]}
    page = client.post(url, chosen)
    assert page.status_code == 200
    assert "Reason" in page.content.decode()
    person.refresh_from_db()
    assert person.name == NAME  # nothing yet

    refused = client.post(url, {**chosen, "post": "yes", "reason": " "})
    # The reason page again, saying what is missing.
    assert refused.status_code == 200
    assert "Say why the person is erased" in refused.content.decode()
    person.refresh_from_db()
    assert person.name == NAME

    done = client.post(url, {**chosen, "post": "yes", "reason": "their request"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.name.startswith("erased-")
    assert Event.objects.filter(
        technician=person, kind=EventKind.PERSON_ERASED
    ).exists()


def test_a_short_name_is_replaced_only_as_a_whole_word(person: Technician) -> None:
    """The events' other words keep their letters: "Al" goes, "approval" stays."""
    event_record(
        kind=EventKind.SHARE_LINK_CREATED,
        subject="share_link:1",
        technician_id=person.pk,
        data={"label": "For Al's approval, al.smith@example.com"},
    )
    events_pseudonymise(
        technician_id=person.pk,
        user_id=None,
        replacements={"Al": "P-1", "al.smith@example.com": "P-1"},
    )
    event = Event.objects.filter(
        technician_id=person.pk, kind=EventKind.SHARE_LINK_CREATED
    ).latest("pk")
    assert event.data["label"] == "For P-1's approval, P-1"
