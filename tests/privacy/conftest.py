"""A technician with something in every app that holds personal data: an account
signed in, a scored exam, a certification in force, an order, an uploaded
document, a share link, an e-mail sent to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from certwright.candidates.ids import certification_id_new
from certwright.candidates.models import Technician
from certwright.candidates.services import (
    experience_document_add,
    experience_record_add,
    technician_update,
)
from certwright.credentials.recompute import technician_recompute
from certwright.delivery.attempts import attempt_submit
from certwright.delivery.models import Attempt
from certwright.notifications.models import OutboundEmail
from certwright.verification.services import share_link_create
from tests.support.candidates import pdf
from tests.support.certificates import pass_record
from tests.support.dates import ago
from tests.support.delivery import KEYS, SEATS, form_items, save
from tests.support.privacy import EMAIL, FAMILY, NAME
from tests.support.scheduling import lines_buy


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def scored(started: Attempt, candidate: Technician) -> Attempt:
    items = form_items(started)
    for seq, code in enumerate(["A1-001", "A1-002", "A1-003"], start=1):
        save(started, items[code], seq=seq, choice=KEYS[code])
    return attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )


@pytest.fixture
def person(candidate: Technician, scored: Attempt, media: Path) -> Technician:
    user = candidate.user
    assert user is not None
    user.email = EMAIL
    user.username = EMAIL
    user.first_name, user.last_name = "Casey", FAMILY
    user.save()
    # A real ID (the scheduling fixture's is not one), for the public lookup.
    Technician.objects.filter(pk=candidate.pk).update(
        certification_id=certification_id_new()
    )
    technician_update(
        technician_id=candidate.pk, name=NAME, family_name=FAMILY, email=EMAIL
    )
    experience_record_add(
        technician_id=candidate.pk, kind="employment", start=ago(years=10),
        approved=True,
    )  # fmt: skip
    record = experience_record_add(
        technician_id=candidate.pk,
        kind="employment",
        start=ago(years=1),
        employer="Main Street Garage",
        employer_email="boss@garage.example",
        note="Night shifts with Casey's uncle",
    )
    experience_document_add(record_id=record.pk, upload=pdf(), actor=user)
    pass_record(candidate, "A4")
    technician_recompute(technician_id=candidate.pk)
    share_link_create(technician_id=candidate.pk, label="for my boss")
    lines_buy(candidate, "A5")
    OutboundEmail.objects.create(
        to=[EMAIL],
        subject=f"Welcome, {NAME}",
        template="test",
        text_body=f"Dear {NAME}, your ID is {candidate.certification_id}.",
        status="sent",
    )
    return Technician.objects.get(pk=candidate.pk)
