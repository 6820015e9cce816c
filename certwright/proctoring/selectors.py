"""Reads for the proctor console: a centre's day as the proctor sees it.

``sittings_of_day`` reads the day in a fixed number of queries whatever the number
of candidates: the appointments with their candidates and tests, then the attempts,
the accommodations and the incident counts of all of them at once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from certwright.core.roles import Role, user_is_program_staff, user_roles
from certwright.delivery.models import Accommodation, Attempt, AttemptStatus, Incident
from certwright.delivery.seats import MAX_LAUNCH_FAILURES, launch_code_display
from certwright.itembank.models import FormKind
from certwright.itembank.selectors import deliverable_pairs
from certwright.scheduling import selectors as scheduling_selectors
from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentTest,
    TestCentre,
)


def centre_staff_by_role(user: Any) -> bool:
    """A proctor or a centre administrator by role, listed at a centre or not yet
    (program staff are neither: they see every centre through
    ``centres_administered``)."""
    return bool(user_roles(user) & {Role.PROCTOR, Role.CENTRE_ADMIN})


def may_proctor(user: Any) -> bool:
    """Whether the proctor console is for ``user`` at all (the menu shows it):
    centre staff by role and program staff. Which centres they see is
    ``access_centre``'s."""
    return user_is_program_staff(user) or centre_staff_by_role(user)


# The badge tone of each state the console shows (site.css: ok, warn, bad).
_TONES = {
    "booked": "",
    "checked_in": "ok",
    "authorised": "warn",
    "in_progress": "ok",
    "time_up": "warn",
    "paused": "warn",
    "submitted": "ok",
    "expired": "ok",
    "voided": "bad",
    "lapsed": "bad",
    "completed": "ok",
    "no_show": "bad",
    "cancelled": "",
}
# Seats whose exam is open: the proctor's controls apply.
OPEN_STATES = ("authorised", "in_progress", "time_up", "paused")


def _labels() -> dict[str, str]:
    return {
        "booked": _("booked"),
        "checked_in": _("checked in"),
        "authorised": _("authorised: waiting for the candidate to start"),
        "in_progress": _("in progress"),
        "time_up": _("time up: submitting"),
        "paused": _("paused"),
        "submitted": _("submitted"),
        "expired": _("submitted at time-out"),
        "voided": _("ended by the proctor"),
        "lapsed": _("authorisation lapsed: never started"),
        "completed": _("completed"),
        "no_show": _("no-show"),
        "cancelled": _("cancelled"),
    }


def accommodation_text(accommodation: Accommodation) -> str:
    if accommodation.extra_percent is not None:
        text = _("+%(n)s %% time") % {"n": accommodation.extra_percent}
    else:
        text = _("+%(n)s min") % {"n": accommodation.extra_minutes}
    return f"{text} ({accommodation.test or _('every test')})"


def _kind_label(kind: str) -> str:
    return str(FormKind(kind).label) if kind in FormKind.values else kind


@dataclass(frozen=True, slots=True)
class SeatState:
    """One test of an appointment as the proctor sees it."""

    seat: AppointmentTest
    attempt: Attempt | None
    state: str
    label: str
    tone: str
    remaining: int | None  # seconds on the clock; None before authorisation
    extra_seconds: int  # accommodation time given (or that will be given)
    extra_text: str  # the accommodation that applies, in words ("" for none)
    # A published form of the test and kind exists: without one the seat cannot be
    # authorised, and the console says so before the proctor tries.
    deliverable: bool = True

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def minutes_left(self) -> int | None:
        if self.remaining is None:
            return None
        return math.ceil(self.remaining / 60)

    @property
    def extra_minutes(self) -> int:
        return math.ceil(self.extra_seconds / 60)

    @property
    def extended_minutes(self) -> int:
        return (self.attempt.extended_seconds // 60) if self.attempt else 0

    @property
    def can_authorise(self) -> bool:
        return self.state == "checked_in" and self.deliverable

    @property
    def undeliverable_text(self) -> str:
        """Why this seat cannot start ("" when it can or already has)."""
        if self.deliverable or self.attempt is not None:
            return ""
        return _(
            "No %(kind)s form of %(test)s is published: this test cannot be"
            " authorised. Program staff must publish one first."
        ) % {"kind": _kind_label(self.seat.kind), "test": self.seat.test}

    @property
    def launch_code(self) -> str:
        """The code the candidate enters at the seat, until a workstation holds
        the exam ("" then, and for a closed one)."""
        if self.attempt is None or not self.is_open or self.attempt.device_hash:
            return ""
        return launch_code_display(self.attempt.launch_code)

    @property
    def launch_locked(self) -> bool:
        return bool(
            self.attempt is not None
            and self.attempt.launch_failures >= MAX_LAUNCH_FAILURES
        )


@dataclass(slots=True)
class Sitting:
    """A candidate's appointment on the day, with its seats."""

    appointment: Appointment
    seats: list[SeatState]
    accommodations: list[Accommodation]
    incident_count: int
    today: dt.date
    now: dt.datetime
    incidents: list[Incident] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.appointment.local_start().date() == self.today

    @property
    def started(self) -> bool:
        return self.now >= self.appointment.starts_at

    @property
    def can_check_in(self) -> bool:
        return self.appointment.status == AppointmentStatus.BOOKED and self.is_today

    @property
    def can_no_show(self) -> bool:
        return self.appointment.status == AppointmentStatus.BOOKED and self.started

    @property
    def status_tone(self) -> str:
        return _TONES.get(self.appointment.status, "")


def _seat_state(
    seat: AppointmentTest,
    appointment: Appointment,
    attempt: Attempt | None,
    accommodations: Sequence[Accommodation],
    now: dt.datetime,
    deliverable: bool = True,
) -> SeatState:
    labels = _labels()
    applies = [a for a in accommodations if a.test in ("", seat.test)]
    base = seat.minutes * 60
    best = max(applies, key=lambda a: a.extra_seconds(base), default=None)
    extra_text = accommodation_text(best) if best is not None else ""
    if attempt is not None:
        state = attempt.status
        remaining: int | None = attempt.remaining_seconds(now)
        if state == AttemptStatus.IN_PROGRESS and remaining == 0:
            state = "time_up"
        extra = attempt.accommodation_seconds
    else:
        remaining = None
        extra = best.extra_seconds(base) if best is not None else 0
        state = appointment.status
    return SeatState(
        seat=seat,
        attempt=attempt,
        state=state,
        label=labels.get(state, state),
        tone=_TONES.get(state, ""),
        remaining=remaining,
        extra_seconds=extra,
        extra_text=extra_text,
        deliverable=deliverable,
    )


def _sittings(
    appointments: Iterable[Appointment], *, today: dt.date, now: dt.datetime
) -> list[Sitting]:
    appointments = list(appointments)
    ids = [a.pk for a in appointments]
    technicians = {a.technician_id for a in appointments}
    attempts = {
        attempt.appointment_test_id: attempt
        for attempt in Attempt.objects.filter(appointment_id__in=ids)
    }
    accommodations: dict[int, list[Accommodation]] = {}
    for accommodation in Accommodation.objects.filter(
        technician_id__in=technicians,
        approved_at__isnull=False,
        revoked_at__isnull=True,
    ):
        accommodations.setdefault(accommodation.technician_id, []).append(accommodation)
    incidents = Counter(
        dict(
            Incident.objects.filter(appointment_id__in=ids)
            .values("appointment_id")
            .annotate(n=Count("id"))
            .values_list("appointment_id", "n")
        )
    )
    deliverable = deliverable_pairs(
        {seat.test for appointment in appointments for seat in appointment.tests.all()}
    )
    sittings = []
    for appointment in appointments:
        own = accommodations.get(appointment.technician_id, [])
        cancelled = appointment.status == AppointmentStatus.CANCELLED
        seats = [
            _seat_state(
                seat,
                appointment,
                attempts.get(seat.pk),
                own,
                now,
                deliverable=(seat.test, seat.kind) in deliverable,
            )
            for seat in appointment.tests.all()
            if cancelled or seat.released_at is None
        ]
        sittings.append(
            Sitting(
                appointment=appointment,
                seats=seats,
                accommodations=own,
                incident_count=incidents[appointment.pk],
                today=today,
                now=now,
            )
        )
    return sittings


def sittings_of_day(
    centre: TestCentre, day: dt.date, *, now: dt.datetime
) -> list[Sitting]:
    """Every appointment at ``centre`` starting on its local ``day``, with the state
    of each test, in start order."""
    today = scheduling_selectors.centre_local_today(centre, now=now)
    return _sittings(scheduling_selectors.centre_day(centre, day), today=today, now=now)


def sitting_get(
    centre: TestCentre, appointment_id: int, *, now: dt.datetime
) -> Sitting | None:
    """One appointment at ``centre`` with its seats and incident notes; None when
    the centre has no such appointment."""
    appointment = (
        Appointment.objects.filter(pk=appointment_id, centre_id=centre.pk)
        .select_related("technician", "centre")
        .prefetch_related("tests")
        .first()
    )
    if appointment is None:
        return None
    today = scheduling_selectors.centre_local_today(centre, now=now)
    (sitting,) = _sittings([appointment], today=today, now=now)
    sitting.incidents = list(
        Incident.objects.filter(
            Q(appointment_id=appointment.pk) | Q(attempt__appointment_id=appointment.pk)
        )
        .select_related("attempt")
        .order_by("-created_at", "-id")
    )
    return sitting


def day_summary(sittings: Sequence[Sitting]) -> list[tuple[str, int]]:
    """How many seats are in each state, in the order a day runs, for the
    counts at the top of the board."""
    counts = Counter(seat.state for s in sittings for seat in s.seats)
    labels = _labels()
    return [(labels[state], counts[state]) for state in _TONES if counts[state]]
