"""A technician downloads everything held about them from their account page: one
ZIP with data.json (each app's part) and their PDFs; never an item or its key."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import Technician
from certwright.privacy.export import NOT_EXPORTED, personal_data_collect
from tests.support.privacy import EMAIL, NAME, account_of
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db


def _pointing_at_a_person() -> set[str]:
    """ "app.Model.field" for every field of every model that points at a
    technician or an account."""
    people = (Technician, get_user_model())
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in people
    }


def test_every_table_pointing_at_a_person_is_exported_or_excluded(
    person: Technician,
) -> None:
    exported = {
        label
        for part in personal_data_collect(person)["apps"].values()
        for label in part
    }
    forgotten = {
        name
        for name in _pointing_at_a_person()
        if name.rsplit(".", 1)[0] not in exported and name not in NOT_EXPORTED
    }
    assert not forgotten, (
        "export these in their app's personal_data, or add them to "
        f"privacy.export.NOT_EXPORTED with a reason: {sorted(forgotten)}"
    )
    # And the exclusions name real fields, each with a reason.
    assert set(NOT_EXPORTED) <= _pointing_at_a_person()
    assert all(reason.strip() for reason in NOT_EXPORTED.values())


def _download(client: Client) -> tuple[dict[str, Any], zipfile.ZipFile]:
    response = client.post(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return json.loads(archive.read("data.json")), archive


def test_the_account_page_offers_the_download_and_it_holds_everything(
    client: Client, person: Technician
) -> None:
    client.force_login(account_of(person))
    page = client.get(reverse("accounts:profile"))
    assert reverse("privacy:export") in page.content.decode()

    data, archive = _download(client)
    apps_ = data["apps"]
    assert data["certification_id"] == person.certification_id
    assert apps_["candidates"]["candidates.Technician"][0]["name"] == NAME
    assert apps_["accounts"]["auth.User"][0]["email"] == EMAIL
    assert "password" not in apps_["accounts"]["auth.User"][0]
    records = apps_["candidates"]["candidates.ExperienceRecord"]
    assert {r["employer"] for r in records} >= {"Main Street Garage"}
    assert apps_["credentials"]["credentials.Certification"]
    assert apps_["commerce"]["commerce.Order"]
    assert apps_["scheduling"]["scheduling.Appointment"]
    assert apps_["verification"]["verification.ShareLink"][0]["label"] == "for my boss"
    sent = apps_["notifications"]["notifications.OutboundEmail"]
    assert [e["subject"] for e in sent] == [f"Welcome, {NAME}"]
    assert apps_["audit"]["audit.Event"]

    # The attempt as the score report shows it: never the form, seed or answers.
    (attempt,) = apps_["delivery"]["delivery.Attempt"]
    assert attempt["raw_score"] is not None
    assert not {"form_id", "seed", "launch_code", "device_hash"} & set(attempt)
    assert "delivery.Response" not in json.dumps(data)
    assert '"key"' not in json.dumps(data)

    names = archive.namelist()
    assert any(n.startswith("score-reports/") for n in names)
    assert "certificates/certificate.pdf" in names
    assert "certificates/wallet-card.pdf" in names
    assert any(n.startswith("invoices/") for n in names)
    (document,) = [n for n in names if n.startswith("experience-documents/")]
    assert archive.read(document).startswith(b"%PDF")
    for name in names:
        if name.endswith(".pdf"):
            assert archive.read(name).startswith(b"%PDF"), name

    assert Event.objects.filter(
        kind=EventKind.PERSONAL_DATA_EXPORTED, technician_id=person.pk
    ).exists()


def test_only_a_signed_in_technician_downloads_and_only_by_post(
    client: Client, person: Technician
) -> None:
    url = reverse("privacy:export")
    assert client.post(url).status_code == 302  # to the sign-in page
    client.force_login(user_create())
    assert client.post(url).status_code == 403  # an account without a technician
    client.force_login(account_of(person))
    assert client.get(url).status_code == 405
