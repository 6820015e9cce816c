"""Reads: centres, free slots, appointments, and who may see which.

``access_centre`` and ``access_appointment`` are the one place permission is decided
for an object: anyone else's object is answered with Http404, never 403, so ids
cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from certwright.audit.personal_data import export_part
from certwright.audit.services import Actor
from certwright.candidates.models import Technician
from certwright.core.clock import now as clock_now
from certwright.core.program import current_program
from certwright.core.roles import user_is_program_staff
from certwright.program.model import Program
from certwright.scheduling import hours
from certwright.scheduling.models import (
    LIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentTest,
    Closure,
    OpeningHours,
    SeatBlock,
    TestCentre,
    Weekday,
)

# ASE: "each appointment includes an extra half-hour for check-in, a pre-test
# tutorial and a post-test survey".
CHECK_IN_MINUTES = 30
# A test's time when the blueprint states none (Program.sitting_minutes), and the
# no-change window before an appointment ("no changes or cancellations within 3
# days"), are program data: [scheduling] in the program's TOML.
# The slot search looks at most this many days per request.
MAX_SLOT_DAYS = 31
# Nothing is booked further ahead than this (must-take-by dates are 90 days out).
HORIZON_DAYS = 366


# --- durations -----------------------------------------------------------------------


def sitting_minutes(*, program: Program, test: str, kind: str, day: dt.date) -> int:
    """How long one sitting of ``test`` takes on ``day`` (the program's answer, the
    same the catalog shows)."""
    return program.sitting_minutes(test, kind, day)


def appointment_minutes(
    *, program: Program, tests: Iterable[tuple[str, str]], day: dt.date
) -> int:
    """The length of an appointment for ``tests`` ((test, kind) pairs) on ``day``:
    the tests' times added, plus the check-in half hour."""
    return CHECK_IN_MINUTES + sum(
        sitting_minutes(program=program, test=t, kind=k, day=day) for t, k in tests
    )


# --- who may see what ----------------------------------------------------------------


def request_actor(request: HttpRequest) -> Actor:
    """Who acts in a request, for the audit trail (None: nobody signed in)."""
    user = request.user
    return user if isinstance(user, AbstractBaseUser) else None


def centres_administered(user: Any) -> QuerySet[TestCentre]:
    """The centres whose day ``user`` may see: all for program staff, otherwise the
    centres listing them as staff."""
    if not getattr(user, "is_authenticated", False):
        return TestCentre.objects.none()
    if user_is_program_staff(user):
        return TestCentre.objects.all()
    return TestCentre.objects.filter(admins=user)


def access_centre(user: Any, centre_id: int, *, lock: bool = False) -> TestCentre:
    """The centre, for a user who administers it (or program staff); Http404 for
    anyone else."""
    queryset = centres_administered(user).filter(pk=centre_id)
    if lock:
        queryset = queryset.select_for_update()
    centre = queryset.first()
    if centre is None:
        raise Http404("No such test centre.")
    return centre


def access_appointment(
    user: Any, appointment_id: int, *, lock: bool = False
) -> Appointment:
    """The appointment, for its candidate, the staff of its centre or program staff;
    Http404 for anyone else."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such appointment.")
    queryset = Appointment.objects.select_related("centre", "technician")
    if not user_is_program_staff(user):
        queryset = queryset.filter(
            Q(technician__user_id=user.pk)
            | Q(centre__in=TestCentre.objects.filter(admins=user).values("pk"))
        )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    appointment = queryset.filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404("No such appointment.")
    return appointment


def access_centre_appointment(
    user: Any, centre: TestCentre, appointment_id: int
) -> Appointment:
    """The appointment through its own centre's pages (``centre`` as
    ``access_centre`` gave it): Http404 through another centre's address, and for
    anyone ``access_appointment`` refuses."""
    appointment = access_appointment(user, appointment_id)
    if appointment.centre_id != centre.pk:
        raise Http404("No such appointment at this centre.")
    return appointment


def access_own_appointment(user: Any, appointment_id: int) -> Appointment:
    """The appointment, for its candidate only (booking changes are the candidate's);
    Http404 for anyone else, centre staff included."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such appointment.")
    appointment = (
        Appointment.objects.select_related("centre", "technician")
        .filter(pk=appointment_id, technician__user_id=user.pk)
        .first()
    )
    if appointment is None:
        raise Http404("No such appointment.")
    return appointment


# --- centres -------------------------------------------------------------------------


def centre_list(*, active_only: bool = True) -> QuerySet[TestCentre]:
    """Centres with their opening hours and coming closures, for listing."""
    centres = TestCentre.objects.all()
    if active_only:
        centres = centres.filter(active=True)
    return centres.prefetch_related(
        "opening_hours",
        Prefetch(
            "closures",
            queryset=Closure.objects.filter(ends_on__gte=clock_now().date()),
        ),
    )


def centre_get(*, centre_id: int, active_only: bool = True) -> TestCentre | None:
    return centre_list(active_only=active_only).filter(pk=centre_id).first()


def centre_local_today(
    centre: TestCentre, *, now: dt.datetime | None = None
) -> dt.date:
    return (now or clock_now()).astimezone(centre.tz).date()


# --- free slots ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: dt.datetime  # UTC
    ends_at: dt.datetime
    seats_left: int
    tz: ZoneInfo

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(self.tz)


def centre_slots(
    *,
    centre: TestCentre,
    first_day: dt.date,
    last_day: dt.date,
    minutes: int,
    now: dt.datetime | None = None,
    holding: Appointment | None = None,
) -> list[Slot]:
    """The start times at ``centre`` on the local days ``first_day``..``last_day``
    where an appointment of ``minutes`` fits the opening hours and has a free seat in
    every block it covers, with the seats left (the fewest over those blocks).

    Reads the centre's hours and closures, then the seat blocks of the whole range in
    one query; blocks never written have all the centre's seats free. The seats of
    ``holding`` (an appointment being moved) count as free: moving gives them back.
    """
    moment = now or clock_now()
    tz = centre.tz
    # Nothing before the centre's today or beyond the horizon (which also keeps the
    # date arithmetic away from year 1 and year 9999).
    today = moment.astimezone(tz).date()
    horizon = today + dt.timedelta(days=HORIZON_DAYS)
    if minutes <= 0 or first_day > horizon or last_day < today:
        return []
    first_day = max(first_day, today)
    last_day = min(last_day, first_day + dt.timedelta(days=MAX_SLOT_DAYS - 1), horizon)
    if last_day < first_day:
        return []
    intervals = hours.open_intervals(
        _hours_of(centre),
        _closures_of(centre, first_day, last_day),
        tz,
        first_day,
        last_day,
    )
    if not intervals:
        return []
    free = {
        starts_at: seats - booked
        for starts_at, seats, booked in SeatBlock.objects.filter(
            centre_id=centre.pk,
            starts_at__gte=intervals[0].opens,
            starts_at__lt=max(i.closes for i in intervals),
        ).values_list("starts_at", "seats", "booked")
    }
    if holding is not None and holding.is_live and holding.centre_id == centre.pk:
        for block in hours.blocks(holding.starts_at, holding.ends_at):
            if block in free:
                free[block] += 1
    length = dt.timedelta(minutes=minutes)
    slots: list[Slot] = []
    seen: set[dt.datetime] = set()
    for interval in intervals:
        start = hours.grid_ceil(max(interval.opens, moment))
        while start + length <= interval.closes:
            if start > moment and start not in seen:
                seen.add(start)
                left = min(
                    free.get(b, centre.seats)
                    for b in hours.blocks(start, start + length)
                )
                if left > 0:
                    slots.append(Slot(start, start + length, left, tz))
            start += hours.BLOCK
    slots.sort(key=lambda s: s.starts_at)
    return slots


def _hours_of(centre: TestCentre) -> Sequence[OpeningHours]:
    cache = getattr(centre, "_prefetched_objects_cache", {})
    if "opening_hours" in cache:
        return list(cache["opening_hours"])
    return list(OpeningHours.objects.filter(centre_id=centre.pk))


def _closures_of(centre: TestCentre, first: dt.date, last: dt.date) -> list[Closure]:
    return list(
        Closure.objects.filter(
            centre_id=centre.pk, starts_on__lte=last, ends_on__gte=first
        )
    )


def day_closed_reason(
    centre: TestCentre, day: dt.date, *, now: dt.datetime | None = None
) -> str | None:
    """Why ``centre`` has no times at all on its local ``day``: the day has passed,
    it is closed that day (with the closure's reason), or it does not open on that
    weekday; None when it is open (its times may still be full or too short)."""
    if day < centre_local_today(centre, now=now):
        return _("%(day)s has passed; choose today or a later day.") % {
            "day": day.isoformat()
        }
    closure = (
        Closure.objects.filter(
            centre_id=centre.pk, starts_on__lte=day, ends_on__gte=day
        )
        .order_by("starts_on")
        .first()
    )
    if closure is not None:
        return _("%(centre)s is closed on %(day)s: %(reason)s.") % {
            "centre": centre.name,
            "day": day.isoformat(),
            "reason": closure.reason.rstrip("."),
        }
    if not any(h.weekday == day.weekday() for h in _hours_of(centre)):
        return _("%(centre)s is closed every %(weekday)s.") % {
            "centre": centre.name,
            "weekday": Weekday(day.weekday()).label,
        }
    return None


def opening_problem(
    centre: TestCentre,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    now: dt.datetime | None = None,
) -> tuple[str, str] | None:
    """Why an appointment from ``starts_at`` to ``ends_at`` cannot be held at
    ``centre``, as (code, message); None when it can (seats aside)."""
    moment = now or clock_now()
    tz = centre.tz
    local_start = starts_at.astimezone(tz)
    day = local_start.date()
    if not centre.active:
        return "closed", _("%(centre)s is not taking bookings.") % {
            "centre": centre.name
        }
    if starts_at <= moment:
        return "past", _("That time has passed; choose a later one.")
    if not hours.on_grid(starts_at):
        return "time", _("Appointments start on the quarter hour.")
    closure = hours.closure_on(_closures_of(centre, day, day), day)
    if closure is not None:
        return "closed", _("%(centre)s is closed on %(day)s (%(reason)s).") % {
            "centre": centre.name,
            "day": date_format(day, "l d F Y"),
            "reason": closure.reason,
        }
    intervals = hours.open_intervals(_hours_of(centre), (), tz, day, day)
    if not intervals:
        return "closed", _("%(centre)s is closed on %(weekday)ss.") % {
            "centre": centre.name,
            "weekday": date_format(day, "l"),
        }
    for interval in intervals:
        if interval.opens <= starts_at < interval.closes:
            if ends_at <= interval.closes:
                return None
            closes = interval.closes.astimezone(tz)
            return "hours", _(
                "An appointment of %(minutes)d minutes starting at %(start)s would "
                "end after the centre closes at %(closes)s."
            ) % {
                "minutes": (ends_at - starts_at).total_seconds() // 60,
                "start": f"{local_start:%H:%M}",
                "closes": f"{closes:%H:%M}",
            }
    spans = ", ".join(
        f"{i.opens.astimezone(tz):%H:%M}–{i.closes.astimezone(tz):%H:%M}"
        for i in intervals
    )
    return "hours", _(
        "%(start)s is outside the opening hours on %(weekday)ss (%(hours)s)."
    ) % {
        "start": f"{local_start:%H:%M}",
        "weekday": date_format(day, "l"),
        "hours": spans,
    }


# --- appointments --------------------------------------------------------------------


def change_cutoff_days() -> int:
    """The program's no-change window, in days before the appointment's day."""
    return current_program().scheduling.change_cutoff_days


def deadline_for(starts_at: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The instant after which an appointment starting at ``starts_at`` (at a centre
    in ``tz``) can no longer be changed: with ASE's 3 days, the start of local day
    D-2 for an appointment on local day D (changeable through D-3)."""
    day = starts_at.astimezone(tz).date()
    return hours.local_midnight(day - dt.timedelta(days=change_cutoff_days() - 1), tz)


def change_deadline(appointment: Appointment) -> dt.datetime:
    """The instant after which the appointment can no longer be rescheduled or
    cancelled (see ``deadline_for``)."""
    return deadline_for(appointment.starts_at, appointment.centre.tz)


def last_day_to_change(starts_at: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The last local day on which an appointment from ``starts_at`` can be
    changed (before ``today``: none; it stands as booked)."""
    return deadline_for(starts_at, tz).astimezone(tz).date() - dt.timedelta(days=1)


def first_bookable_day(
    centre: TestCentre, *, now: dt.datetime | None = None
) -> dt.date:
    """The first local day a candidate may book at ``centre``: today where the
    program allows same-day booking, otherwise tomorrow."""
    local_today = centre_local_today(centre, now=now)
    if current_program().scheduling.same_day_booking:
        return local_today
    return local_today + dt.timedelta(days=1)


def last_change_day(appointment: Appointment) -> dt.date:
    """The last local day on which the appointment can be changed."""
    return last_day_to_change(appointment.starts_at, appointment.centre.tz)


def can_change(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    return appointment.status == AppointmentStatus.BOOKED and (
        now or clock_now()
    ) < change_deadline(appointment)


def appointments_of(technician_id: int) -> QuerySet[Appointment]:
    """A technician's appointments, soonest first, with centre and tests."""
    return (
        Appointment.objects.filter(technician_id=technician_id)
        .select_related("centre")
        .prefetch_related("tests")
        .order_by("starts_at", "id")
    )


def centre_day(centre: TestCentre, day: dt.date) -> QuerySet[Appointment]:
    """The appointments (any status) at ``centre`` starting on its local ``day``."""
    tz = centre.tz
    return (
        Appointment.objects.filter(
            centre_id=centre.pk,
            starts_at__gte=hours.local_midnight(day, tz),
            starts_at__lt=hours.local_midnight(day + dt.timedelta(days=1), tz),
        )
        .select_related("technician", "centre")
        .prefetch_related("tests")
        .order_by("starts_at", "id")
    )


def live_tests_of(appointment_id: int) -> QuerySet[AppointmentTest]:
    return AppointmentTest.objects.filter(
        appointment_id=appointment_id, released_at__isnull=True
    ).order_by("test")


def overlapping_live(
    technician_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    exclude_id: int | None = None,
) -> Appointment | None:
    """A live appointment of the technician overlapping the given span."""
    queryset = Appointment.objects.filter(
        technician_id=technician_id,
        status__in=LIVE_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.select_related("centre").first()


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """scheduling's part of the technician's data export: their appointments and
    the tests booked in each."""
    return export_part(
        Appointment.objects.filter(technician_id=technician.pk),
        AppointmentTest.objects.filter(appointment__technician_id=technician.pk),
    )
