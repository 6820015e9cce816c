"""Program staff's review queue: approving makes a pending pass a certification and
e-mails the candidate; rejecting records the reason and e-mails it; nobody else can
see the queue or decide."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from certwright.audit.models import Event
from certwright.candidates.models import ExperienceRecord
from certwright.credentials.models import Certification
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_the_queue_lists_waiting_records_for_staff(client, staff_user, waiting):
    """Staff see the technician, the record, its documents and the two decisions."""
    client.force_login(staff_user)
    response = client.get(reverse("candidates:review_queue"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Pat Candidate" in text
    assert "Harbor Marine &amp; Auto" in text
    assert "letter.pdf" in text
    assert reverse("candidates:review_approve", args=[waiting.pk]) in text


def test_approval_turns_the_pending_pass_into_a_certification_and_tells_the_candidate(
    client, staff_user, waiting, django_capture_on_commit_callbacks
):
    """Approving is a fact for the core: A1 is certified without anyone touching it,
    and the candidate gets the approval and the certification e-mails."""
    # given
    client.force_login(staff_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidates:review_approve", args=[waiting.pk]))

    # then
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.approved
    assert waiting.approved_by_id == staff_user.pk
    certification = Certification.objects.get(technician_id=waiting.technician_id)
    assert certification.status == "certified"
    assert certification.certified_on == ago(months=2)
    subjects = [(m.to, m.subject) for m in mail.outbox]
    assert subjects == [
        (["cand1@example.com"], "Your work experience was approved"),
        (["cand1@example.com"], "You are now certified in A1"),
    ]
    assert "A1" in mail.outbox[1].body
    assert Event.objects.filter(
        kind="certification.changed", technician_id=waiting.technician_id
    ).exists()
    assert not client.get(reverse("candidates:review_queue")).context["records"]


def test_rejection_records_the_reason_and_tells_the_candidate(
    client, staff_user, waiting, django_capture_on_commit_callbacks
):
    """The record stays unapproved with the reason and an event; A1 stays pending."""
    # given
    client.force_login(staff_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("candidates:review_reject", args=[waiting.pk]),
            {"reason": "The letter is not signed."},
        )

    # then
    waiting.refresh_from_db()
    assert not waiting.approved
    assert waiting.review_status == "rejected"
    assert waiting.rejection_reason == "The letter is not signed."
    assert waiting.rejected_by_id == staff_user.pk
    event = Event.objects.get(kind="experience.rejected")
    assert "not signed" in event.reason
    [message] = mail.outbox
    assert "The letter is not signed." in message.body
    assert Certification.objects.get(technician_id=waiting.technician_id).status == (
        "pending_experience"
    )


def test_a_rejection_without_a_reason_is_refused(client, staff_user, waiting):
    """No reason, no decision."""
    client.force_login(staff_user)
    client.post(reverse("candidates:review_reject", args=[waiting.pk]), {"reason": " "})
    waiting.refresh_from_db()
    assert waiting.review_status == "pending"


def test_candidates_cannot_see_the_queue_or_decide(client, make_candidate, waiting):
    """Another candidate (and the owner too) gets 403 on the queue and the decision
    endpoints; nothing changes."""
    # given
    owner = waiting.technician.user
    other_user, _ = make_candidate()

    for user in (owner, other_user):
        client.force_login(user)
        # when / then
        assert client.get(reverse("candidates:review_queue")).status_code == 403
        approve = reverse("candidates:review_approve", args=[waiting.pk])
        assert client.post(approve).status_code == 403
        reject = reverse("candidates:review_reject", args=[waiting.pk])
        assert client.post(reject, {"reason": "x"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.review_status == "pending"


def test_documents_are_served_to_the_owner_and_staff_only(
    client, staff_user, make_candidate, waiting
):
    """The owner and staff download the file; another candidate gets 404 and a
    signed-out visitor is sent to sign in."""
    # given
    document = waiting.documents.get()
    url = reverse("candidates:document_download", args=[document.pk])
    other_user, _ = make_candidate()

    # when / then
    assert client.get(url).status_code == 302
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    for user in (waiting.technician.user, staff_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_staff_can_open_any_record_but_not_edit_it(client, staff_user, waiting):
    """Staff read every record (to decide) but only its owner edits it."""
    client.force_login(staff_user)
    detail = client.get(reverse("candidates:experience_detail", args=[waiting.pk]))
    assert detail.status_code == 200
    assert "Approve" in detail.content.decode()
    edit = client.get(reverse("candidates:experience_edit", args=[waiting.pk]))
    assert edit.status_code == 403
    assert ExperienceRecord.objects.get(pk=waiting.pk).revision == 1
