"""The signed-credentials part of the REST API, mounted by certwright.interface.api
at /api/badges: the signed-in technician's own Open Badges credentials."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from certwright.badges.keys import SigningKeyError
from certwright.badges.models import IssuedCredential
from certwright.badges.selectors import credential_owned
from certwright.badges.services import technician_credentials_issue
from certwright.candidates.selectors import technician_for_user
from certwright.core.problems import ProblemDetails, problem

router = Router(tags=["badges"])


class CredentialOut(Schema):
    id: uuid_lib.UUID = Field(description="The credential's id (its urn:uuid)")
    kind: str = Field(description="certification or title")
    code: str = Field(description="The test code or title id")
    name: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    download: str = Field(description="The signed credential as JSON (this API)")


def _not_candidate() -> Status:
    return problem(
        403, _("This account has no technician record."), code="not_candidate"
    )


def _out(cred: IssuedCredential) -> dict[str, Any]:
    doc = cred.document
    return {
        "id": cred.uuid,
        "kind": cred.kind,
        "code": cred.code,
        "name": doc["name"],
        "valid_from": doc["validFrom"],
        "valid_until": doc.get("validUntil"),
        "download": reverse(
            "api:certwright_badges_api_me_credential", kwargs={"uuid": cred.uuid}
        ),
    }


@router.get(
    "/me",
    response={200: list[CredentialOut], 403: ProblemDetails, 503: ProblemDetails},
    summary="My signed credentials",
)
def me_credentials(request: HttpRequest) -> Any:
    """One signed Open Badges 3.0 credential per certification in force and title
    held, issued when first asked for."""
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    try:
        creds = technician_credentials_issue(technician_id=technician.pk)
    except SigningKeyError:
        return problem(503, _("Signed credentials are not available at the moment."))
    return [_out(c) for c in creds]


@router.get(
    "/me/{uuid}",
    response={200: dict[str, Any], 403: ProblemDetails, 404: ProblemDetails},
    summary="One of my signed credentials",
)
def me_credential(request: HttpRequest, uuid: uuid_lib.UUID) -> Any:
    """The signed credential itself (an OpenBadgeCredential, JSON-LD), as issued."""
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    cred = credential_owned(technician_id=technician.pk, uuid=str(uuid))
    if cred is None:
        return problem(404, _("You have no such credential."))
    return cred.document
