"""Adding experience on /experience/: a good record is stored unapproved with its
documents and the employer is asked to confirm; bad dates, overlaps and bad files
are refused with a clear message and nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certwright.audit.models import Event
from certwright.candidates.models import ExperienceDocument, ExperienceRecord
from certwright.candidates.services import experience_record_add
from certwright.core.clock import today
from tests.support.candidates import PNG, pdf
from tests.support.dates import ago

pytestmark = pytest.mark.django_db

URL = reverse("candidates:experience_add")


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "employment",
        "employer": "Main Street Auto",
        "role": "technician",
        "employer_email": "boss@mainstreet.example",
        "start": ago(years=3).isoformat(),
        "end": ago(months=1).isoformat(),
        "hours": "full",
        "note": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _nothing_written(media: Path) -> None:
    assert not ExperienceRecord.objects.exists()
    assert not ExperienceDocument.objects.exists()
    assert not Event.objects.filter(kind__startswith="fact.").exists()
    assert mail.outbox == []
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_record_with_documents_is_saved_for_review_and_the_employer_is_asked(
    client, candidate, settings, django_capture_on_commit_callbacks
):
    """The record is stored unapproved, its PDF and PNG kept under MEDIA_ROOT, the
    employer gets a link, and the list shows it as awaiting review."""
    # given
    user, technician = candidate
    client.force_login(user)
    files = [pdf(), SimpleUploadedFile("letter.png", PNG, content_type="image/png")]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**_form(kind="degree"), "documents": files})

    # then
    assert response.status_code == 302
    record = ExperienceRecord.objects.get()
    assert record.technician_id == technician.pk
    assert record.kind == "degree"
    assert not record.approved
    assert record.employer_email == "boss@mainstreet.example"
    assert record.employer_link_sent_at is not None
    docs = list(record.documents.order_by("id"))
    assert [(d.original_name, d.content_type) for d in docs] == [
        ("diploma.pdf", "application/pdf"),
        ("letter.png", "image/png"),
    ]
    assert all((Path(settings.MEDIA_ROOT) / d.file.name).is_file() for d in docs)
    # A stored name is random, never the candidate's.
    assert "diploma" not in docs[0].file.name
    [message] = mail.outbox
    assert message.to == ["boss@mainstreet.example"]
    assert "/experience/confirm/" in message.body
    page = client.get(reverse("candidates:experience_list"))
    assert "Main Street Auto" in page.content.decode()
    assert "Awaiting review" in page.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"start": "2021-05-01", "end": "2021-04-30"},
            "the end (2021-04-30) is before the start (2021-05-01)",
        ),
        (
            {"start": (today() + dt.timedelta(days=3)).isoformat(), "end": None},
            "is in the future",
        ),
        ({"start": "1949-12-31"}, "1949-12-31 is before 1950-01-01"),
        ({"start": "2021-02-30"}, "Enter a valid date"),
        ({"kind": "hobby"}, "Select a valid choice"),
    ],
)
def test_impossible_dates_are_refused_and_nothing_is_written(
    client, candidate, settings, django_capture_on_commit_callbacks, change, message
):
    """Each bad date comes back on the form with a clear message; no record, no
    document, no event, no e-mail."""
    # given
    client.force_login(candidate[0])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**_form(**change), "documents": [pdf()]})

    # then
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    _nothing_written(Path(settings.MEDIA_ROOT))


def test_overlapping_experience_of_the_same_kind_is_refused(
    client, candidate, settings, django_capture_on_commit_callbacks
):
    """A second employment covering days already covered by another employment is
    refused, naming the other record; nothing more is written."""
    # given
    user, technician = candidate
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=4),
        end=ago(years=2),
        employer="Quick Lube",
    )
    client.force_login(user)
    before = Event.objects.count()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**_form(start=ago(years=3).isoformat())})

    # then
    assert response.status_code == 400
    text = response.content.decode()
    assert "overlap your employment record (Quick Lube)" in text
    assert ExperienceRecord.objects.count() == 1
    assert Event.objects.count() == before
    assert mail.outbox == []


def test_a_different_kind_may_share_the_same_days(
    client, candidate, django_capture_on_commit_callbacks
):
    """Training during employment is not an overlap: only the same kind clashes."""
    # given
    user, technician = candidate
    experience_record_add(
        technician_id=technician.pk, kind="employment", start=ago(years=4)
    )
    client.force_login(user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _form(kind="training", employer_email=""))

    # then
    assert response.status_code == 302
    assert ExperienceRecord.objects.count() == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("notes.txt", b"hello", content_type="application/pdf"),
            "notes.txt is not a PDF, JPEG or PNG file.",
        ),
        (
            SimpleUploadedFile(
                "huge.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf"
            ),
            "huge.pdf is larger than 10 MB.",
        ),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    client, candidate, settings, django_capture_on_commit_callbacks, upload, message
):
    """A file that is not really a PDF, JPEG or PNG (whatever its name or declared
    type), or one over 10 MB, is refused with the record it came with."""
    # given
    client.force_login(candidate[0])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**_form(), "documents": [pdf(), upload]})

    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    _nothing_written(Path(settings.MEDIA_ROOT))


def test_signed_out_visitors_are_sent_to_sign_in(client):
    """The experience pages need an account."""
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]
