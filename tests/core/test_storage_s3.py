"""Uploads on S3-compatible storage (CERTWRIGHT_STORAGE=s3) against a real server
on loopback (moto in server mode, its own process): an experience document
uploaded through the page lands in the bucket, never on the local disk, and is
streamed back to its owner and nobody else; an item image in the bucket reaches
only its attempt; /api/ready writes to the bucket, and fails when the server is
gone. On SQLite and on PostgreSQL alike (the database only holds the names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from certwright.candidates.models import ExperienceDocument
from certwright.delivery.views import SEAT_COOKIE
from tests.support.candidates import PDF, PNG, pdf
from tests.support.dates import ago
from tests.support.delivery import SEATS, form_items
from tests.support.s3 import BUCKET, S3Server
from tests.support.scheduling import user_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _nothing_on_disk() -> None:
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def _private(server: S3Server, key: str) -> bool:
    grants = server.client().get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    return not any(g["Grantee"].get("URI") in PUBLIC_GROUPS for g in grants)


def test_an_uploaded_document_is_kept_in_the_bucket_and_streamed_to_its_owner_only(
    s3_storage: S3Server, candidate: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: the candidate adds a degree with its diploma through the page
    client = Client()
    client.force_login(candidate.user)
    form = {
        "kind": "degree",
        "employer": "Lakeside Technical College",
        "role": "technician",
        "employer_email": "",
        "start": ago(years=3).isoformat(),
        "end": ago(months=1).isoformat(),
        "hours": "full",
        "note": "",
        "documents": [pdf()],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidates:experience_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]

    # then: the file is an object in the bucket, private, and not on this host
    document = ExperienceDocument.objects.get()
    assert s3_storage.keys() == [document.file.name]
    assert s3_storage.read(document.file.name) == PDF
    assert _private(s3_storage, document.file.name)
    _nothing_on_disk()

    # when: the owner downloads it, then another candidate tries
    url = reverse("candidates:document_download", args=[document.pk])
    mine = client.get(url)
    stranger = Client()
    stranger.force_login(user_create("stranger@example.com"))
    theirs = stranger.get(url)

    # then: the app streams it to the owner, with its headers; the stranger gets 404
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == PDF  # type: ignore[attr-defined]
    assert mine["Content-Type"] == "application/pdf"
    assert mine["Cache-Control"] == "private, no-store"
    assert "diploma.pdf" in mine["Content-Disposition"]
    assert theirs.status_code == 404


def test_an_item_image_in_the_bucket_reaches_its_attempt_only(
    s3_storage: S3Server, started: Any, candidate: Any
) -> None:
    # given: an item on the attempt's form has an image, stored in the bucket
    item = form_items(started)["A1-002"]
    item.item_version.image.save("a1-002.png", ContentFile(PNG), save=True)
    name = item.item_version.image.name
    assert s3_storage.keys() == [name]
    _nothing_on_disk()
    url = reverse("delivery:image", args=[started.pk, item.pk])

    # when: the candidate's workstation asks for it, then another account
    seat = Client()
    seat.force_login(candidate.user)
    seat.cookies[SEAT_COOKIE.format(attempt_id=started.pk)] = SEATS[started.pk]
    shown = seat.get(url)
    stranger = Client()
    stranger.force_login(user_create("stranger@example.com"))

    # then
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == PNG  # type: ignore[attr-defined]
    assert shown["Content-Type"] == "image/png"
    assert stranger.get(url).status_code == 404


def test_readiness_writes_to_the_bucket_and_fails_when_the_server_is_gone(
    s3_storage: S3Server, client: Client
) -> None:
    # when: the storage answers
    response = client.get("/api/ready")
    # then: ready, and the probe object is gone again
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["storage"] == {"status": "ok", "detail": ""}
    assert s3_storage.keys() == []

    # when: the S3 server stops
    s3_storage.stop()
    response = client.get("/api/ready")

    # then: not ready, because of storage alone; nothing about the endpoint leaks
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"]["status"] == "failed"
    assert body["checks"]["storage"]["detail"] == "EndpointConnectionError"
    assert body["checks"]["database"]["status"] == "ok"
    assert str(s3_storage.port) not in response.content.decode()
