"""The portal part of the REST API, mounted by certwright.interface.api at
/api/portal: the signed-in candidate's state, the catalog, and eligibility to buy a
test."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from certwright.accounts.api_auth import SessionOrToken
from certwright.candidates.selectors import technician_for_user
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.portal.selectors import (
    candidate_state,
    eligibility_for,
    fees_summary,
    offered_series,
    offered_test,
)

router = Router(tags=["portal"])


class ErrorOut(Schema):
    detail: str


class CertificationOut(Schema):
    test: str
    name: str
    series: str
    status: str = Field(description="certified, pending_experience, expired, revoked")
    passed_on: dt.date | None
    certified_on: dt.date | None
    expires_on: dt.date | None = Field(
        description="The first day not certified (exclusive end; for computing)."
    )
    valid_through: dt.date | None = Field(
        description="The last day certified: the date every page, PDF and e-mail "
        "shows (expires_on minus one day; null while open-ended)."
    )
    expiring_soon: bool
    recertifiable: bool


class PlanItemOut(Schema):
    label: str
    test: str | None
    satisfied: bool
    status: str
    action: str
    expires_on: dt.date | None = Field(
        description="The first day not certified (exclusive end)."
    )
    valid_through: dt.date | None = Field(
        default=None, description="The last day certified, as the pages show it."
    )
    options: list[str]


class TitleOut(Schema):
    id: str
    name: str
    held: bool
    since: dt.date | None
    until: dt.date | None = Field(
        description="The first day the title is no longer held (exclusive end)."
    )
    valid_through: dt.date | None = Field(
        description="The last day the title is held, as the pages show it."
    )
    done: int
    needed: int
    percent: int
    missing: list[str]
    expiring: list[str]
    items: list[PlanItemOut]


class PendingOut(Schema):
    test: str
    name: str
    passed_on: dt.date | None
    required_days: int
    required_years: float
    situation: str = Field(description="accruing, awaiting_review or missing")
    met_on: dt.date | None
    met_on_if_approved: dt.date | None
    awaiting_review: int


class PurchasedOut(Schema):
    id: int
    test: str
    kind: str
    status: str
    must_take_by: dt.date


class TechnicianOut(Schema):
    name: str
    certification_id: str


class AppointmentTestOut(Schema):
    test: str
    kind: str


class AppointmentOut(Schema):
    id: int
    tests: list[AppointmentTestOut]
    status: str
    starts_at: dt.datetime = Field(description="UTC")
    local_start: dt.datetime = Field(description="At the centre, in its time zone")
    time_zone: str
    centre: str
    last_change_day: dt.date = Field(
        description="The last day (centre time) it may be rescheduled or cancelled."
    )
    can_change: bool


class StateOut(Schema):
    as_of: dt.date
    technician: TechnicianOut
    certifications: list[CertificationOut]
    titles: list[TitleOut]
    titles_held: list[str]
    pending: list[PendingOut]
    experience: dict[str, int]
    purchased: list[PurchasedOut]
    appointments: list[AppointmentOut]
    next_change_on: dt.date | None


class CatalogTestOut(Schema):
    code: str
    name: str
    series: str
    series_name: str
    scored: int | None
    unscored: int | None
    minutes: int | None
    recertifiable: bool
    recert_scored: int | None
    recert_minutes: int | None
    fee_class: str
    fee_cents: int | None
    currency: str | None
    prerequisites: str
    experience_years: float | None
    deliverable: list[str] = Field(
        default_factory=list,
        description="The kinds (initial, recert) on sale and bookable now: those "
        "with a published exam form",
    )


class SeriesOut(Schema):
    code: str
    name: str
    tests: list[CatalogTestOut]


class FeesOut(Schema):
    currency: str
    registration_cents: int
    registration_per: str
    test_fees: dict[str, int]
    recert_cap_cents: int | None


class CatalogOut(Schema):
    program: str
    on: dt.date
    fees: FeesOut | None
    series: list[SeriesOut]


class AreaOut(Schema):
    code: str
    name: str
    questions: int


class TestDetailOut(CatalogTestOut):
    areas: list[AreaOut]
    validity_years: int
    titles: list[str]
    title_names: list[str]


class EligibilityOut(Schema):
    test: str
    kind: str
    on: dt.date
    allowed: bool
    reasons: list[str]
    earliest_on: dt.date | None


NOT_CANDIDATE = Status(403, {"detail": "This account has no technician record."})


@router.get(
    "/me/state",
    auth=SessionOrToken,
    response={200: StateOut, 403: ErrorOut},
    summary="My certifications, titles and plans",
)
def me_state(request: HttpRequest) -> Any:
    technician = technician_for_user(request.user)
    if technician is None:
        return NOT_CANDIDATE
    return candidate_state(
        technician=technician, program=current_program(), day=today()
    )


@router.get("/catalog", response=CatalogOut, summary="Series, tests and fees today")
def catalog_list(request: HttpRequest) -> Any:
    program, day = current_program(), today()
    return {
        "program": program.id,
        "on": day,
        "fees": fees_summary(program, day),
        "series": offered_series(program, day),
    }


@router.get(
    "/catalog/{code}",
    response={200: TestDetailOut, 404: ErrorOut},
    summary="One test: content areas, length, prerequisites, fee",
)
def catalog_detail(request: HttpRequest, code: str) -> Any:
    program = current_program()
    if code not in program.tests:
        return Status(404, {"detail": f"no test {code!r}"})
    return offered_test(program, code, today())


@router.get(
    "/catalog/{code}/eligibility",
    auth=SessionOrToken,
    response={200: EligibilityOut, 403: ErrorOut, 404: ErrorOut},
    summary="Can I buy this test now, and if not, why",
)
def catalog_eligibility(
    request: HttpRequest,
    code: str,
    kind: Literal["initial", "recert"] = "initial",
) -> Any:
    program = current_program()
    if code not in program.tests:
        return Status(404, {"detail": f"no test {code!r}"})
    technician = technician_for_user(request.user)
    if technician is None:
        return NOT_CANDIDATE
    day = today()
    answers = eligibility_for(
        technician_id=technician.pk, program=program, day=day, tests=[code]
    )[code]
    answer = answers.get(kind) or {
        "allowed": False,
        "reasons": [f"{code} has no recertification test"],
        "earliest_on": None,
    }
    return {"test": code, "kind": kind, "on": day, **answer}
