"""The attempt state machine: authorised → in progress ⇄ paused → submitted, expired
or voided; an authorisation not started before its appointment ends lapses.

The proctor authorises (``attempt_authorise``), pauses, resumes, extends and voids;
the candidate starts and submits; the sweep (and a late request for the attempt)
expires and lapses; practice tests start and end here too. The attempt's row is
locked and written as ``attempt_changes`` says (its lock order). Ending an attempt
scores it and records its result (``results``), mails it (``mail``) and completes
the appointment once its last test is done (scheduling).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, actor_split
from certwright.commerce.models import EntitlementKind
from certwright.commerce.selectors import has_entitlement
from certwright.core.clock import now as clock_now
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.delivery.accommodations import accommodation_extra_seconds
from certwright.delivery.attempt_changes import (
    attempt_event_record,
    attempt_lock,
    attempt_lock_for_proctor,
    attempt_save_if_unchanged,
    attempt_snapshot,
    refuse_if_finished,
)
from certwright.delivery.errors import DeliveryError
from certwright.delivery.incidents import incident_note
from certwright.delivery.mail import result_email_send
from certwright.delivery.models import (
    FINISHED_STATUSES,
    Attempt,
    AttemptKind,
    AttemptStatus,
    Response,
)
from certwright.delivery.practice import practice_form_get
from certwright.delivery.results import (
    SCORE_FIELDS,
    attempt_result_record,
    attempt_score_fill,
)
from certwright.delivery.seats import check_seat, launch_code_new
from certwright.delivery.selectors import check_attempt_candidate, check_centre_staff
from certwright.itembank.models import Form, FormStatus
from certwright.scheduling.models import AppointmentStatus, AppointmentTest
from certwright.scheduling.selectors import live_tests_of
from certwright.scheduling.services import (
    BookingError,
    _lock_appointment,
    appointment_complete,
)

logger = logging.getLogger(__name__)

# A save that left the browser just before the deadline may arrive a moment after
# it; it is accepted for this long past the deadline (the clock the candidate saw
# is the server's; this only absorbs the network), and the attempt is closed after.
LATE_SAVE_GRACE = dt.timedelta(seconds=5)
MAX_EXTEND_MINUTES = 240


def _deadline(attempt: Attempt) -> dt.datetime | None:
    if attempt.started_at is None or attempt.is_practice:
        return None
    return attempt.started_at + dt.timedelta(
        seconds=attempt.budget_seconds + attempt.paused_seconds
    )


def attempt_time_up(attempt: Attempt, moment: dt.datetime) -> bool:
    """Past the deadline and the late-save grace: the attempt must be closed."""
    return (
        attempt.status == AttemptStatus.IN_PROGRESS
        and attempt.deadline is not None
        and moment >= attempt.deadline + LATE_SAVE_GRACE
    )


def _form_choose(*, test: str, kind: str, day: dt.date, seed: int) -> Form:
    """A published form of ``test`` and ``kind``: one built to the blueprint in force
    on ``day`` if there is one, else any published one; chosen by ``seed`` among
    them so candidates in one room sit different forms."""
    forms = list(
        Form.objects.filter(test=test, kind=kind, status=FormStatus.PUBLISHED).order_by(
            "number"
        )
    )
    spec = current_program().tests.get(test)
    blueprint = spec.blueprint_on(day) if spec is not None else None
    if blueprint is not None:
        current = [f for f in forms if f.blueprint_effective == blueprint.effective]
        forms = current or forms
    if not forms:
        raise DeliveryError(
            "no_form",
            _(
                "No %(kind)s form of %(test)s is published; program staff must"
                " publish one."
            )
            % {"kind": kind, "test": test},
        )
    return forms[seed % len(forms)]


def attempt_authorise(
    *,
    appointment_test_id: int,
    actor: Actor,
    form_id: int | None = None,
) -> Attempt:
    """The proctor lets the checked-in candidate start the test of this seat.

    Picks a published form (``form_id`` to choose one), applies the candidate's
    accommodation to the time allowed, and leaves the attempt ``authorised``: the
    candidate's player starts the clock after the tutorial (``attempt_start``).
    Authorising the same seat again returns the attempt already made.
    """
    with transaction.atomic():
        seat = (
            AppointmentTest.objects.filter(pk=appointment_test_id)
            .values_list("appointment_id", flat=True)
            .first()
        )
        if seat is None:
            raise DeliveryError("not_found", _("There is no such seat."))
        # The scheduling lock order: the technician's row, then the appointment's.
        appointment = _lock_appointment(seat)
        check_centre_staff(actor, appointment.centre_id)
        appointment_test = AppointmentTest.objects.get(pk=appointment_test_id)
        existing = Attempt.objects.filter(
            appointment_test_id=appointment_test.pk
        ).first()
        if existing is not None:
            if existing.is_finished:
                raise DeliveryError(
                    "state",
                    _("%(test)s was already sat in this appointment (%(status)s).")
                    % {"test": existing.test, "status": existing.get_status_display()},
                )
            return existing
        if appointment.status != AppointmentStatus.CHECKED_IN:
            raise DeliveryError(
                "state",
                _("Check the candidate in before authorising the exam (%(status)s).")
                % {"status": appointment.get_status_display()},
            )
        if appointment_test.released_at is not None:
            raise DeliveryError(
                "state", _("This test is no longer in the appointment.")
            )
        if clock_now() >= appointment.ends_at:
            # The authorisation would lapse at once and use up the seat.
            raise DeliveryError(
                "state",
                _(
                    "The appointment is over (it ended at %(end)s): the exam can no"
                    " longer be authorised. Note an incident if the candidate was"
                    " kept from sitting it."
                )
                % {"end": appointment.local_end().strftime("%H:%M")},
            )
        busy = Attempt.objects.filter(
            technician_id=appointment.technician_id,
            status__in=[
                AttemptStatus.AUTHORISED,
                AttemptStatus.IN_PROGRESS,
                AttemptStatus.PAUSED,
            ],
        ).exclude(kind=AttemptKind.PRACTICE)
        if busy.exists():
            raise DeliveryError(
                "busy",
                _("The candidate has another exam open; finish or end it first."),
            )
        seed = random.SystemRandom().randrange(1, 2**31)
        if form_id is not None:
            form = Form.objects.filter(
                pk=form_id,
                test=appointment_test.test,
                kind=appointment_test.kind,
                status=FormStatus.PUBLISHED,
            ).first()
            if form is None:
                raise DeliveryError(
                    "no_form", _("That form is not a published form of this test.")
                )
        else:
            form = _form_choose(
                test=appointment_test.test,
                kind=appointment_test.kind,
                day=today(),
                seed=seed,
            )
        base = form.minutes * 60
        extra = accommodation_extra_seconds(appointment.technician_id, form.test, base)
        actor_id, label = actor_split(actor)
        attempt = Attempt.objects.create(
            technician_id=appointment.technician_id,
            appointment=appointment,
            appointment_test=appointment_test,
            test=appointment_test.test,
            kind=appointment_test.kind,
            form=form,
            status=AttemptStatus.AUTHORISED,
            authorised_at=clock_now(),
            authorised_by_id=actor_id,
            authorised_by_label=label,
            # ASE: the test is sat in the appointment booked for it; an
            # authorisation not used by its end lapses (attempt_lapse).
            authorised_until=appointment.ends_at,
            launch_code=launch_code_new(),
            budget_seconds=base + extra,
            accommodation_seconds=extra,
            seed=seed,
        )
        attempt_event_record(
            attempt,
            kind=EventKind.ATTEMPT_AUTHORISED,
            actor=actor,
            reason=f"{attempt.test} authorised on form {form.pk}",
            extra={"form": form.pk, "accommodation_seconds": extra},
        )
    return attempt


def practice_attempt_create(
    *, technician_id: int, test: str, actor: Actor = None
) -> Attempt:
    """Start a practice test of ``test`` for a candidate holding the practice
    entitlement: on a published practice form (one is assembled from the bank when
    none is published). Unproctored, untimed, never a result."""
    if not has_entitlement(technician_id, test, EntitlementKind.PRACTICE):
        raise DeliveryError(
            "entitlement",
            _("Practice tests of %(test)s come with buying the test.") % {"test": test},
        )

    with transaction.atomic():
        form = practice_form_get(test=test, actor=actor)
        moment = clock_now()
        seed = random.SystemRandom().randrange(1, 2**31)
        attempt = Attempt.objects.create(
            technician_id=technician_id,
            test=test,
            kind=AttemptKind.PRACTICE,
            form=form,
            status=AttemptStatus.IN_PROGRESS,
            authorised_at=moment,
            authorised_by_label="practice",
            started_at=moment,
            budget_seconds=form.minutes * 60,
            seed=seed,
        )
        attempt_event_record(
            attempt,
            kind=EventKind.ATTEMPT_STARTED,
            actor=actor,
            reason=f"{test} practice test started on form {form.pk}",
            extra={"form": form.pk},
        )
    return attempt


def attempt_start(*, attempt_id: int, by: Actor, device: str | None = None) -> Attempt:
    """The candidate starts the clock (after the tutorial), at the workstation the
    attempt was launched on. Starting again returns the attempt as it is; an
    authorisation past the end of its appointment lapses instead."""
    with transaction.atomic():
        attempt = attempt_lock(attempt_id)
        check_attempt_candidate(attempt, by)
        lapsed = attempt_lapse_due(attempt, clock_now())
        if lapsed:
            # Committed before the refusal is raised below.
            attempt_lapse_locked(attempt, actor=by)
        elif attempt.status != AttemptStatus.AUTHORISED:
            refuse_if_finished(attempt)
            check_seat(attempt, by, device)
            return attempt
        else:
            check_seat(attempt, by, device)
            before = attempt_snapshot(attempt)
            attempt.status = AttemptStatus.IN_PROGRESS
            attempt.started_at = clock_now()
            attempt.deadline = _deadline(attempt)
            attempt_save_if_unchanged(attempt, ["status", "started_at", "deadline"])
            attempt_event_record(
                attempt,
                kind=EventKind.ATTEMPT_STARTED,
                actor=by,
                before=before,
                reason=f"{attempt.test} started",
            )
    if lapsed:
        raise lapsed_error()
    return attempt


def attempt_pause(*, attempt_id: int, actor: Actor, reason: str = "") -> Attempt:
    """Stop the clock (a fire alarm, a sick candidate); saves are refused until the
    proctor resumes. Pausing a paused attempt changes nothing."""
    expired = False
    with transaction.atomic():
        attempt = attempt_lock_for_proctor(attempt_id, actor)
        if attempt.status == AttemptStatus.PAUSED:
            return attempt
        refuse_if_finished(attempt)
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise DeliveryError("not_started", _("The exam has not started yet."))
        moment = clock_now()
        if attempt_time_up(attempt, moment):
            _finish(attempt, status=AttemptStatus.EXPIRED, by="timeout", actor=actor)
            expired = True
        else:
            before = attempt_snapshot(attempt)
            attempt.status = AttemptStatus.PAUSED
            attempt.paused_at = moment
            attempt_save_if_unchanged(attempt, ["status", "paused_at"])
            attempt_event_record(
                attempt,
                kind=EventKind.ATTEMPT_PAUSED,
                actor=actor,
                before=before,
                reason=reason or "paused",
            )
    if expired:
        raise DeliveryError("deadline", _("The time had already run out."))
    return attempt


def attempt_resume(*, attempt_id: int, actor: Actor, reason: str = "") -> Attempt:
    """Restart the clock: the pause is added to the time allowed, so the candidate
    has exactly the time left when it was paused."""
    with transaction.atomic():
        attempt = attempt_lock_for_proctor(attempt_id, actor)
        if attempt.status == AttemptStatus.IN_PROGRESS:
            return attempt
        refuse_if_finished(attempt)
        if attempt.status != AttemptStatus.PAUSED or attempt.paused_at is None:
            raise DeliveryError("not_started", _("The exam has not started yet."))
        before = attempt_snapshot(attempt)
        paused = math.ceil((clock_now() - attempt.paused_at).total_seconds())
        attempt.paused_seconds += max(0, paused)
        attempt.paused_at = None
        attempt.status = AttemptStatus.IN_PROGRESS
        attempt.deadline = _deadline(attempt)
        attempt_save_if_unchanged(
            attempt, ["status", "paused_at", "paused_seconds", "deadline"]
        )
        attempt_event_record(
            attempt,
            kind=EventKind.ATTEMPT_RESUMED,
            actor=actor,
            before=before,
            reason=reason or f"resumed after {paused} s",
            extra={"paused": paused},
        )
    return attempt


def attempt_extend(
    *, attempt_id: int, minutes: int, reason: str, actor: Actor
) -> Attempt:
    """Give the candidate ``minutes`` more (a disruption the candidate did not
    cause); ``reason`` is required and kept in the audit trail."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise DeliveryError("minutes", _("Extra time is a whole number of minutes."))
    if not 0 < minutes <= MAX_EXTEND_MINUTES:
        raise DeliveryError(
            "minutes",
            _("Extra time must be from 1 to %(n)d minutes.")
            % {"n": MAX_EXTEND_MINUTES},
        )
    if not reason.strip():
        raise DeliveryError("reason", _("Say why the time is extended."))
    with transaction.atomic():
        attempt = attempt_lock_for_proctor(attempt_id, actor)
        refuse_if_finished(attempt)
        if attempt_time_up(attempt, clock_now()):
            raise DeliveryError(
                "deadline", _("The time has already run out; it cannot be extended.")
            )
        before = attempt_snapshot(attempt)
        attempt.budget_seconds += minutes * 60
        attempt.extended_seconds += minutes * 60
        attempt.deadline = _deadline(attempt)
        attempt_save_if_unchanged(
            attempt, ["budget_seconds", "extended_seconds", "deadline"]
        )
        attempt_event_record(
            attempt,
            kind=EventKind.ATTEMPT_EXTENDED,
            actor=actor,
            before=before,
            reason=reason,
            extra={"minutes": minutes},
        )
    return attempt


def attempt_void(*, attempt_id: int, reason: str, actor: Actor) -> Attempt:
    """The proctor ends the exam with an incident (misconduct, a failure that
    cannot be recovered): the attempt is not scored and no result is recorded."""
    if not reason.strip():
        raise DeliveryError("reason", _("Say why the exam is ended."))
    with transaction.atomic():
        attempt = attempt_lock_for_proctor(attempt_id, actor)
        if attempt.status == AttemptStatus.VOIDED:
            return attempt
        refuse_if_finished(attempt)
        incident_note(note=reason, actor=actor, attempt_id=attempt.pk)
        _finish(attempt, status=AttemptStatus.VOIDED, by="proctor", actor=actor)
    return attempt


def attempt_submit(*, attempt_id: int, by: Actor, device: str | None = None) -> Attempt:
    """The candidate submits, from the attempt's workstation. A replayed submit (a
    second tab, a retry) returns the finished attempt unchanged. Submitted after
    the deadline it counts as timed out.
    """
    with transaction.atomic():
        attempt = attempt_lock(attempt_id)
        check_attempt_candidate(attempt, by)
        if attempt.is_finished:
            return attempt
        check_seat(attempt, by, device)
        if attempt.status == AttemptStatus.AUTHORISED:
            raise DeliveryError("not_started", _("The exam has not started yet."))
        if attempt.status == AttemptStatus.PAUSED:
            raise DeliveryError(
                "paused", _("The exam is paused by the proctor; wait for it to resume.")
            )
        moment = clock_now()
        timed_out = attempt.deadline is not None and moment >= attempt.deadline
        _finish(
            attempt,
            status=AttemptStatus.EXPIRED if timed_out else AttemptStatus.SUBMITTED,
            by="timeout" if timed_out else "candidate",
            actor=by,
        )
    return attempt


def attempt_expire(*, attempt_id: int, actor: Actor = "timeout") -> bool:
    """Close one attempt whose time (and the late-save grace) has run out; True
    when this call closed it."""
    with transaction.atomic():
        attempt = attempt_lock(attempt_id)
        if not attempt_time_up(attempt, clock_now()):
            return False
        _finish(attempt, status=AttemptStatus.EXPIRED, by="timeout", actor=actor)
    return True


def attempts_expire(*, now: dt.datetime | None = None) -> int:
    """Auto-submit every attempt in progress past its deadline (the sweep; a late
    save or a page load does the same for its own attempt). Paused attempts never
    expire: their clock is stopped. Returns how many were closed; running it twice,
    or beside a candidate's own submit, closes each attempt once."""
    moment = now or clock_now()
    due = list(
        Attempt.objects.filter(
            status=AttemptStatus.IN_PROGRESS,
            deadline__lte=moment - LATE_SAVE_GRACE,
        )
        .order_by("deadline", "id")
        .values_list("id", flat=True)
    )
    return _sweep(due, attempt_expire)


def attempt_lapse_due(attempt: Attempt, moment: dt.datetime) -> bool:
    """Authorised, never started, and its appointment is over."""
    return (
        attempt.status == AttemptStatus.AUTHORISED
        and attempt.authorised_until is not None
        and moment >= attempt.authorised_until
    )


def attempt_lapse_locked(attempt: Attempt, *, actor: Actor) -> None:
    """Close a locked attempt whose authorisation lapsed: no score, no result; the
    seat was used, so the appointment completes once its tests are all closed."""
    before = attempt_snapshot(attempt)
    attempt.status = AttemptStatus.LAPSED
    attempt.ended_by = "lapsed"
    attempt.launch_code = ""
    attempt_save_if_unchanged(attempt, ["status", "ended_by", "launch_code"])
    attempt_event_record(
        attempt,
        kind=EventKind.ATTEMPT_LAPSED,
        actor=actor,
        before=before,
        reason=f"{attempt.test} not started before the appointment ended",
    )
    _appointment_complete_if_done(attempt, actor=actor)


def lapsed_error() -> DeliveryError:
    """The refusal of an attempt whose authorisation lapsed."""
    return DeliveryError(
        "finished",
        _(
            "This exam's authorisation lapsed: the appointment ended before it was"
            " started."
        ),
    )


def attempt_lapse(*, attempt_id: int, actor: Actor = "timeout") -> bool:
    """Close one authorised attempt whose appointment has ended without a start;
    True when this call closed it."""
    with transaction.atomic():
        attempt = attempt_lock(attempt_id)
        if not attempt_lapse_due(attempt, clock_now()):
            return False
        attempt_lapse_locked(attempt, actor=actor)
    return True


def attempts_lapse(*, now: dt.datetime | None = None) -> int:
    """Close every authorised attempt whose appointment ended without a start (the
    sweep; a start, a launch or a page load does the same for its own attempt).
    Returns how many were closed; running it twice closes each once."""
    moment = now or clock_now()
    due = list(
        Attempt.objects.filter(
            status=AttemptStatus.AUTHORISED, authorised_until__lte=moment
        )
        .order_by("authorised_until", "id")
        .values_list("id", flat=True)
    )
    return _sweep(due, attempt_lapse)


def _sweep(ids: list[int], close: Any) -> int:
    """Call ``close(attempt_id=...)`` for each id; how many it closed."""
    closed = 0
    for attempt_id in ids:
        try:
            closed += close(attempt_id=attempt_id)
        except Exception:
            # One broken attempt must not keep the others open; it is logged and
            # the next sweep tries it again.
            logger.exception("attempt %s could not be closed", attempt_id)
    return closed


def attempt_lazy_close(attempt: Attempt) -> Attempt:
    """A page load or status poll of an attempt whose time has run out closes it
    (the sweep would too, later); returns the attempt as it now stands."""
    moment = clock_now()
    if attempt_time_up(attempt, moment):
        attempt_expire(attempt_id=attempt.pk)
        attempt.refresh_from_db()
    elif attempt_lapse_due(attempt, moment):
        attempt_lapse(attempt_id=attempt.pk)
        attempt.refresh_from_db()
    return attempt


def practice_attempts_end(*, technician_id: int, test: str, actor: Actor) -> int:
    """End the open practice attempts of ``test`` (its practice entitlement is gone:
    a refund): they are voided, so no more keys or rationales are shown. Returns
    how many; ending them again changes nothing."""
    ended = 0
    with transaction.atomic():
        ids = list(
            Attempt.objects.filter(
                technician_id=technician_id,
                test=test,
                kind=AttemptKind.PRACTICE,
            )
            .exclude(status__in=FINISHED_STATUSES)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for attempt_id in ids:
            attempt = attempt_lock(attempt_id)
            if attempt.is_finished:
                continue
            _finish(attempt, status=AttemptStatus.VOIDED, by="refund", actor=actor)
            ended += 1
    return ended


def _finish(attempt: Attempt, *, status: str, by: str, actor: Actor) -> None:
    """End a locked attempt: score it (unless voided), record the result fact of a
    proctored one, mail it, and complete the appointment when its last test is
    done. Runs inside the caller's transaction."""
    before = attempt_snapshot(attempt)
    moment = clock_now()
    attempt.status = status
    attempt.submitted_at = moment
    attempt.ended_by = by
    attempt.paused_at = None
    fields = ["status", "submitted_at", "ended_by", "paused_at"]
    scored = status != AttemptStatus.VOIDED
    if scored:
        passed = attempt_score_fill(attempt).passed
        fields += SCORE_FIELDS
        if not attempt.is_practice:
            attempt.result = attempt_result_record(
                attempt, passed=passed, moment=moment, actor=actor
            )
            fields.append("result")
    attempt_save_if_unchanged(attempt, fields)
    kind = {
        AttemptStatus.SUBMITTED: EventKind.ATTEMPT_SUBMITTED,
        AttemptStatus.EXPIRED: EventKind.ATTEMPT_EXPIRED,
        AttemptStatus.VOIDED: EventKind.ATTEMPT_VOIDED,
    }[AttemptStatus(status)]
    attempt_event_record(
        attempt,
        kind=kind,
        actor=actor,
        before=before,
        reason=f"{attempt.test} {attempt.get_status_display()}",
        extra={
            "raw": attempt.raw_score,
            "passed": attempt.passed,
            "scaled": attempt.scaled_score,
            "result": attempt.result_id,
            "answered": Response.objects.filter(
                attempt_id=attempt.pk, choice__isnull=False
            ).count(),
        },
    )
    if attempt.is_practice:
        return
    if scored:
        result_email_send(attempt)
    _appointment_complete_if_done(attempt, actor=actor)


def _appointment_complete_if_done(attempt: Attempt, *, actor: Actor) -> None:
    """Once every test of the appointment has a finished attempt, the appointment
    is complete and its order lines taken (scheduling's service)."""
    assert attempt.appointment_id is not None
    seats = set(live_tests_of(attempt.appointment_id).values_list("pk", flat=True))
    done = set(
        Attempt.objects.filter(
            appointment_test_id__in=seats, status__in=FINISHED_STATUSES
        ).values_list("appointment_test_id", flat=True)
    )
    if seats - done:
        return
    try:
        # Every seat is finished, so the sitting is over, even before the booked
        # start (a candidate checked in and started early).
        appointment_complete(
            appointment_id=attempt.appointment_id, actor=actor, sat=True
        )
    except BookingError as error:
        logger.warning(
            "appointment %s not completed after attempt %s: %s",
            attempt.appointment_id,
            attempt.pk,
            error.messages,
        )
