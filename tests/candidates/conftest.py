"""Fixtures for the experience pages and API: candidates with accounts, program
staff with a second factor (staff must have one before any page opens)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_submit, technician_create
from certwright.core.roles import Role, role_add
from certwright.credentials.models import Certification
from certwright.credentials.services import result_record
from tests.support.candidates import pdf
from tests.support.dates import ago


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_candidate(db: None) -> Callable[..., tuple[Any, Technician]]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None) -> tuple[Any, Technician]:
        n = next(counter)
        user = get_user_model().objects.create_user(
            username=f"cand{n}", email=f"cand{n}@example.com", password=None
        )
        technician = technician_create(
            name=name or f"Candidate {n}", email=f"cand{n}@example.com", user_id=user.pk
        )
        return user, technician

    return make


@pytest.fixture
def candidate(make_candidate: Callable[..., tuple[Any, Technician]]) -> Any:
    return make_candidate("Pat Candidate")


@pytest.fixture
def staff_user(db: None) -> Any:
    user = get_user_model().objects.create_user(
        username="staff", email="staff@example.com", password=None, is_staff=True
    )
    # Program staff by the role: is_staff alone only opens the admin.
    role_add(user, Role.PROGRAM_STAFF)
    # Staff must have a second factor before any page opens (accounts' middleware).
    apps.get_model("mfa", "Authenticator").objects.create(
        user=user, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


@pytest.fixture
def waiting(candidate: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Three years of employment awaiting review, and an A1 pass two months ago
    pending that experience."""
    _user, technician = candidate
    with django_capture_on_commit_callbacks(execute=True):
        record = experience_submit(
            technician_id=technician.pk,
            kind="employment",
            start=ago(years=3),
            end=None,
            full_time=True,
            employer="Harbor Marine & Auto",
            documents=[pdf("letter.pdf")],
        )
        result_record(
            technician_id=technician.pk,
            test="A1",
            date=ago(months=2),
            kind="initial",
            outcome="pass",
        )
    assert Certification.objects.get(technician=technician).status == (
        "pending_experience"
    )
    mail.outbox.clear()
    return record
