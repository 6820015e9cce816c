"""Demo data for the proctor console (`make run`): the demo candidate, Priya Raman
(candidate@example.com), has an A1 appointment today at the demo proctor's centre
(Springfield, proctor@example.com), ready to check in, so that "a proctor checks
in the demo candidate, who sits A1 in a browser" works on any day.

Priya has the two years' experience (a degree and a year on the job) and has passed
no test yet, so she sits the initial A1 ("A1 initial form 1" of the item bank demo)
and a pass is a new A1 certification at once. The commerce demo's order includes
that A1 (and its practice test); should she have no A1 to book, one is bought
through the shop's services. The seat is booked through scheduling's service at the
next free time today. When the centre has none left today (evening, Sunday) she is
a walk-in from the current quarter hour: the appointment is written with its seats
counted and its audit event, only the opening-hours rule is not applied.

Loading twice changes nothing: an A1 appointment of hers today at the centre, in
any state but cancelled, is left as it is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from certwright.audit.models import EventKind
from certwright.candidates.models import Technician
from certwright.commerce import services as commerce
from certwright.core import clock
from certwright.core.program import current_program
from certwright.credentials.demo import CANDIDATE_EMAIL  # Priya Raman's technician
from certwright.scheduling import hours, orders
from certwright.scheduling import selectors as scheduling_selectors
from certwright.scheduling import services as scheduling_services
from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentTest,
    TestCentre,
)
from certwright.scheduling.orders import BookableLine

ACTOR = "demo"
CENTRE_CODE = "springfield-il"  # the demo proctor's centre (scheduling demo)
TEST = "A1"
KIND = "initial"
BILLING_REGION = "US-OH"


@dataclass
class ProctorDemoReport:
    appointment_id: int | None = None
    created: bool = False
    walk_in: bool = False
    starts_at: dt.datetime | None = None  # in the centre's time zone
    centre: str = ""
    status: str = ""  # the appointment's: booked until the proctor checks her in
    note: str = ""


def _today_at(technician: Technician, centre: TestCentre) -> Appointment | None:
    today = scheduling_selectors.centre_local_today(centre)
    return (
        scheduling_selectors.centre_day(centre, today)
        .filter(technician=technician, tests__test=TEST)
        .exclude(status=AppointmentStatus.CANCELLED)
        .first()
    )


def _line(technician: Technician, report: ProctorDemoReport) -> BookableLine | None:
    """The initial A1 Priya may book today, bought if she has none; None (with the
    reason in the report) when she may not buy it (she has sat it already)."""

    def bookable() -> BookableLine | None:
        lines = orders.lines_bookable(technician_id=technician.pk, day=clock.today())
        return next((line for line in lines if line.test == TEST), None)

    line = bookable()
    if line is not None:
        return line

    try:
        commerce.cart_line_add(technician_id=technician.pk, test=TEST, kind=KIND)
    except ValidationError as error:
        report.note = (
            f"the demo candidate cannot buy {TEST} today ({' '.join(error.messages)}); "
            "start from a new database to replay the exam day"
        )
        return None
    cart = commerce.cart_region_set(technician_id=technician.pk, region=BILLING_REGION)
    commerce.order_place(
        technician_id=technician.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=cart.version,
        actor=ACTOR,
    )
    return bookable()


def _book_today(
    technician: Technician, centre: TestCentre, line: BookableLine
) -> Appointment | None:
    """The next free time today, through the booking service; None when there is
    none."""
    today = scheduling_selectors.centre_local_today(centre)
    minutes = scheduling_selectors.appointment_minutes(
        program=current_program(), tests=[(line.test, line.kind)], day=today
    )
    for slot in scheduling_selectors.centre_slots(
        centre=centre, first_day=today, last_day=today, minutes=minutes
    ):
        try:
            return scheduling_services.appointment_book(
                technician_id=technician.pk,
                centre_id=centre.pk,
                starts_at=slot.starts_at,
                order_line_ids=[line.id],
                actor=ACTOR,
                # The centre seats her today; same-day booking is for candidates.
                walk_in=True,
            )
        except scheduling_services.BookingError:
            continue
    return None


def _walk_in(
    technician: Technician, centre: TestCentre, line: BookableLine
) -> Appointment:
    """A seat from the current quarter hour, outside the opening hours."""
    moment = clock.now()
    start = hours.grid_ceil(moment)
    if start > moment:
        start -= hours.BLOCK
    day = start.astimezone(centre.tz).date()
    minutes = scheduling_selectors.sitting_minutes(
        program=current_program(), test=line.test, kind=line.kind, day=day
    )
    ends = start + dt.timedelta(minutes=scheduling_selectors.CHECK_IN_MINUTES + minutes)
    with transaction.atomic():
        appointment = Appointment.objects.create(
            technician=technician,
            centre=centre,
            starts_at=start,
            ends_at=ends,
            uid=scheduling_services._new_uid(),
        )
        AppointmentTest.objects.create(
            appointment=appointment,
            order_line_id=line.id,
            test=line.test,
            kind=line.kind,
            minutes=minutes,
            must_take_by=line.must_take_by,
        )
        orders.line_mark_booked(
            line_id=line.id, appointment_id=appointment.pk, actor=ACTOR
        )
        keys = scheduling_services._block_keys(centre.pk, start, ends)
        scheduling_services._blocks_ensure(centre, [s for _c, s in keys])
        scheduling_services._seats_change(claim=keys, release=())
        scheduling_services._event(
            appointment,
            kind=EventKind.APPOINTMENT_BOOKED,
            actor=ACTOR,
            reason=f"{line.test} walk-in at {centre.code} (demo)",
            extra={"order_lines": [line.id], "walk_in": True},
        )
    return appointment


def demo_load() -> ProctorDemoReport:
    """Give the demo candidate an A1 appointment today at the proctor's centre
    (idempotent)."""
    report = ProctorDemoReport()
    centre = TestCentre.objects.filter(code=CENTRE_CODE).first()
    technician = Technician.objects.filter(email=CANDIDATE_EMAIL).first()
    if centre is None or technician is None:
        report.note = "load the scheduling demo first"
        return report
    report.centre = centre.name
    appointment = _today_at(technician, centre)
    if appointment is None:
        line = _line(technician, report)
        if line is None:
            report.note = report.note or "the demo candidate cannot book A1 today"
            return report
        appointment = _book_today(technician, centre, line)
        if appointment is None:
            appointment = _walk_in(technician, centre, line)
            report.walk_in = True
        report.created = True
    report.appointment_id = appointment.pk
    report.starts_at = appointment.starts_at.astimezone(centre.tz)
    report.status = appointment.status
    return report
