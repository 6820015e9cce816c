"""The scheduling part of the REST API, mounted by certwright.interface.api
(with ``SessionOrToken``: a session or an API token) at /api/scheduling/.

A signed-in candidate (session or API token) lists centres and free times, and books,
moves and cancels their own appointments; anyone else's appointment answers 404, as
if it did not exist. Refusals are problem details (``certwright.core.problems``) whose
``code`` names the rule: 409 when the
state moved under the client (``full``: the last seat went; ``stale``: the
appointment changed since it was read; a line already booked; the change deadline
passed), 400 for a request that breaks a rule (closed, outside the hours, past the
must-take-by date, ...).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from annotated_types import Interval
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import WithJsonSchema

from certwright.candidates.selectors import technician_for_user
from certwright.core import clock
from certwright.core.api_types import JSON_INTEGER, BodyInt, IsoDate, IsoDateTime
from certwright.core.ids import MAX_ID
from certwright.core.problems import ProblemDetails, problem
from certwright.core.program import current_program
from certwright.scheduling import orders, selectors, services
from certwright.scheduling.invites import appointment_invite
from certwright.scheduling.models import Appointment, AppointmentStatus, TestCentre
from certwright.scheduling.selectors import request_actor

router = Router(tags=["scheduling"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
# In bodies: the bounds inside the type, so a nullable field documents them too.
BodyId = Annotated[int, Interval(ge=1, le=MAX_ID), JSON_INTEGER]
Sequence = Annotated[int, Interval(ge=0, le=2**31 - 1), JSON_INTEGER]
# A day of appointments is at most this long (a test battery plus check-in).
MAX_MINUTES = 12 * 60
CONFLICTS = {"full", "stale", "lines", "overlap", "deadline", "state"}


# A local wall-clock time, "07:30:00". Not OpenAPI's "format: time" (RFC 3339's
# full-time, which needs an offset): the centre's time zone is a field of its own.
LocalTime = Annotated[
    dt.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
            "description": "Local time at the centre (HH:MM:SS, in its time_zone)",
            "examples": ["07:30:00"],
        }
    ),
]


class OpeningHoursOut(Schema):
    weekday: int = Field(..., description="0 = Monday … 6 = Sunday")
    opens: LocalTime
    closes: LocalTime


class CentreClosureOut(Schema):
    starts_on: dt.date
    ends_on: dt.date
    reason: str


class CentreOut(Schema):
    id: int
    code: str
    name: str
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    time_zone: str
    seats: int
    hours: list[OpeningHoursOut]
    closures: list[CentreClosureOut]


class CentreSlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: str = Field(..., description="The start in the centre's local time")
    seats_left: int


class BookableLineOut(Schema):
    id: int
    test: str
    kind: str
    must_take_by: dt.date
    minutes: int = Field(..., description="The test's length (check-in not included)")
    bookable: bool = Field(
        True,
        description="False while no exam form of the test is published: booking it "
        "is refused until one is (see not_bookable_reason)",
    )
    not_bookable_reason: str | None = None


class AppointmentTestOut(Schema):
    order_line_id: int
    test: str
    kind: str
    minutes: int


class AppointmentOut(Schema):
    id: int
    centre_id: int
    centre_name: str
    time_zone: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_start: str
    minutes: int
    status: AppointmentStatus
    uid: str
    sequence: int
    tests: list[AppointmentTestOut]
    can_change: bool
    change_deadline: dt.datetime


class AppointmentBookIn(Schema):
    centre_id: BodyInt = Field(..., ge=1, le=MAX_ID)
    starts_at: IsoDateTime = Field(
        ..., description="An instant with its offset (ISO 8601), on the quarter hour"
    )
    order_line_ids: list[BodyId] = Field(..., min_length=1, max_length=20)


class AppointmentRescheduleIn(Schema):
    starts_at: IsoDateTime
    centre_id: BodyId | None = None
    sequence: Sequence | None = Field(
        None,
        description="The sequence last read: refuses the move if it changed",
    )


class AppointmentCancelIn(Schema):
    sequence: Sequence | None = None


ERRORS: dict[int, Any] = {
    400: ProblemDetails,
    403: ProblemDetails,
    404: ProblemDetails,
    409: ProblemDetails,
}


def _not_candidate() -> Status:
    return problem(
        403, _("Only a candidate can book appointments."), code="not_candidate"
    )


def _refusal(error: services.BookingError) -> Status:
    status = 409 if error.code in CONFLICTS else 400
    return problem(status, str(error.message), code=error.code or "refused")


def _centre_out(centre: TestCentre) -> dict[str, Any]:
    return {
        **{
            f: getattr(centre, f)
            for f in (
                "id",
                "code",
                "name",
                "address_line1",
                "address_line2",
                "city",
                "region",
                "postal_code",
                "country",
                "time_zone",
                "seats",
            )
        },
        "hours": list(centre.opening_hours.all()),
        "closures": list(centre.closures.all()),
    }


def _appointment_out(appointment: Appointment) -> dict[str, Any]:
    released = appointment.status == AppointmentStatus.CANCELLED
    return {
        "id": appointment.pk,
        "centre_id": appointment.centre_id,
        "centre_name": appointment.centre.name,
        "time_zone": appointment.centre.time_zone,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "local_start": appointment.local_start().isoformat(),
        "minutes": appointment.minutes,
        "status": appointment.status,
        "uid": appointment.uid,
        "sequence": appointment.sequence,
        "tests": [
            {
                "order_line_id": t.order_line_id,
                "test": t.test,
                "kind": t.kind,
                "minutes": t.minutes,
            }
            for t in appointment.tests.all()
            if released or t.released_at is None
        ],
        "can_change": selectors.can_change(appointment),
        "change_deadline": selectors.change_deadline(appointment),
    }


@router.get("/centres", response=list[CentreOut], summary="Test centres")
def centres(request: HttpRequest) -> list[dict[str, Any]]:
    """Every centre taking bookings, with opening hours (local time) and the
    closures still to come."""
    return [_centre_out(c) for c in selectors.centre_list()]


@router.get(
    "/centres/{centre_id}/slots",
    response={200: list[CentreSlotOut], **ERRORS},
    summary="Free start times at a centre",
)
def centre_slots(
    request: HttpRequest,
    centre_id: Id,
    date: IsoDate,
    minutes: Annotated[int, Query(ge=15, le=MAX_MINUTES)],
    days: Annotated[int, Query(ge=1, le=selectors.MAX_SLOT_DAYS)] = 1,
) -> Any:
    """Start times on the centre's local days ``date`` .. ``date + days - 1`` where
    an appointment of ``minutes`` (the whole appointment: the tests' times plus 30
    minutes of check-in) fits the opening hours and has a free seat throughout.
    Today is left out unless the program allows same-day booking."""
    centre = selectors.centre_get(centre_id=centre_id)
    if centre is None:
        return problem(404, _("No such test centre."))
    found = selectors.centre_slots(
        centre=centre,
        first_day=max(date, selectors.first_bookable_day(centre)),
        # (no later than the last day there is: the selector stops at its horizon)
        last_day=min(date, dt.date.max - dt.timedelta(days=days))
        + dt.timedelta(days=days - 1),
        minutes=minutes,
    )
    return [
        {
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "local_start": s.local_start.isoformat(),
            "seats_left": s.seats_left,
        }
        for s in found
    ]


@router.get(
    "/lines",
    response={200: list[BookableLineOut], **ERRORS},
    summary="My purchased tests waiting to be booked",
)
def bookable_lines(request: HttpRequest) -> Any:
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    today = clock.today()
    program = current_program()
    lines: list[tuple[orders.BookableLine, str | None]] = [
        (line, None)
        for line in orders.lines_bookable(technician_id=technician.pk, day=today)
    ]
    lines += [
        (waiting.line, waiting.reason)
        for waiting in orders.lines_waiting(technician_id=technician.pk, day=today)
    ]
    return [
        {
            "id": line.id,
            "test": line.test,
            "kind": line.kind,
            "must_take_by": line.must_take_by,
            "minutes": selectors.sitting_minutes(
                program=program, test=line.test, kind=line.kind, day=today
            ),
            "bookable": reason is None,
            "not_bookable_reason": reason,
        }
        for line, reason in sorted(lines, key=lambda pair: pair[0].id)
    ]


@router.get(
    "/appointments",
    response={200: list[AppointmentOut], **ERRORS},
    summary="My appointments",
)
def appointment_list(request: HttpRequest) -> Any:
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    return [_appointment_out(a) for a in selectors.appointments_of(technician.pk)]


@router.post(
    "/appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Book a seat for one or more purchased tests",
)
def appointment_book(request: HttpRequest, body: AppointmentBookIn) -> Any:
    """One appointment for all the order lines given: the tests' times added plus
    30 minutes. 409 ``full`` when a seat went meanwhile."""
    technician = technician_for_user(request.user)
    if technician is None:
        return _not_candidate()
    try:
        appointment = services.appointment_book(
            technician_id=technician.pk,
            centre_id=body.centre_id,
            starts_at=body.starts_at,
            order_line_ids=body.order_line_ids,
            actor=request_actor(request),
        )
    except services.BookingError as error:
        return _refusal(error)
    return Status(201, _appointment_out(appointment))


def _own(request: HttpRequest, appointment_id: int) -> Appointment:
    return selectors.access_own_appointment(request.user, appointment_id)


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    summary="One of my appointments",
)
def appointment_get(request: HttpRequest, appointment_id: Id) -> Any:
    return _appointment_out(_own(request, appointment_id))


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **ERRORS},
    summary="Move an appointment (until the program's change cutoff)",
)
def appointment_reschedule(
    request: HttpRequest, appointment_id: Id, body: AppointmentRescheduleIn
) -> Any:
    appointment = _own(request, appointment_id)
    try:
        appointment = services.appointment_reschedule(
            appointment_id=appointment.pk,
            starts_at=body.starts_at,
            centre_id=body.centre_id,
            expected_sequence=body.sequence,
            actor=request_actor(request),
        )
    except services.BookingError as error:
        return _refusal(error)
    return _appointment_out(appointment)


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERRORS},
    summary="Cancel an appointment (until the program's change cutoff)",
)
def appointment_cancel(
    request: HttpRequest, appointment_id: Id, body: AppointmentCancelIn | None = None
) -> Any:
    appointment = _own(request, appointment_id)
    try:
        appointment = services.appointment_cancel(
            appointment_id=appointment.pk,
            expected_sequence=body.sequence if body is not None else None,
            actor=request_actor(request),
            reason="cancelled by the candidate (API)",
        )
    except services.BookingError as error:
        return _refusal(error)
    return _appointment_out(appointment)


@router.get(
    "/appointments/{appointment_id}/ics",
    response={200: None, **ERRORS},
    summary="The appointment as an iCalendar invitation",
    openapi_extra={
        "responses": {
            200: {
                "description": "RFC 5545 calendar (METHOD REQUEST, or CANCEL once "
                "cancelled)",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def appointment_ics(request: HttpRequest, appointment_id: Id) -> HttpResponse:
    appointment = _own(request, appointment_id)
    ics, method = appointment_invite(appointment)
    response = HttpResponse(ics, content_type=f"text/calendar; method={method}")
    response["Content-Disposition"] = (
        f'attachment; filename="appointment-{appointment.pk}.ics"'
    )
    return response
