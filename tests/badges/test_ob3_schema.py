"""Issued credentials conform to 1EdTech's Open Badges 3.0 JSON schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from certwright.badges.models import SigningKey
from certwright.badges.services import technician_credentials_issue
from tests.support.badges import certified_candidate

SCHEMA: dict[str, Any] = json.loads(
    (
        Path(__file__).parent / "data" / "ob_v3p0_achievementcredential_schema.json"
    ).read_text()
)

pytestmark = pytest.mark.django_db


def test_issued_credentials_are_valid_ob3_achievement_credentials(
    issuer_key: SigningKey,
) -> None:
    # Given a technician certified in two tests
    technician = certified_candidate("Schema Check", ("A1", "A5"))
    # When their credentials are issued
    creds = technician_credentials_issue(technician_id=technician.pk)
    # Then each validates against 1EdTech's schema
    validator = jsonschema.Draft201909Validator(SCHEMA)
    for cred in creds:
        errors = [e.message for e in validator.iter_errors(cred.document)]
        assert not errors, errors


def test_the_schema_refuses_a_credential_without_an_issuer(
    issuer_key: SigningKey,
) -> None:
    # Given a genuine credential with its issuer removed
    technician = certified_candidate("Schema Refuses")
    document = dict(
        technician_credentials_issue(technician_id=technician.pk)[0].document
    )
    del document["issuer"]
    # Then the schema says so (the check can fail)
    with pytest.raises(jsonschema.ValidationError, match="issuer"):
        jsonschema.validate(document, SCHEMA, cls=jsonschema.Draft201909Validator)
