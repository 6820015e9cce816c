"""The proctor console: a centre's day for its proctors and admins (and program
staff), and the controls of one candidate's sitting.

Pages:

- ``/proctor/``: the centres the user staffs (straight to the day when there is
  one), with a centre and day picker.
- ``/proctor/centres/<c>/?date=``: the day's board, every candidate with the time,
  the tests and their state (time left in progress), refreshed by htmx every 10 s.
- ``/proctor/centres/<c>/appointments/<a>/``: one sitting: check-in (photo ID and
  name), per test authorise, pause/resume, extra time, end; incident notes;
  no-show. Its live part refreshes too.

The live parts poll a fragment (``board/``, ``live/``); proctor.js skips a refresh
while the proctor is filling in a form inside it, so nothing typed is lost. Every
action is a POST with the CSRF token that redirects back (PRG) with a message; a
refused one shows the service's message and the form as it was sent. Thin, as
everywhere: who may see what is ``access_centre`` (404 for anyone else), writes are
the services'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from certwright.core import clock
from certwright.delivery.attempts import attempt_authorise
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt
from certwright.delivery.seats import launch_code_display
from certwright.proctoring import services
from certwright.proctoring.forms import (
    PAUSE_REASONS,
    CheckInForm,
    DeviceForm,
    EndForm,
    ExtendForm,
    IncidentForm,
    PauseForm,
    ResumeForm,
)
from certwright.proctoring.selectors import (
    SeatState,
    Sitting,
    centre_staff_by_role,
    day_summary,
    sitting_get,
    sittings_of_day,
)
from certwright.scheduling import selectors as scheduling_selectors
from certwright.scheduling.models import Appointment, AppointmentTest, TestCentre
from certwright.scheduling.selectors import access_centre_appointment, request_actor
from certwright.scheduling.services import BookingError, appointment_mark_no_show

View = Callable[..., HttpResponse]
F = TypeVar("F", bound=forms.Form)
POLL_SECONDS = 10
# Refusals because the state moved (409), the rest are bad input (400).
_CONFLICTS = {
    "state",
    "stale",
    "finished",
    "not_started",
    "deadline",
    "busy",
    "paused",
    "time",
    "no_form",
}


def proctor_login_required(view: View) -> View:
    """Signed in; an htmx poll of a signed-out page reloads it (to the sign-in
    page) instead of swapping the sign-in form into the board."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                return HttpResponseClientRefresh()
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def parse_date_safe(value: str | None) -> dt.date | None:
    try:
        return parse_date(value or "")
    except ValueError:  # well-formed but impossible, e.g. 2026-02-31
        return None


def _day(value: str | None, today: dt.date) -> dt.date:
    day = parse_date_safe(value)
    if day is None or abs((day - today).days) > scheduling_selectors.HORIZON_DAYS:
        return today
    return day


def _seat(appointment: Appointment, seat_id: int) -> AppointmentTest:
    seat = AppointmentTest.objects.filter(
        pk=seat_id, appointment_id=appointment.pk
    ).first()
    if seat is None:
        raise Http404("No such test in this appointment.")
    return seat


def _sitting_url(centre: TestCentre, appointment: Appointment) -> str:
    return reverse("proctor:sitting", args=[centre.pk, appointment.pk])


def _refusal_status(error: ValidationError) -> int:
    code = str(error.code or "")
    if code == "forbidden":
        return 403
    if code == "not_found":
        return 404
    return 409 if code in _CONFLICTS else 400


def _say_refused(request: HttpRequest, error: ValidationError) -> int:
    for text in error.messages:
        messages.error(request, text)
    return _refusal_status(error)


# --- the day -------------------------------------------------------------------------


@never_cache
@proctor_login_required
def home(request: HttpRequest) -> HttpResponse:
    """The centres the user staffs; straight to the day when there is one."""
    centres = list(scheduling_selectors.centres_administered(request.user))
    if not centres:
        if not centre_staff_by_role(request.user):
            raise Http404("You do not work at a test centre.")
        # A proctor no centre has listed yet: their menu leads here, so say why the
        # console is empty instead of answering 404.
        return render(request, "proctoring/home.html", {"centres": []})
    chosen = request.GET.get("centre", "")
    if chosen.isdigit() or len(centres) == 1:
        # The day page checks the choice (404 for a centre not theirs).
        centre_id = int(chosen) if chosen.isdigit() else centres[0].pk
        url = reverse("proctor:day", args=[centre_id])
        day = request.GET.get("date", "")
        return redirect(f"{url}?date={day}" if parse_date_safe(day) else url)
    return render(request, "proctoring/home.html", {"centres": centres})


def _day_context(request: HttpRequest, centre_id: int) -> dict[str, Any]:
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    moment = clock.now()
    today = scheduling_selectors.centre_local_today(centre, now=moment)
    day = _day(request.GET.get("date"), today)
    sittings = sittings_of_day(centre, day, now=moment)
    return {
        "centre": centre,
        "day": day,
        "today": today,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "sittings": sittings,
        "summary": day_summary(sittings),
        "now": moment,
        "poll_seconds": POLL_SECONDS,
        "board_url": reverse("proctor:board", args=[centre.pk])
        + f"?date={day.isoformat()}",
    }


@never_cache
@proctor_login_required
def day(request: HttpRequest, centre_id: int) -> HttpResponse:
    """A centre's day (today in its time zone by default)."""
    context = _day_context(request, centre_id)
    context["centres"] = list(scheduling_selectors.centres_administered(request.user))
    return render(request, "proctoring/day.html", context)


@never_cache
@proctor_login_required
def board(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The day's board alone: what the day page polls."""
    return render(request, "proctoring/_board.html", _day_context(request, centre_id))


# --- one sitting ---------------------------------------------------------------------


def _attempt_choices(sitting: Sitting) -> list[tuple[int, str]]:
    return [
        (s.attempt.pk, _("the %(test)s exam") % {"test": s.seat.test})
        for s in sitting.seats
        if s.attempt is not None
    ]


def _panel(seat: SeatState, bound: dict[str, forms.Form]) -> dict[str, Any]:
    """The controls of one seat: its forms, unbound at the attempt's version, or
    the one just sent (with what was typed and why it was refused)."""
    prefix = f"seat{seat.seat.pk}"
    version = {"version": seat.attempt.version} if seat.attempt else {}
    made: dict[str, Any] = {"seat": seat}
    for name, form_class in (
        ("pause", PauseForm),
        ("resume", ResumeForm),
        ("extend", ExtendForm),
        ("device", DeviceForm),
    ):
        key = f"{prefix}-{name}"
        made[name] = bound.get(key) or form_class(prefix=key, initial=version)
    return made


def _sitting_context(
    request: HttpRequest,
    centre: TestCentre,
    appointment_id: int,
    bound: dict[str, forms.Form] | None = None,
) -> dict[str, Any]:
    bound = bound or {}
    sitting = sitting_get(centre, appointment_id, now=clock.now())
    if sitting is None:
        raise Http404("No such appointment at this centre.")
    day = sitting.appointment.local_start().date()
    return {
        "centre": centre,
        "sitting": sitting,
        "appointment": sitting.appointment,
        "technician": sitting.appointment.technician,
        "panels": [_panel(seat, bound) for seat in sitting.seats],
        "check_in_form": bound.get("checkin") or CheckInForm(prefix="checkin"),
        "incident_form": bound.get("incident")
        or IncidentForm(prefix="incident", attempts=_attempt_choices(sitting)),
        "pause_reasons": PAUSE_REASONS,
        "poll_seconds": POLL_SECONDS,
        "live_url": reverse("proctor:sitting_live", args=[centre.pk, appointment_id]),
        "day_url": reverse("proctor:day", args=[centre.pk])
        + f"?date={day.isoformat()}",
    }


def _sitting_page(
    request: HttpRequest,
    centre: TestCentre,
    appointment_id: int,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "proctoring/sitting.html",
        _sitting_context(request, centre, appointment_id, bound),
        status=status,
    )


@never_cache
@proctor_login_required
def sitting(request: HttpRequest, centre_id: int, appointment_id: int) -> HttpResponse:
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    return _sitting_page(request, centre, appointment_id)


@never_cache
@proctor_login_required
def sitting_live(
    request: HttpRequest, centre_id: int, appointment_id: int
) -> HttpResponse:
    """The sitting's live part alone: what its page polls."""
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    return render(
        request,
        "proctoring/_sitting_live.html",
        _sitting_context(request, centre, appointment_id),
    )


def _refused_form(
    request: HttpRequest,
    form: F,
    error: ValidationError | None,
    *,
    version: int | None = None,
) -> tuple[F, int]:
    """The form as sent, for showing again: with the attempt's current version
    (so that sending it again acts on the exam as it is now) and the refusal."""
    if version is not None and form.prefix is not None:
        data = request.POST.copy()
        data[f"{form.prefix}-version"] = str(version)
        form = type(form)(data, prefix=form.prefix)
        form.is_valid()
    if error is None:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
        return form, 400
    status = _say_refused(request, error)
    for text in error.messages:
        form.add_error(None, text)
    return form, status


@require_POST
@proctor_login_required
def check_in(request: HttpRequest, centre_id: int, appointment_id: int) -> HttpResponse:
    """Check the candidate in: the photo ID checked, the name matching."""
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    appointment = access_centre_appointment(request.user, centre, appointment_id)
    form = CheckInForm(request.POST, prefix="checkin")
    id_checked, name_matches = form.verdict()
    try:
        _appointment_done, changed = services.appointment_check_in_verified(
            appointment_id=appointment.pk,
            id_checked=id_checked,
            name_matches=name_matches,
            actor=request_actor(request),
        )
    except DeliveryError as error:
        form, status = _refused_form(request, form, error)
        return _sitting_page(
            request, centre, appointment.pk, bound={"checkin": form}, status=status
        )
    if changed:
        messages.success(
            request,
            _("%(name)s is checked in.") % {"name": appointment.technician.name},
        )
    else:
        messages.info(
            request,
            _("%(name)s was already checked in.")
            % {"name": appointment.technician.name},
        )
    return redirect(_sitting_url(centre, appointment))


@require_http_methods(["GET", "POST"])
@proctor_login_required
def no_show(request: HttpRequest, centre_id: int, appointment_id: int) -> HttpResponse:
    """Record a no-show, after a confirmation (only once the appointment started)."""
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    appointment = access_centre_appointment(request.user, centre, appointment_id)
    status = 200
    if request.method == "POST":
        try:
            appointment_mark_no_show(
                appointment_id=appointment.pk, actor=request_actor(request)
            )
        except BookingError as error:
            status = _say_refused(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is recorded as a no-show.")
                % {"name": appointment.technician.name},
            )
            return redirect(_sitting_url(centre, appointment))
    return render(
        request,
        "proctoring/no_show.html",
        {
            "centre": centre,
            "appointment": appointment,
            "started": clock.now() >= appointment.starts_at,
            "tests": list(scheduling_selectors.live_tests_of(appointment.pk)),
        },
        status=status,
    )


@require_POST
@proctor_login_required
def incident(request: HttpRequest, centre_id: int, appointment_id: int) -> HttpResponse:
    """Note an incident on the sitting or one of its exams."""
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    appointment = access_centre_appointment(request.user, centre, appointment_id)
    attempts = [
        (pk, test)
        for pk, test in Attempt.objects.filter(
            appointment_id=appointment.pk
        ).values_list("pk", "test")
    ]
    form = IncidentForm(request.POST, prefix="incident", attempts=attempts)
    if not form.is_valid():
        form, status = _refused_form(request, form, None)
        return _sitting_page(
            request, centre, appointment.pk, bound={"incident": form}, status=status
        )
    try:
        _note, written = services.incident_record(
            note=form.cleaned_data["note"],
            actor=request_actor(request),
            appointment_id=appointment.pk,
            attempt_id=form.cleaned_data["attempt"],
        )
    except DeliveryError as error:
        form, status = _refused_form(request, form, error)
        return _sitting_page(
            request, centre, appointment.pk, bound={"incident": form}, status=status
        )
    messages.success(
        request,
        _("Incident noted.") if written else _("That note was already recorded."),
    )
    return redirect(_sitting_url(centre, appointment))


@require_POST
@proctor_login_required
def authorise(
    request: HttpRequest, centre_id: int, appointment_id: int, seat_id: int
) -> HttpResponse:
    """Let the checked-in candidate start this test (the clock starts when they
    press Start)."""
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    appointment = access_centre_appointment(request.user, centre, appointment_id)
    seat = _seat(appointment, seat_id)
    try:
        attempt = attempt_authorise(
            appointment_test_id=seat.pk, actor=request_actor(request)
        )
    except DeliveryError as error:
        status = _say_refused(request, error)
        return _sitting_page(request, centre, appointment.pk, status=status)
    minutes = attempt.budget_seconds // 60
    messages.success(
        request,
        _(
            "%(test)s is authorised: give %(name)s the launch code %(code)s at"
            " the seat (%(minutes)s minutes on the clock once they press Start)."
        )
        % {
            "test": seat.test,
            "name": appointment.technician.name,
            "code": launch_code_display(attempt.launch_code),
            "minutes": minutes,
        },
    )
    if request.POST.get("back") == "day":
        day = appointment.local_start().date()
        return redirect(
            reverse("proctor:day", args=[centre.pk]) + f"?date={day.isoformat()}"
        )
    return redirect(_sitting_url(centre, appointment))


_CONTROL_FORMS: dict[str, type[forms.Form]] = {
    "pause": PauseForm,
    "resume": ResumeForm,
    "extend": ExtendForm,
    "device": DeviceForm,
}


def _done_message(action: str, seat: AppointmentTest, attempt: Attempt) -> str:
    left = attempt.remaining_seconds(clock.now())
    minutes = f"{left // 60}:{left % 60:02d}"
    texts = {
        "pause": _("%(test)s is paused with %(left)s left; the clock is stopped."),
        "resume": _("%(test)s is running again with %(left)s left."),
        "extend": _("%(test)s has extra time: %(left)s left now."),
        "end": _("%(test)s is ended; it will not be scored."),
        "device": _(
            "%(test)s can move to another workstation: give the candidate the new"
            " launch code shown below (%(left)s left on the clock)."
        ),
    }
    return texts[action] % {"test": seat.test, "left": minutes}


@require_POST
@proctor_login_required
def control(
    request: HttpRequest,
    centre_id: int,
    appointment_id: int,
    seat_id: int,
    action: str,
) -> HttpResponse:
    """Pause, resume or extend the exam of this seat."""
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    appointment = access_centre_appointment(request.user, centre, appointment_id)
    seat = _seat(appointment, seat_id)
    form_class = _CONTROL_FORMS.get(action)
    attempt = Attempt.objects.filter(appointment_test_id=seat.pk).first()
    if form_class is None or attempt is None:
        raise Http404("No such exam control.")
    key = f"seat{seat.pk}-{action}"
    form = form_class(request.POST, prefix=key)
    if not form.is_valid():
        form, status = _refused_form(request, form, None)
        return _sitting_page(
            request, centre, appointment.pk, bound={key: form}, status=status
        )
    data = form.cleaned_data
    try:
        attempt, changed = services.attempt_control(
            action=action,
            attempt_id=attempt.pk,
            version=data.get("version"),
            actor=request_actor(request),
            reason=data.get("reason", ""),
            minutes=data.get("minutes"),
        )
    except DeliveryError as error:
        attempt.refresh_from_db()
        form, status = _refused_form(request, form, error, version=attempt.version)
        return _sitting_page(
            request, centre, appointment.pk, bound={key: form}, status=status
        )
    if changed:
        messages.success(request, _done_message(action, seat, attempt))
    else:
        messages.info(request, _("Already done; nothing changed."))
    return redirect(_sitting_url(centre, appointment))


@require_http_methods(["GET", "POST"])
@proctor_login_required
def end(
    request: HttpRequest, centre_id: int, appointment_id: int, seat_id: int
) -> HttpResponse:
    """End the exam of this seat (not scored), after a confirmation with the
    reason."""
    centre = scheduling_selectors.access_centre(request.user, centre_id)
    appointment = access_centre_appointment(request.user, centre, appointment_id)
    seat = _seat(appointment, seat_id)
    attempt = Attempt.objects.filter(appointment_test_id=seat.pk).first()
    if attempt is None:
        raise Http404("This test has no exam to end.")
    key = f"seat{seat.pk}-end"
    status = 200
    if request.method == "POST":
        form = EndForm(request.POST, prefix=key)
        if not form.is_valid():
            form, status = _refused_form(request, form, None)
        else:
            try:
                attempt, changed = services.attempt_control(
                    action="end",
                    attempt_id=attempt.pk,
                    version=form.cleaned_data.get("version"),
                    actor=request_actor(request),
                    reason=form.cleaned_data["reason"],
                )
            except DeliveryError as error:
                attempt.refresh_from_db()
                form, status = _refused_form(
                    request, form, error, version=attempt.version
                )
            else:
                if changed:
                    messages.success(request, _done_message("end", seat, attempt))
                else:
                    messages.info(request, _("Already done; nothing changed."))
                return redirect(_sitting_url(centre, appointment))
    else:
        form = EndForm(prefix=key, initial={"version": attempt.version})
    return render(
        request,
        "proctoring/end.html",
        {
            "centre": centre,
            "appointment": appointment,
            "seat": seat,
            "attempt": attempt,
            "form": form,
        },
        status=status,
    )
