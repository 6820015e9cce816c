"""The portal part of the REST API, mounted by certwright.interface.api at
/api/portal: the signed-in candidate's state, the catalog, and eligibility to buy a
test."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from pydantic import Field

from certwright.accounts.api_auth import SessionOrToken
from certwright.candidates.selectors import technician_for_user
from certwright.core.clock import today
from certwright.core.ids import MAX_ID
from certwright.core.problems import ProblemDetails, problem
from certwright.core.program import current_program
from certwright.credentials.api import (
    CertificationRecordOut,
    HeldTitleOut,
    ResultOut,
    certification_out,
    result_out,
    title_out,
)
from certwright.credentials.selectors import (
    certifications_current,
    technician_certifications,
    technician_results,
    technician_titles,
)
from certwright.delivery.reports import report_pdf
from certwright.delivery.selectors import access_own_score_report, results_of
from certwright.portal.selectors import (
    candidate_state,
    eligibility_for,
    fees_summary,
    offered_series,
    offered_test,
)

router = Router(tags=["portal"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class RecertWayOut(Schema):
    state: Literal[
        "offer", "in_cart", "bought", "booked", "too_early", "lapsed_too_long"
    ] = Field(
        description="offer: one click (POST /me/keep/{test}/recertify/) puts it in "
        "the cart; in_cart; bought or booked and not yet taken; too_early: the "
        "one-click window opens on opens_on; lapsed_too_long: the program's lapse "
        "rule no longer counts a recertification."
    )
    fee_cents: int | None
    cap_cents: int | None = Field(
        description="The program's cap on one order's recertification tests."
    )
    currency: str
    scored: int | None
    minutes: int
    opens_on: dt.date = Field(
        description="The first day of the one-click window (the reminder ladder's "
        "first rung before the expiry)."
    )
    closes_on: dt.date | None = Field(
        description="The last day a lapsed certification can be recertified; null: "
        "no limit."
    )
    lead_days: int
    max_lapse_days: int | None
    must_take_by: dt.date | None


class RenewalWayOut(Schema):
    subscribed: bool = Field(
        description="The current renewal subscription covers this certification."
    )
    ends_on: dt.date | None = Field(
        description="The current subscription's end (exclusive), if there is one."
    )
    credits_for_extension: int
    extension_months: int
    questions_per_month: int


class KeepOut(Schema):
    anchor: str = Field(description="The id of the certification's dashboard card.")
    applies: bool = Field(
        description="Held or lapsed: the ways below apply (false for a pass "
        "waiting for experience and a revoked certification)."
    )
    recert: RecertWayOut | None
    renewal: RenewalWayOut | None


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
    keep: KeepOut | None = Field(
        None, description="Every way the program offers to keep it."
    )


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


class TitleProgressOut(Schema):
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


class StateAppointmentTestOut(Schema):
    test: str
    kind: str


class StateAppointmentOut(Schema):
    id: int
    tests: list[StateAppointmentTestOut]
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
    titles: list[TitleProgressOut]
    titles_held: list[str]
    pending: list[PendingOut]
    experience: dict[str, int]
    purchased: list[PurchasedOut]
    appointments: list[StateAppointmentOut]
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


class CatalogSeriesOut(Schema):
    code: str
    name: str
    tests: list[CatalogTestOut]


class FeesOut(Schema):
    currency: str
    registration_cents: int
    registration_per: str
    test_fees: dict[str, int]
    recert_cap_cents: int | None
    # A year of the renewal app subscription; None: not sold on that day.
    renewal_cents: int | None


class CatalogOut(Schema):
    program: str
    on: dt.date
    fees: FeesOut | None
    series: list[CatalogSeriesOut]


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


def _not_candidate() -> Status:
    return problem(
        403, _("This account has no technician record."), code="not_candidate"
    )


def _no_test(code: str) -> Status:
    return problem(404, _("The program has no test %(code)r.") % {"code": code})


@router.get(
    "/me/state",
    auth=SessionOrToken,
    response={200: StateOut, 403: ProblemDetails},
    summary="My certifications, titles and plans",
)
def me_state(request: HttpRequest) -> Any:
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    return candidate_state(
        technician=technician, program=current_program(), day=today()
    )


class MyResultOut(ResultOut):
    score_report_id: int | None = Field(
        description="The exam sat here, when it was: its score report is "
        "/api/portal/me/score-reports/{score_report_id}"
    )
    scaled_score: int | None
    passed: bool | None


@router.get(
    "/me/certifications",
    auth=SessionOrToken,
    response={200: list[CertificationRecordOut], 403: ProblemDetails},
    summary="My certifications, as recorded",
)
def me_certifications(request: HttpRequest) -> Any:
    """Every certification recorded for me, with ``current`` true for those in
    force today."""
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    program = current_program()
    current = set(
        certifications_current(on=today())
        .filter(technician_id=technician.pk)
        .values_list("pk", flat=True)
    )
    return [
        certification_out(program, c, current=c.pk in current)
        for c in technician_certifications(technician.pk)
    ]


@router.get(
    "/me/titles",
    auth=SessionOrToken,
    response={200: list[HeldTitleOut], 403: ProblemDetails},
    summary="The titles I hold or have held",
)
def me_titles(request: HttpRequest) -> Any:
    """Master Technician and the like: each title I hold or once held (the plan
    toward the others is in /api/portal/me/state)."""
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    program = current_program()
    return [title_out(program, h) for h in technician_titles(technician.pk)]


@router.get(
    "/me/results",
    auth=SessionOrToken,
    response={200: list[MyResultOut], 403: ProblemDetails},
    summary="My results, newest first",
)
def me_results(request: HttpRequest) -> Any:
    """Every result recorded for me; one from an exam sat here names its score
    report."""
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    program = current_program()
    sat_here = {
        a.result_id: a for a in results_of(technician.pk) if a.result_id is not None
    }
    out = []
    for result in technician_results(technician.pk):
        attempt = sat_here.get(result.pk)
        out.append(
            {
                **result_out(program, result),
                "score_report_id": attempt.pk if attempt else None,
                "scaled_score": attempt.scaled_score if attempt else None,
                "passed": attempt.passed if attempt else None,
            }
        )
    return out


@router.get(
    "/me/score-reports/{attempt_id}",
    auth=SessionOrToken,
    response={200: None, 404: ProblemDetails},
    summary="The score report of one of my exams (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The score report, as the results page serves it",
                "content": {
                    "application/pdf": {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            }
        }
    },
)
def me_score_report(request: HttpRequest, attempt_id: Id) -> HttpResponse:
    attempt = access_own_score_report(request.user, attempt_id)
    response = HttpResponse(report_pdf(attempt), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="score-report-{attempt.test}-{attempt.pk}.pdf"'
    )
    return response


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
    response={200: TestDetailOut, 404: ProblemDetails},
    summary="One test: content areas, length, prerequisites, fee",
)
def catalog_detail(request: HttpRequest, code: str) -> Any:
    program = current_program()
    if code not in program.tests:
        return _no_test(code)
    return offered_test(program, code, today())


@router.get(
    "/catalog/{code}/eligibility",
    auth=SessionOrToken,
    response={200: EligibilityOut, 403: ProblemDetails, 404: ProblemDetails},
    summary="Can I buy this test now, and if not, why",
)
def catalog_eligibility(
    request: HttpRequest,
    code: str,
    kind: Literal["initial", "recert"] = "initial",
) -> Any:
    program = current_program()
    if code not in program.tests:
        return _no_test(code)
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    day = today()
    answers = eligibility_for(
        technician_id=technician.pk, program=program, day=day, tests=[code]
    )[code]
    answer = answers.get(kind) or {
        "allowed": False,
        "reasons": [_("%(test)s has no recertification test") % {"test": code}],
        "earliest_on": None,
    }
    return {"test": code, "kind": kind, "on": day, **answer}
