"""The credentials part of the REST API, mounted by certwright.interface.api (with
``SessionOrToken``: a session or an API token) at /api/credentials/: every
technician's results and revocations, for program staff (403 to anyone else,
``check_credentials_staff``).

It also holds the shapes of a certification, a title and a result, which the
technician's own endpoints (``/api/portal/me/...``) and an employer's roster
(``/api/accounts/organizations/{id}/technicians``) answer with too.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from certwright.candidates.models import Technician
from certwright.core.api_types import IsoDate
from certwright.core.ids import MAX_ID
from certwright.core.problems import ProblemDetails
from certwright.core.program import current_program
from certwright.credentials.models import (
    Certification,
    Revocation,
    TestResult,
    TitleHolding,
)
from certwright.credentials.selectors import (
    check_credentials_staff,
    results_list,
    revocations_list,
)
from certwright.program.model import Program
from certwright.rules.dates import last_valid_day

router = Router(tags=["credentials"])

# A page of results or revocations: at most this many.
PAGE = 500


class CertificationRecordOut(Schema):
    """A certification as recorded (derived from the facts by the rules)."""

    test: str
    name: str
    status: str = Field(description="certified, pending_experience, expired, revoked")
    current: bool = Field(description="In force today (certified, not yet expired)")
    passed_on: dt.date | None
    certified_on: dt.date | None
    expires_on: dt.date | None = Field(
        description="The first day not certified (exclusive end; for computing)."
    )
    valid_through: dt.date | None = Field(
        description="The last day certified, as every page and PDF shows it."
    )


class HeldTitleOut(Schema):
    """A title (Master Technician, ...) held or once held."""

    id: str
    name: str
    held: bool
    since: dt.date | None
    until: dt.date | None = Field(
        description="The first day no longer held (exclusive end)."
    )
    valid_through: dt.date | None = Field(description="The last day held.")


class ResultOut(Schema):
    """The outcome of one sitting of one test (a fact)."""

    id: int
    test: str
    name: str
    date: dt.date
    kind: str = Field(description="initial or recert")
    outcome: str = Field(description="pass, fail or no_show")


class TechnicianRefOut(Schema):
    id: int
    certification_id: str
    name: str


class StaffResultOut(ResultOut):
    technician: TechnicianRefOut
    source: str = Field(description="Where it came from: provider, import:..., admin")
    created_at: dt.datetime


class RevocationOut(Schema):
    id: int
    technician: TechnicianRefOut
    test: str = Field(description="The test revoked; empty for every test")
    date: dt.date
    reason: str
    by: str = Field(description="Who recorded it (their user name), if anyone")
    created_at: dt.datetime


def _test_name(program: Program, code: str) -> str:
    return program.tests[code].name if code in program.tests else code


def certification_out(
    program: Program, certification: Certification, *, current: bool
) -> dict[str, Any]:
    return {
        "test": certification.test,
        "name": _test_name(program, certification.test),
        "status": certification.status,
        "current": current,
        "passed_on": certification.passed_on,
        "certified_on": certification.certified_on,
        "expires_on": certification.expires_on,
        "valid_through": last_valid_day(certification.expires_on),
    }


def title_out(program: Program, holding: TitleHolding) -> dict[str, Any]:
    title = program.titles.get(holding.title_id)
    return {
        "id": holding.title_id,
        "name": title.name if title is not None else holding.title_id,
        "held": holding.held,
        "since": holding.since,
        "until": holding.until,
        "valid_through": last_valid_day(holding.until),
    }


def result_out(program: Program, result: TestResult) -> dict[str, Any]:
    return {
        "id": result.pk,
        "test": result.test,
        "name": _test_name(program, result.test),
        "date": result.date,
        "kind": result.kind,
        "outcome": result.outcome,
    }


def _technician_ref(technician: Technician) -> dict[str, Any]:
    return {
        "id": technician.pk,
        "certification_id": technician.certification_id,
        "name": technician.name,
    }


TechnicianId = Annotated[
    int | None, Query(None, ge=1, le=MAX_ID, description="Only this technician's")
]
Since = Annotated[IsoDate | None, Query(None, description="From this day on")]
Offset = Annotated[int, Query(0, ge=0, le=MAX_ID, description="Skip this many")]
Limit = Annotated[int, Query(100, ge=1, le=PAGE, description="At most this many")]

STAFF_ERRORS: dict[int, Any] = {403: ProblemDetails}


@router.get(
    "/results",
    response={200: list[StaffResultOut], **STAFF_ERRORS},
    summary="Every technician's results, newest first (program staff)",
)
def staff_results(
    request: HttpRequest,
    technician_id: TechnicianId = None,
    test: Annotated[str, Query("", max_length=16)] = "",
    since: Since = None,
    until: Annotated[IsoDate | None, Query(None, description="Up to this day")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> list[dict[str, Any]]:
    check_credentials_staff(request.user)
    program = current_program()
    rows = results_list(
        technician_id=technician_id, test=test, since=since, until=until
    )[offset : offset + limit]
    return [
        {
            **result_out(program, r),
            "technician": _technician_ref(r.technician),
            "source": r.source,
            "created_at": r.created_at,
        }
        for r in rows
    ]


@router.get(
    "/revocations",
    response={200: list[RevocationOut], **STAFF_ERRORS},
    summary="Revocations, newest first (program staff)",
)
def staff_revocations(
    request: HttpRequest,
    technician_id: TechnicianId = None,
    since: Since = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> list[dict[str, Any]]:
    check_credentials_staff(request.user)
    rows: list[Revocation] = list(
        revocations_list(technician_id=technician_id, since=since)[
            offset : offset + limit
        ]
    )
    return [
        {
            "id": r.pk,
            "technician": _technician_ref(r.technician),
            "test": r.test,
            "date": r.date,
            "reason": r.reason,
            "by": r.by.get_username() if r.by is not None else "",
            "created_at": r.created_at,
        }
        for r in rows
    ]
