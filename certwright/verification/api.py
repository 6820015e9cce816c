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
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from certwright.core.clock import now, today
from certwright.core.problems import ProblemDetails, problem
from certwright.core.program import current_program
from certwright.verification.clients import client_address
from certwright.verification.selectors import Answer, lookup_answer
from certwright.verification.services import LookupThrottled, lookup_count

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
        max_length=200,
        description="The technician's last (family) name; case and accents do not "
        "matter.",
    )


def answer_out(answer: Answer, answered_at: dt.datetime) -> VerificationOut:
    return VerificationOut(
        name=answer.name,
        certification_id=answer.certification_id,
        certifications=[
            CertificationOut(
                test=c.test,
                name=c.name,
                status=c.status,  # type: ignore[arg-type]
                certified_on=c.certified_on,
                valid_through=c.valid_through,
            )
            for c in answer.certifications
        ],
        titles=[
            TitleOut(
                title_id=t.title_id,
                name=t.name,
                status=t.status,  # type: ignore[arg-type]
                since=t.since,
                until=t.until,
            )
            for t in answer.titles
        ],
        answered_at=answered_at,
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
    request: HttpRequest,
    response: HttpResponse,
    certification_id: str,
    query: Query[LookupQuery],
) -> Status | VerificationOut:
    program = current_program()
    if not program.verification.public_lookup:
        return problem(
            404,
            _("This program does not offer a public lookup."),
            code="lookup_off",
        )
    try:
        lookup_count(client_address(request))
    except LookupThrottled as throttled:
        response["Retry-After"] = str(throttled.retry_after)
        return problem(
            429,
            _("Too many lookups from your address. Try again in %(s)d seconds.")
            % {"s": throttled.retry_after},
            code="too_many_lookups",
        )
    answer = lookup_answer(
        certification_id, query.last_name, program=program, on=today()
    )
    if answer is None:
        return problem(
            404,
            _("No certification matches this ID and last name."),
            code="no_match",
        )
    return answer_out(answer, now())
