"""The public verification API, mounted by certwright.interface.api at /api/verify:
``GET /api/verify/{certification_id}?last_name=...``, anonymous.

A wrong ID, a wrong last name, a malformed ID and a technician who left the lookup
all answer the same 404 ``no_match`` (see ``lookup_answer``); 429 with
``Retry-After`` past the per-client limit; 404 ``lookup_off`` when the program does
not offer a public lookup.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from certwright.core.problems import ProblemDetails
from certwright.verification.clients import client_address
from certwright.verification.lookup import LAST_NAME_MAX, public_lookup

router = Router(tags=["verification"])


class CertificationOut(Schema):
    test: str = Field(description="The test's code, e.g. A1.")
    name: str = Field(description="The test's name.")
    status: Literal["in_force", "expired", "revoked"] = Field(
        description="In force today, expired, or revoked (no reason is given)."
    )
    certified_on: dt.date | None = Field(description="The day it was certified.")
    valid_through: dt.date | None = Field(
        description="The last day it is (or was) valid; null: no end."
    )


class TitleOut(Schema):
    title_id: str
    name: str
    status: Literal["held", "expired"]
    since: dt.date | None = Field(description="The start of the (last) period held.")
    until: dt.date | None = Field(
        description="The day it ends (or ended) unless renewed; null: no end."
    )


class VerificationOut(Schema):
    name: str = Field(description="The technician's name as recorded.")
    certification_id: str
    certifications: list[CertificationOut]
    titles: list[TitleOut]
    answered_at: dt.datetime = Field(description="When this answer was given (UTC).")


class LookupQuery(Schema):
    last_name: str = Field(
        min_length=1,
        max_length=LAST_NAME_MAX,
        description="The technician's last (family) name; case and accents do not "
        "matter.",
    )


@router.get(
    "/{certification_id}",
    auth=None,
    response={200: VerificationOut, 404: ProblemDetails, 429: ProblemDetails},
    summary="Verify a technician's certifications by certification ID and last name",
    description=(
        "Anonymous. 404 `no_match` for an unknown ID, a wrong last name or a malformed "
        "ID alike; 404 `lookup_off` when the program offers no public lookup; 429 "
        "with `Retry-After` past the per-client limit."
    ),
)
def verify(
    request: HttpRequest, certification_id: str, query: Query[LookupQuery]
) -> HttpResponse:
    # The answer's bytes come from public_lookup, as the WSGI layer's do in
    # production (certwright/verification/wsgi.py); the schemas above document them.
    reply = public_lookup(
        certification_id, query.last_name, client=client_address(request)
    )
    response = HttpResponse(
        reply.body, status=reply.status, content_type=reply.content_type
    )
    if reply.retry_after is not None:
        response["Retry-After"] = str(reply.retry_after)
    return response
