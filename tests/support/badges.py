"""Builders for the signed-credential tests: a technician certified in some tests
through the real services, and an issuer key under a test passphrase."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import transaction

from certwright.badges.keys import signing_key_active, signing_key_create
from certwright.badges.models import CredentialKind, IssuedCredential, SigningKey
from certwright.badges.services import status_index_allocate
from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record
from tests.support.dates import ago
from tests.support.scheduling import user_create

TEST_PASSPHRASE = "test passphrase, not a secret"


def certified_candidate(name: str, tests: Sequence[str] = ("A1",)) -> Technician:
    """A signed-in-able technician with ten years of approved experience who passed
    ``tests`` two months ago, recomputed: certified in each."""
    # A real certification ID (the commands take them typed), and a user to sign in.
    user = user_create()
    technician = technician_create(name=name, email=user.email)
    technician.user = user
    technician.save(update_fields=["user"])
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=10),
        approved=True,
    )
    for test in tests:
        result_record(
            technician_id=technician.pk,
            test=test,
            date=ago(months=2),
            kind="initial",
            outcome="pass",
            source="test",
        )
    technician_recompute(technician_id=technician.pk)
    return technician


@pytest.fixture
def passphrase(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CERTWRIGHT_SIGNING_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.delenv("CERTWRIGHT_SIGNING_PASSPHRASE_FILE", raising=False)
    return TEST_PASSPHRASE


@pytest.fixture
def issuer_key(db: Any, passphrase: str) -> SigningKey:
    return signing_key_create(actor="test")


def credential_row_for(technician: Technician) -> IssuedCredential:
    """A stored credential of the technician's with an unsigned stand-in document,
    for tests of who reaches it (the signing key is real: the status list is signed
    when served). Needs the passphrase in the environment."""
    key = signing_key_active() or signing_key_create(actor="test")
    with transaction.atomic():
        lst, index = status_index_allocate()
        return IssuedCredential.objects.create(
            technician=technician,
            kind=CredentialKind.CERTIFICATION,
            code="A1",
            state_key="stand-in",
            uuid=uuid.uuid4(),
            document_json='{"name": "A1 Engine Repair (stand-in)"}',
            key=key,
            status_list=lst,
            status_index=index,
        )
