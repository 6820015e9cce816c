"""Booking pages: my appointments, book, reschedule, cancel, centres, a centre's day.

Thin: each view checks who is asking (``access_*``), reads through the selectors,
writes through the services, and shows a refusal's message with nothing written.
The slot picker is a fragment (``_slots.html``) that htmx swaps in as the candidate
changes the centre or the day; without JavaScript the "Show free times" button posts
the choices so far and gets the same page back (nothing is booked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.core import clock
from certwright.core.program import current_program
from certwright.scheduling import hours, orders, selectors, services
from certwright.scheduling.forms import BookForm, CancelForm, RescheduleForm
from certwright.scheduling.invites import appointment_invite
from certwright.scheduling.models import Appointment, TestCentre
from certwright.scheduling.selectors import request_actor

# Refusals the candidate can fix by choosing again answer 409 (the state moved
# under them); the others 400.
_CONFLICTS = {"full", "stale", "lines", "overlap", "deadline", "state"}


# An account without a technician record is told what it cannot do here.
NOT_CANDIDATE = "scheduling/not_candidate.html"


def _refused(request: HttpRequest, error: services.BookingError) -> int:
    for text in error.messages:
        messages.error(request, text)
    return 409 if error.code in _CONFLICTS else 400


def _int_list(values: Sequence[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _day(value: str | None) -> dt.date | None:
    """A day from a query string or form; None for anything not a real date."""
    try:
        return parse_date(value or "")
    except ValueError:  # well-formed but impossible, e.g. 2026-02-31
        return None


def _centre_from(value: str | None) -> TestCentre | None:
    if not value or not value.isdigit():
        return None
    return selectors.centre_get(centre_id=int(value))


# --- the slot picker -----------------------------------------------------------------


def _picker(
    *,
    tests: Sequence[tuple[str, str]],
    centre: TestCentre | None,
    day: dt.date | None,
    must_take_by: dt.date | None,
    holding: Appointment | None = None,
) -> dict[str, Any]:
    """What the slot fragment shows for the choices so far."""
    state: dict[str, Any] = {
        "slots": [],
        "centre": centre,
        "day": day,
        "minutes": None,
        "hint": "",
        "no_change": False,
        "cutoff_days": selectors.change_cutoff_days(),
    }
    if not tests:
        state["hint"] = _("Choose the tests to take first.")
        return state
    if centre is None or day is None:
        state["hint"] = _("Choose a centre and a day to see the free times.")
        return state
    if must_take_by is not None and day > must_take_by:
        state["hint"] = _(
            "That day is after the must-take-by date (%(day)s); choose an earlier one."
        ) % {"day": must_take_by.isoformat()}
        return state
    if (
        selectors.centre_local_today(centre)
        <= day
        < selectors.first_bookable_day(centre)
    ):
        state["hint"] = _(
            "Seats cannot be booked for the same day; choose %(day)s or later."
        ) % {"day": selectors.first_bookable_day(centre).isoformat()}
        return state
    # Said before the candidate confirms: inside the no-change window the booking
    # cannot be moved or cancelled afterwards.
    state["no_change"] = selectors.last_day_to_change(
        hours.local_midnight(day, centre.tz), centre.tz
    ) < selectors.centre_local_today(centre)
    minutes = selectors.appointment_minutes(
        program=current_program(), tests=tests, day=day
    )
    state["minutes"] = minutes
    state["slots"] = selectors.centre_slots(
        centre=centre, first_day=day, last_day=day, minutes=minutes, holding=holding
    )
    if not state["slots"]:
        state["hint"] = selectors.day_closed_reason(centre, day) or _(
            "No free times at %(centre)s on %(day)s for %(minutes)s minutes; try"
            " another day or centre."
        ) % {"centre": centre.name, "day": day.isoformat(), "minutes": minutes}
    return state


def _showing(request: HttpRequest) -> bool:
    """The "Show free times" button (without JavaScript): a POST that only asks for
    the page again with the choices so far. A POST, not a GET, so the form's CSRF
    token never lands in the address bar, the history or a server log."""
    return request.method == "POST" and SHOW_FREE_TIMES in request.POST


SHOW_FREE_TIMES = "show_free_times"


def _chosen_lines(
    bookable: Sequence[orders.BookableLine], ids: Sequence[int]
) -> list[orders.BookableLine]:
    wanted = set(ids)
    return [line for line in bookable if line.id in wanted]


def _earliest(lines: Sequence[Any]) -> dt.date | None:
    return min((line.must_take_by for line in lines), default=None)


@candidate_required(NOT_CANDIDATE)
def slots(request: HttpRequest, technician: Technician) -> HttpResponse:
    """The free-times fragment for the picker (htmx), booking or rescheduling."""
    centre = _centre_from(request.GET.get("centre"))
    day = _day(request.GET.get("date"))
    appointment_id = request.GET.get("appointment", "")
    if appointment_id.isdigit():
        appointment = selectors.access_own_appointment(
            request.user, int(appointment_id)
        )
        tests = list(selectors.live_tests_of(appointment.pk))
        state = _picker(
            tests=[(t.test, t.kind) for t in tests],
            centre=centre,
            day=day,
            must_take_by=_earliest(tests),
            holding=appointment,
        )
    else:
        bookable = orders.lines_bookable(technician_id=technician.pk, day=clock.today())
        lines = _chosen_lines(bookable, _int_list(request.GET.getlist("lines")))
        state = _picker(
            tests=[(line.test, line.kind) for line in lines],
            centre=centre,
            day=day,
            must_take_by=_earliest(lines),
        )
    return render(
        request,
        "scheduling/_slots.html",
        {**state, "chosen": request.GET.get("starts_at", "")},
    )


# --- the candidate's pages -----------------------------------------------------------


@candidate_required(NOT_CANDIDATE)
def appointment_list(request: HttpRequest, technician: Technician) -> HttpResponse:
    appointments = list(selectors.appointments_of(technician.pk))
    moment = clock.now()
    upcoming = [a for a in appointments if a.is_live and a.ends_at > moment]
    past = [a for a in reversed(appointments) if a not in upcoming]
    bookable = orders.lines_bookable(technician_id=technician.pk, day=clock.today())
    waiting = orders.lines_waiting(technician_id=technician.pk, day=clock.today())
    return render(
        request,
        "scheduling/appointment_list.html",
        {"upcoming": upcoming, "past": past, "bookable": bookable, "waiting": waiting},
    )


@candidate_required(NOT_CANDIDATE)
@require_http_methods(["GET", "POST"])
def appointment_book(request: HttpRequest, technician: Technician) -> HttpResponse:
    """Choose purchased tests, a centre, a day and a free time; book."""
    bookable = orders.lines_bookable(technician_id=technician.pk, day=clock.today())
    status = 200
    if request.method == "POST" and not _showing(request):
        form = BookForm(request.POST, lines=bookable)
        if form.is_valid():
            try:
                appointment = services.appointment_book(
                    technician_id=technician.pk,
                    centre_id=form.cleaned_data["centre"].pk,
                    starts_at=form.cleaned_data["starts_at"],
                    order_line_ids=form.cleaned_data["lines"],
                    actor=request_actor(request),
                )
            except services.BookingError as error:
                status = _refused(request, error)
                bookable = orders.lines_bookable(
                    technician_id=technician.pk, day=clock.today()
                )
                form = BookForm(request.POST, lines=bookable)
                form.is_valid()
            else:
                messages.success(
                    request,
                    _(
                        "Booked. The confirmation and a calendar invitation are on"
                        " their way by e-mail."
                    ),
                )
                return redirect("scheduling:appointment_detail", appointment.pk)
        else:
            status = 400
        data = request.POST
    else:
        data = request.POST if _showing(request) else request.GET
        initial = {
            "lines": _int_list(data.getlist("lines"))
            or ([bookable[0].id] if len(bookable) == 1 else []),
            "centre": data.get("centre"),
            "date": data.get("date"),
        }
        form = BookForm(initial=initial, lines=bookable)
    chosen = _chosen_lines(
        bookable, _int_list(data.getlist("lines")) or form.initial.get("lines", [])
    )
    day = _day(data.get("date"))
    picker = _picker(
        tests=[(line.test, line.kind) for line in chosen],
        centre=_centre_from(data.get("centre")),
        day=day,
        must_take_by=_earliest(chosen),
    )
    _limit_days(form, clock.today(), _earliest(chosen) or _earliest(bookable))
    return render(
        request,
        "scheduling/appointment_book.html",
        {
            "form": form,
            "bookable": bookable,
            "waiting": orders.lines_waiting(
                technician_id=technician.pk, day=clock.today()
            ),
            "today": clock.today(),
            "max_day": _earliest(chosen) or _earliest(bookable),
            "chosen": data.get("starts_at", ""),
            **picker,
        },
        status=status,
    )


def _limit_days(form: Any, today: dt.date, last: dt.date | None) -> None:
    """The date input offers the first bookable day (today, or tomorrow where the
    program has no same-day booking) up to the must-take-by date."""
    attrs = form.fields["date"].widget.attrs
    if not current_program().scheduling.same_day_booking:
        today += dt.timedelta(days=1)
    attrs["min"] = today.isoformat()
    if last is not None:
        attrs["max"] = last.isoformat()


def _own(request: HttpRequest, appointment_id: int) -> Appointment:
    return selectors.access_own_appointment(request.user, appointment_id)


@login_required
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    # The candidate, the centre's staff and program staff may look; only the
    # candidate may change it (the buttons show for them alone).
    appointment = selectors.access_appointment(request.user, appointment_id)
    own = appointment.technician.user_id == request.user.pk
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "tests": list(appointment.tests.all()),
            "own": own,
            "can_change": own and selectors.can_change(appointment),
            "last_change_day": selectors.last_change_day(appointment),
            "cutoff_days": selectors.change_cutoff_days(),
        },
    )


@login_required
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.access_appointment(request.user, appointment_id)
    ics, method = appointment_invite(appointment)
    response = HttpResponse(ics, content_type=f"text/calendar; method={method}")
    response["Content-Disposition"] = (
        f'attachment; filename="appointment-{appointment.pk}.ics"'
    )
    return response


@candidate_required(NOT_CANDIDATE)
@require_http_methods(["GET", "POST"])
def appointment_reschedule(
    request: HttpRequest, technician: Technician, appointment_id: int
) -> HttpResponse:
    appointment = _own(request, appointment_id)
    status = 200
    if request.method == "POST" and not _showing(request):
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                services.appointment_reschedule(
                    appointment_id=appointment.pk,
                    centre_id=form.cleaned_data["centre"].pk,
                    starts_at=form.cleaned_data["starts_at"],
                    expected_sequence=form.cleaned_data["sequence"],
                    actor=request_actor(request),
                )
            except services.BookingError as error:
                status = _refused(request, error)
                appointment = _own(request, appointment_id)
            else:
                messages.success(
                    request,
                    _("Moved. The updated calendar invitation is on its way."),
                )
                return redirect("scheduling:appointment_detail", appointment.pk)
        else:
            status = 400
        data = request.POST
    else:
        data = request.POST if _showing(request) else request.GET
        form = RescheduleForm(
            initial={
                "centre": data.get("centre") or appointment.centre_id,
                "date": data.get("date") or appointment.local_start().date(),
                "sequence": appointment.sequence,
            }
        )
    tests = list(selectors.live_tests_of(appointment.pk))
    centre = _centre_from(data.get("centre")) or appointment.centre
    day = _day(data.get("date")) or appointment.local_start().date()
    picker = _picker(
        tests=[(t.test, t.kind) for t in tests],
        centre=centre,
        day=day,
        must_take_by=_earliest(tests),
        holding=appointment,
    )
    _limit_days(form, clock.today(), _earliest(tests))
    return render(
        request,
        "scheduling/appointment_reschedule.html",
        {
            "form": form,
            "appointment": appointment,
            "tests": tests,
            "can_change": selectors.can_change(appointment),
            "last_change_day": selectors.last_change_day(appointment),
            "cutoff_days": selectors.change_cutoff_days(),
            "today": clock.today(),
            "max_day": _earliest(tests),
            "chosen": data.get("starts_at", ""),
            **picker,
        },
        status=status,
    )


@candidate_required(NOT_CANDIDATE)
@require_http_methods(["GET", "POST"])
def appointment_cancel(
    request: HttpRequest, technician: Technician, appointment_id: int
) -> HttpResponse:
    appointment = _own(request, appointment_id)
    status = 200
    if request.method == "POST":
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.appointment_cancel(
                    appointment_id=appointment.pk,
                    expected_sequence=form.cleaned_data["sequence"],
                    actor=request_actor(request),
                    reason="cancelled by the candidate",
                )
            except services.BookingError as error:
                status = _refused(request, error)
                appointment = _own(request, appointment_id)
            else:
                messages.success(
                    request,
                    _(
                        "Cancelled. Your tests are free to book again, or to cancel in"
                        " the shop for a refund."
                    ),
                )
                return redirect("scheduling:appointment_list")
        else:
            status = 400
    form = CancelForm(initial={"sequence": appointment.sequence})
    return render(
        request,
        "scheduling/appointment_cancel.html",
        {
            "form": form,
            "appointment": appointment,
            "tests": list(appointment.tests.all()),
            "can_change": selectors.can_change(appointment),
            "last_change_day": selectors.last_change_day(appointment),
            "cutoff_days": selectors.change_cutoff_days(),
        },
        status=status,
    )


# --- centres -------------------------------------------------------------------------


def centre_list(request: HttpRequest) -> HttpResponse:
    """Every centre taking bookings, with its address, hours and coming closures."""
    return render(
        request, "scheduling/centre_list.html", {"centres": selectors.centre_list()}
    )


@login_required
def centre_admin(request: HttpRequest) -> HttpResponse:
    """The centres the user works at; straight to the day when there is one."""
    centres = list(selectors.centres_administered(request.user))
    if not centres:
        raise Http404("You do not administer a test centre.")
    if len(centres) == 1:
        return redirect("scheduling:centre_day", centres[0].pk)
    return render(request, "scheduling/centre_admin.html", {"centres": centres})


@login_required
def centre_day(request: HttpRequest, centre_id: int) -> HttpResponse:
    """A centre's appointments on one local day (today by default)."""
    centre = selectors.access_centre(request.user, centre_id)
    today = selectors.centre_local_today(centre)
    day = _day(request.GET.get("date")) or today
    if abs((day - today).days) > selectors.HORIZON_DAYS:
        day = today
    appointments = list(selectors.centre_day(centre, day))
    moment = clock.now()
    return render(
        request,
        "scheduling/centre_day.html",
        {
            "centre": centre,
            "day": day,
            "today": today,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "appointments": appointments,
            "now": moment,
        },
    )


_CENTRE_ACTIONS: dict[str, Callable[..., Appointment]] = {
    "check_in": services.appointment_check_in,
    "no_show": services.appointment_mark_no_show,
    "complete": services.appointment_complete,
}


@login_required
@require_POST
def centre_appointment_action(
    request: HttpRequest, centre_id: int, appointment_id: int, action: str
) -> HttpResponse:
    """Check-in, no-show or completion, recorded by the centre's staff."""
    centre = selectors.access_centre(request.user, centre_id)
    appointment = selectors.access_centre_appointment(
        request.user, centre, appointment_id
    )
    if action not in _CENTRE_ACTIONS:
        raise Http404("No such action.")
    try:
        _CENTRE_ACTIONS[action](
            appointment_id=appointment.pk, actor=request_actor(request)
        )
    except services.BookingError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(name)s: %(action)s recorded.")
            % {
                "name": appointment.technician.name,
                "action": action.replace("_", " "),
            },
        )
    day = appointment.starts_at.astimezone(centre.tz).date()
    return redirect(
        f"{reverse('scheduling:centre_day', args=[centre.pk])}?date={day.isoformat()}"
    )
