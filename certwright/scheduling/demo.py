"""Demo data for `make run`: three test centres in three time zones, and a booked
appointment for the demo candidate (Priya Raman) with one purchased test left over
for the visitor to book. Her A1 is not booked here: the exam-day demo
(certwright/proctoring/demo.py) books it today at Springfield.

Loading twice changes nothing: centres are found by code, their hours and closures
are written only when they have none, and a candidate with an appointment gets no
second one. The booking goes through the service (seats, lines, e-mail, events).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from certwright.audit.models import EventKind
from certwright.audit.services import event_record
from certwright.candidates.models import Technician
from certwright.commerce.demo import demo_load as commerce_demo_load
from certwright.core import clock
from certwright.credentials.demo import CANDIDATE_EMAIL  # Priya Raman's technician
from certwright.scheduling import hours, orders
from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Closure,
    OpeningHours,
    TestCentre,
)
from certwright.scheduling.services import BookingError, appointment_book

ACTOR = "demo"
PROCTOR_EMAIL = "proctor@example.com"  # certwright.accounts.demo's proctor
EXAM_DAY_TEST = "A1"  # booked today by certwright.proctoring.demo, not here
SEATS = 10


@dataclass(frozen=True)
class _Centre:
    code: str
    name: str
    address_line1: str
    city: str
    region: str
    postal_code: str
    time_zone: str
    weekdays: tuple[dt.time, dt.time]
    saturday: tuple[dt.time, dt.time]


CENTRES = (
    _Centre(
        "springfield-il",
        "Springfield Testing Center",
        "400 E Adams St",
        "Springfield",
        "IL",
        "62701",
        "America/Chicago",
        (dt.time(8), dt.time(18)),
        (dt.time(9), dt.time(15)),
    ),
    _Centre(
        "newark-nj",
        "Newark Technical Testing",
        "1 Gateway Center, Suite 300",
        "Newark",
        "NJ",
        "07102",
        "America/New_York",
        (dt.time(8, 30), dt.time(17, 30)),
        (dt.time(9), dt.time(14)),
    ),
    _Centre(
        "fresno-ca",
        "Fresno Valley Test Center",
        "2550 W Clinton Ave",
        "Fresno",
        "CA",
        "93705",
        "America/Los_Angeles",
        (dt.time(7, 30), dt.time(16, 30)),
        (dt.time(8), dt.time(13)),
    ),
)


@dataclass
class SchedulingDemoReport:
    centres_created: list[str] = field(default_factory=list)
    centres_present: list[str] = field(default_factory=list)
    appointment_id: int | None = None
    appointment_created: bool = False
    note: str = ""


def _centre(spec: _Centre, report: SchedulingDemoReport) -> TestCentre:
    centre = TestCentre.objects.filter(code=spec.code).first()
    if centre is not None:
        report.centres_present.append(spec.code)
        return centre
    with transaction.atomic():
        centre = TestCentre.objects.create(
            code=spec.code,
            name=spec.name,
            address_line1=spec.address_line1,
            city=spec.city,
            region=spec.region,
            postal_code=spec.postal_code,
            country="US",
            time_zone=spec.time_zone,
            seats=SEATS,
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(
                centre=centre,
                weekday=day,
                opens=(spec.saturday if day == 5 else spec.weekdays)[0],
                closes=(spec.saturday if day == 5 else spec.weekdays)[1],
            )
            for day in range(6)  # Monday to Saturday
        )
        event_record(
            kind=EventKind.CENTRE_CREATED,
            subject=f"centre:{centre.code}",
            actor=ACTOR,
            data={"seats": SEATS, "time_zone": spec.time_zone},
            reason="demo centre",
        )
    report.centres_created.append(spec.code)
    return centre


def _closure(centre: TestCentre) -> None:
    """One closure at the second centre: a staff-training day two weeks out."""
    if centre.closures.exists():
        return
    day = clock.today() + dt.timedelta(days=14)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    Closure.objects.create(
        centre=centre, starts_on=day, ends_on=day, reason="Staff training day"
    )


def _proctor(centre: TestCentre) -> None:
    proctor = get_user_model().objects.filter(email__iexact=PROCTOR_EMAIL).first()
    if proctor is not None:
        centre.admins.add(proctor)


def _appointment(centre: TestCentre, report: SchedulingDemoReport) -> None:
    technician = Technician.objects.filter(email=CANDIDATE_EMAIL).first()
    if technician is None or not orders.lines_bookable(
        technician_id=technician.pk, day=clock.today()
    ):
        commerce_demo_load()
        technician = Technician.objects.filter(email=CANDIDATE_EMAIL).first()
    if technician is None:
        report.note = "no demo candidate"
        return
    existing = Appointment.objects.filter(technician=technician).first()
    if existing is not None:
        report.appointment_id = existing.pk
        return
    lines = [
        line
        for line in orders.lines_bookable(
            technician_id=technician.pk, day=clock.today()
        )
        if line.test != EXAM_DAY_TEST
    ]
    if not lines:
        report.note = "the demo candidate has no purchased test to book"
        return
    # The first free weekday morning ten days out (inside every must-take-by date,
    # past the change deadline so the visitor can still move or cancel it).
    day = clock.today() + dt.timedelta(days=10)
    for _ in range(14):
        if day.weekday() < 5:
            start = hours.local_to_utc(day, dt.time(9), centre.tz)
            try:
                appointment = appointment_book(
                    technician_id=technician.pk,
                    centre_id=centre.pk,
                    starts_at=start,
                    order_line_ids=[lines[0].id],
                    actor=ACTOR,
                )
            except BookingError as error:
                report.note = str(error.message)
            else:
                report.appointment_id = appointment.pk
                report.appointment_created = True
                return
        day += dt.timedelta(days=1)


def demo_load() -> SchedulingDemoReport:
    """Load the scheduling demo rows (idempotent)."""
    report = SchedulingDemoReport()
    centres = [_centre(spec, report) for spec in CENTRES]
    _closure(centres[1])
    _proctor(centres[0])
    _appointment(centres[0], report)
    return report


def candidate_story() -> list[str]:
    """What the demo candidate has besides today's A1, read from the database so
    `certwright demo load` tells what is there: her other booked appointments (in
    the centre's time zone) and the tests she bought and has not booked."""
    technician = Technician.objects.filter(email=CANDIDATE_EMAIL).first()
    if technician is None:
        return []
    today = clock.today()
    lines: list[str] = []
    booked = (
        Appointment.objects.filter(
            technician=technician, status=AppointmentStatus.BOOKED
        )
        .exclude(tests__test=EXAM_DAY_TEST)
        .select_related("centre")
        .prefetch_related("tests")
        .order_by("starts_at")
    )
    for appointment in booked:
        local = appointment.starts_at.astimezone(appointment.centre.tz)
        tests = ", ".join(sorted(t.test for t in appointment.tests.all()))
        lines.append(
            f"{CANDIDATE_EMAIL} has {tests} booked at {appointment.centre.name} "
            f"on {local:%a %d %b %Y} at {local:%H:%M} ({appointment.centre.time_zone})"
        )
    unbooked = sorted(
        line.test
        for line in orders.lines_bookable(technician_id=technician.pk, day=today)
    )
    if unbooked:
        lines.append(
            f"{CANDIDATE_EMAIL} has bought {', '.join(unbooked)}, not booked yet: "
            "book it at /booking/"
        )
    return lines
