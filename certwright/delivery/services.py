"""Writes: authorising, starting, pausing, extending, submitting and ending attempts;
saving answers; accommodations and incident notes.

Every change of an attempt's state writes an audit event in its transaction and
raises ``Attempt.version`` with a conditional UPDATE (``WHERE version = <read>``), so
two tabs, a proctor and the expiry sweep can never both apply a change made against
the same state. Lock order: the attempt's row first; finishing a proctored attempt
then takes the technician's and the appointment's rows through scheduling.

Answers (``answer_save``) are the hot path: one conditional upsert statement that
checks the attempt (owner, workstation, in progress, before the deadline) and the
item (on the attempt's form) in its SELECT and applies only a higher
``client_seq``; a second read happens only when the upsert wrote nothing, to say
why.

The seat (see models.py): a proctored attempt is launched on one workstation with
the proctor's launch code (``attempt_launch``), which gives that browser a random
seat token; a person's start, save and submit must present it (``device``).
Machine actors (the CLI, the fault test's labels) are trusted and skip it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import (
    Actor,
    actor_split,
    event_record,
    event_record_change,
)
from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_email
from certwright.commerce.models import EntitlementKind
from certwright.commerce.selectors import has_entitlement
from certwright.core.clock import now as clock_now
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.services import result_record
from certwright.delivery.errors import DeliveryError, attempt_not_found
from certwright.delivery.models import (
    FINISHED_STATUSES,
    Accommodation,
    Attempt,
    AttemptKind,
    AttemptStatus,
    Incident,
    Response,
)
from certwright.delivery.practice import practice_form_get
from certwright.delivery.scoring import Score, ScoringItem, attempt_score
from certwright.delivery.selectors import check_attempt_candidate, check_centre_staff
from certwright.itembank.models import OPTION_COUNT, Form, FormItem, FormStatus
from certwright.itembank.services import SCALE_MAX, SCALE_MIN, SCALE_PASS
from certwright.notifications.services import email_send
from certwright.scheduling.models import Appointment, AppointmentStatus, AppointmentTest
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
# The player counts in JavaScript numbers, exact only up to 2^53 - 1
# (Number.MAX_SAFE_INTEGER): a larger sequence number could not be answered back
# or continued from, so it is refused rather than stored.
MAX_CLIENT_SEQ = 2**53 - 1
SOURCE = "certwright-delivery"
# Launch codes: read aloud and typed at the seat, so no 0/O or 1/I/L. Six of 30
# symbols is 729 million codes; a wrong code is counted and the fifth locks the
# launch until the proctor makes a new code.
LAUNCH_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LAUNCH_CODE_LENGTH = 6
MAX_LAUNCH_FAILURES = 5
# A second device retrying in a loop makes one incident for the proctor per
# attempt in this long, not one per request (each refusal is still an event).
DEVICE_INCIDENT_INTERVAL = dt.timedelta(minutes=5)


def device_hash(token: str) -> str:
    """What is stored of a seat token (the token itself is only in the cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _launch_code() -> str:
    pick = secrets.SystemRandom().choice
    return "".join(pick(LAUNCH_ALPHABET) for _ in range(LAUNCH_CODE_LENGTH))


def launch_code_display(code: str) -> str:
    """ABC-DEF: easier to read aloud and to type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if code else ""


def _launch_code_normalise(code: object) -> str:
    if not isinstance(code, str):
        return ""
    return "".join(ch for ch in code.upper() if ch.isalnum())[:32]


# --- helpers -------------------------------------------------------------------------


def _user(actor: Actor) -> AbstractBaseUser | None:
    return actor if isinstance(actor, AbstractBaseUser) else None


def _device_ok(attempt: Attempt, by: Actor, device: str | None) -> bool:
    """A person sitting a proctored attempt must be at its workstation: holding
    the seat token of the browser it was launched on."""
    if not attempt.is_proctored or _user(by) is None:
        return True
    return bool(
        attempt.device_hash
        and device
        and constant_time_compare(device_hash(device), attempt.device_hash)
    )


def attempt_holds_seat(attempt: Attempt, by: Actor, device: str | None) -> bool:
    """May this browser (its seat token ``device``) act on the attempt as ``by``?
    True for a practice attempt; for a proctored one, only at its workstation."""
    return _device_ok(attempt, by, device)


def _check_device(attempt: Attempt, by: Actor, device: str | None) -> None:
    if not _device_ok(attempt, by, device):
        raise device_error(attempt)


def device_error(attempt: Attempt) -> DeliveryError:
    """The refusal for a browser that does not hold the attempt's seat."""
    if not attempt.device_hash:
        return DeliveryError(
            "launch",
            _(
                "This exam is not launched on this workstation yet: enter the launch"
                " code your proctor gives you."
            ),
        )
    return DeliveryError(
        "device",
        _(
            "This exam is running on another workstation. Only your proctor can move"
            " it to this one."
        ),
    )


def _locked(attempt_id: int) -> Attempt:
    attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise attempt_not_found()
    return attempt


def _snapshot(attempt: Attempt) -> dict[str, Any]:
    return {
        "status": attempt.status,
        "version": attempt.version,
        "budget_seconds": attempt.budget_seconds,
        "paused_seconds": attempt.paused_seconds,
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
    }


def _event(
    attempt: Attempt,
    *,
    kind: EventKind,
    actor: Actor,
    before: dict[str, Any] | None = None,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    event_record_change(
        kind=kind,
        subject=f"attempt:{attempt.pk}",
        technician_id=attempt.technician_id,
        actor=actor,
        after=_snapshot(attempt),
        before=before,
        extra=extra,
        reason=reason,
    )


def _write(attempt: Attempt, fields: Iterable[str]) -> None:
    """Store ``fields`` of ``attempt`` and raise its version, only if nobody changed
    it since it was read (DeliveryError ``stale`` otherwise)."""
    names = [*fields, "updated_at"]
    attempt.updated_at = clock_now()
    values = {name: getattr(attempt, name) for name in names}
    updated = Attempt.objects.filter(pk=attempt.pk, version=attempt.version).update(
        version=attempt.version + 1, **values
    )
    if updated != 1:
        raise DeliveryError(
            "stale",
            _("This exam changed in another window or by the proctor; reload it."),
        )
    attempt.version += 1


def _deadline(attempt: Attempt) -> dt.datetime | None:
    if attempt.started_at is None or attempt.is_practice:
        return None
    return attempt.started_at + dt.timedelta(
        seconds=attempt.budget_seconds + attempt.paused_seconds
    )


def _time_up(attempt: Attempt, moment: dt.datetime) -> bool:
    """Past the deadline and the late-save grace: the attempt must be closed."""
    return (
        attempt.status == AttemptStatus.IN_PROGRESS
        and attempt.deadline is not None
        and moment >= attempt.deadline + LATE_SAVE_GRACE
    )


def _refuse_finished(attempt: Attempt) -> None:
    if attempt.is_finished:
        raise DeliveryError(
            "finished",
            _("This exam is over (%(status)s); nothing can be changed.")
            % {"status": attempt.get_status_display()},
        )


# --- accommodations ------------------------------------------------------------------


def accommodation_check(
    *, test: str, extra_percent: int | None, extra_minutes: int | None
) -> None:
    """The rules of an accommodation (the admin form checks them too, so a refusal
    shows on its field): ``test`` one of the program's tests or "" (all), and the
    extra time as exactly one of a percentage or minutes, a whole number 1–400.
    Refused with code ``test`` or ``minutes``."""
    if test and test not in current_program().tests:
        raise DeliveryError(
            "test",
            _("%(test)s is not a test of the program; leave it empty for every test.")
            % {"test": test},
        )
    if (extra_percent is None) == (extra_minutes is None):
        raise DeliveryError(
            "minutes", _("Give the extra time as a percentage or as minutes.")
        )
    amount = extra_percent if extra_percent is not None else extra_minutes
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= 400:
        raise DeliveryError(
            "minutes", _("The extra time must be a whole number from 1 to 400.")
        )


def accommodation_approve(
    *,
    technician_id: int,
    test: str = "",
    extra_percent: int | None = None,
    extra_minutes: int | None = None,
    note: str = "",
    actor: Actor = None,
) -> Accommodation:
    """Approve extra time for a candidate (``test`` empty: every test); it applies
    to attempts authorised from now on."""
    accommodation_check(
        test=test, extra_percent=extra_percent, extra_minutes=extra_minutes
    )
    with transaction.atomic():
        accommodation = Accommodation.objects.create(
            technician_id=technician_id,
            test=test,
            extra_percent=extra_percent,
            extra_minutes=extra_minutes,
            note=note,
            approved_by_id=actor_split(actor)[0],
            approved_at=clock_now(),
        )
        event_record(
            kind=EventKind.ACCOMMODATION_APPROVED,
            subject=f"accommodation:{accommodation.pk}",
            technician_id=technician_id,
            actor=actor,
            data={
                "test": test,
                "extra_percent": extra_percent,
                "extra_minutes": extra_minutes,
            },
            reason=note,
        )
    return accommodation


def accommodation_revoke(
    *, accommodation_id: int, actor: Actor = None, reason: str = ""
) -> Accommodation:
    with transaction.atomic():
        accommodation = (
            Accommodation.objects.select_for_update()
            .filter(pk=accommodation_id)
            .first()
        )
        if accommodation is None:
            raise DeliveryError("not_found", _("There is no such accommodation."))
        if accommodation.revoked_at is None:
            accommodation.revoked_at = clock_now()
            accommodation.save(update_fields=["revoked_at"])
            event_record(
                kind=EventKind.ACCOMMODATION_REVOKED,
                subject=f"accommodation:{accommodation.pk}",
                technician_id=accommodation.technician_id,
                actor=actor,
                reason=reason,
            )
    return accommodation


def _accommodation_seconds(technician_id: int, test: str, base_seconds: int) -> int:
    """The largest extra time any approved, unrevoked accommodation gives."""
    found = Accommodation.objects.filter(
        Q(test="") | Q(test=test),
        technician_id=technician_id,
        approved_at__isnull=False,
        revoked_at__isnull=True,
    )
    return max((a.extra_seconds(base_seconds) for a in found), default=0)


# --- forms ---------------------------------------------------------------------------


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


# --- authorising and starting --------------------------------------------------------


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
        extra = _accommodation_seconds(appointment.technician_id, form.test, base)
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
            launch_code=_launch_code(),
            budget_seconds=base + extra,
            accommodation_seconds=extra,
            seed=seed,
        )
        _event(
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
        _event(
            attempt,
            kind=EventKind.ATTEMPT_STARTED,
            actor=actor,
            reason=f"{test} practice test started on form {form.pk}",
            extra={"form": form.pk},
        )
    return attempt


def _lapse_due(attempt: Attempt, moment: dt.datetime) -> bool:
    """Authorised, never started, and its appointment is over."""
    return (
        attempt.status == AttemptStatus.AUTHORISED
        and attempt.authorised_until is not None
        and moment >= attempt.authorised_until
    )


def _lapse(attempt: Attempt, *, actor: Actor) -> None:
    """Close a locked attempt whose authorisation lapsed: no score, no result; the
    seat was used, so the appointment completes once its tests are all closed."""
    before = _snapshot(attempt)
    attempt.status = AttemptStatus.LAPSED
    attempt.ended_by = "lapsed"
    attempt.launch_code = ""
    _write(attempt, ["status", "ended_by", "launch_code"])
    _event(
        attempt,
        kind=EventKind.ATTEMPT_LAPSED,
        actor=actor,
        before=before,
        reason=f"{attempt.test} not started before the appointment ended",
    )
    _appointment_complete_if_done(attempt, actor=actor)


def attempt_lapse(*, attempt_id: int, actor: Actor = "timeout") -> bool:
    """Close one authorised attempt whose appointment has ended without a start;
    True when this call closed it."""
    with transaction.atomic():
        attempt = _locked(attempt_id)
        if not _lapse_due(attempt, clock_now()):
            return False
        _lapse(attempt, actor=actor)
    return True


def _lapsed_error() -> DeliveryError:
    return DeliveryError(
        "finished",
        _(
            "This exam's authorisation lapsed: the appointment ended before it was"
            " started."
        ),
    )


def attempt_launch(
    *, attempt_id: int, code: object, by: Actor, device_label: str = ""
) -> tuple[Attempt, str]:
    """The candidate's workstation enters the proctor's launch code: this browser
    becomes the attempt's workstation. Returns the attempt and the seat token for
    the browser's cookie (only its hash is stored).

    Refused (code ``launch``) for a wrong code, counting the failure (the fifth
    locks the launch and notes an incident); ``device`` when another workstation
    already holds the attempt; ``finished`` when it is over or lapsed.
    """
    outcome: DeliveryError | None = None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        attempt = _locked(attempt_id)
        check_attempt_candidate(attempt, by)
        moment = clock_now()
        if _lapse_due(attempt, moment):
            _lapse(attempt, actor=by)
            outcome = _lapsed_error()
        elif not attempt.is_proctored:
            raise DeliveryError("state", _("A practice test needs no launch code."))
        else:
            _refuse_finished(attempt)
            if attempt.device_hash:
                raise device_error(attempt)
            if attempt.launch_failures >= MAX_LAUNCH_FAILURES:
                raise DeliveryError(
                    "launch",
                    _("Too many wrong launch codes. Ask your proctor for a new code."),
                )
            given = _launch_code_normalise(code)
            if not attempt.launch_code or not constant_time_compare(
                given, attempt.launch_code
            ):
                outcome = _launch_refused(attempt, by=by, device_label=device_label)
            else:
                before = _snapshot(attempt)
                _seat_write(
                    attempt,
                    hashed=device_hash(token),
                    label=device_label[:200],
                    bound_at=moment,
                    code="",
                )
                _event(
                    attempt,
                    kind=EventKind.ATTEMPT_LAUNCHED,
                    actor=by,
                    before=before,
                    reason=f"{attempt.test} launched on a workstation",
                    extra={"device": attempt.device_label},
                )
    # A lapse or a counted wrong code is committed before the refusal is raised.
    if outcome is not None:
        raise outcome
    return attempt, token


def _seat_write(
    attempt: Attempt,
    *,
    hashed: str,
    label: str,
    bound_at: dt.datetime | None,
    code: str,
) -> None:
    """Bind the attempt to a workstation (a token's hash) or free it with a new
    launch code; either way the count of wrong codes starts again."""
    attempt.device_hash = hashed
    attempt.device_label = label
    attempt.device_bound_at = bound_at
    attempt.launch_code = code
    attempt.launch_failures = 0
    _write(
        attempt,
        [
            "device_hash",
            "device_label",
            "device_bound_at",
            "launch_code",
            "launch_failures",
        ],
    )


def _launch_refused(attempt: Attempt, *, by: Actor, device_label: str) -> DeliveryError:
    """Count a wrong launch code (in the caller's transaction, which commits)."""
    attempt.launch_failures += 1
    _write(attempt, ["launch_failures"])
    _event(
        attempt,
        kind=EventKind.ATTEMPT_LAUNCH_REFUSED,
        actor=by,
        reason="wrong launch code",
        extra={"failures": attempt.launch_failures, "device": device_label[:200]},
    )
    if attempt.launch_failures >= MAX_LAUNCH_FAILURES:
        _incident_system(
            attempt,
            note=_(
                "%(n)d wrong launch codes were entered (%(device)s); the launch is"
                " locked until the proctor makes a new code."
            )
            % {"n": attempt.launch_failures, "device": device_label or "?"},
        )
        return DeliveryError(
            "launch",
            _("Too many wrong launch codes. Ask your proctor for a new code."),
        )
    return DeliveryError(
        "launch", _("That is not the launch code of this exam. Check it and try again.")
    )


# Who wrote an incident the system notes; the second-device one has its own label,
# by which DEVICE_INCIDENT_INTERVAL finds the last one.
SYSTEM_LABEL = "certwright"
DEVICE_LABEL = "certwright-device"


def _incident_system(
    attempt: Attempt, *, note: str, label: str = SYSTEM_LABEL
) -> Incident:
    """An incident the system notes for the proctor's console (no person wrote
    it): a second device, a locked launch."""
    incident = Incident.objects.create(
        technician_id=attempt.technician_id,
        appointment_id=attempt.appointment_id,
        attempt=attempt,
        note=note,
        created_by_label=label,
    )
    event_record(
        kind=EventKind.INCIDENT_NOTED,
        subject=f"attempt:{attempt.pk}",
        technician_id=attempt.technician_id,
        actor="certwright",
        data={"incident": incident.pk},
        reason=note,
    )
    return incident


def device_refusal_record(*, attempt_id: int, by: Actor, device_label: str) -> None:
    """A request for a proctored attempt came from a browser without its seat
    token: an event every time, and an incident on the proctor's console (at most
    one per DEVICE_INCIDENT_INTERVAL per attempt, so a retry loop is one note)."""
    with transaction.atomic():
        attempt = _locked(attempt_id)
        if not attempt.is_proctored or attempt.is_finished:
            return
        event_record(
            kind=EventKind.ATTEMPT_DEVICE_REFUSED,
            subject=f"attempt:{attempt.pk}",
            technician_id=attempt.technician_id,
            actor=by,
            data={"device": device_label[:200], "launched": bool(attempt.device_hash)},
            reason="request from a device that does not hold the seat",
        )
        recent = Incident.objects.filter(
            attempt_id=attempt.pk,
            created_by_label=DEVICE_LABEL,
            created_at__gte=clock_now() - DEVICE_INCIDENT_INTERVAL,
        ).exists()
        if recent:
            return
        _incident_system(
            attempt,
            note=_(
                "Another device tried to open this exam (%(device)s) and was refused."
            )
            % {"device": device_label or "?"},
            label=DEVICE_LABEL,
        )


def attempt_device_reset(*, attempt_id: int, actor: Actor, reason: str) -> Attempt:
    """The proctor moves the attempt to another workstation (a broken computer):
    the bound browser loses the seat and a new launch code is made. The clock is
    not touched (pause the exam first if the move takes time)."""
    if not reason.strip():
        raise DeliveryError("reason", _("Say why the exam moves to a new workstation."))
    with transaction.atomic():
        attempt = _proctor_locked(attempt_id, actor)
        _refuse_finished(attempt)
        before = _snapshot(attempt)
        old_device = attempt.device_label
        _seat_write(attempt, hashed="", label="", bound_at=None, code=_launch_code())
        _event(
            attempt,
            kind=EventKind.ATTEMPT_DEVICE_RESET,
            actor=actor,
            before=before,
            reason=reason.strip(),
            extra={"previous_device": old_device},
        )
    return attempt


def attempt_start(*, attempt_id: int, by: Actor, device: str | None = None) -> Attempt:
    """The candidate starts the clock (after the tutorial), at the workstation the
    attempt was launched on. Starting again returns the attempt as it is; an
    authorisation past the end of its appointment lapses instead."""
    with transaction.atomic():
        attempt = _locked(attempt_id)
        check_attempt_candidate(attempt, by)
        lapsed = _lapse_due(attempt, clock_now())
        if lapsed:
            # Committed before the refusal is raised below.
            _lapse(attempt, actor=by)
        elif attempt.status != AttemptStatus.AUTHORISED:
            _refuse_finished(attempt)
            _check_device(attempt, by, device)
            return attempt
        else:
            _check_device(attempt, by, device)
            before = _snapshot(attempt)
            attempt.status = AttemptStatus.IN_PROGRESS
            attempt.started_at = clock_now()
            attempt.deadline = _deadline(attempt)
            _write(attempt, ["status", "started_at", "deadline"])
            _event(
                attempt,
                kind=EventKind.ATTEMPT_STARTED,
                actor=by,
                before=before,
                reason=f"{attempt.test} started",
            )
    if lapsed:
        raise _lapsed_error()
    return attempt


# --- the proctor's controls ----------------------------------------------------------


def _proctor_locked(attempt_id: int, actor: Actor) -> Attempt:
    attempt = _locked(attempt_id)
    centre_id = None
    if attempt.appointment_id is not None:
        centre_id = (
            Appointment.objects.filter(pk=attempt.appointment_id)
            .values_list("centre_id", flat=True)
            .first()
        )
    check_centre_staff(actor, centre_id)
    return attempt


def attempt_pause(*, attempt_id: int, actor: Actor, reason: str = "") -> Attempt:
    """Stop the clock (a fire alarm, a sick candidate); saves are refused until the
    proctor resumes. Pausing a paused attempt changes nothing."""
    expired = False
    with transaction.atomic():
        attempt = _proctor_locked(attempt_id, actor)
        if attempt.status == AttemptStatus.PAUSED:
            return attempt
        _refuse_finished(attempt)
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise DeliveryError("not_started", _("The exam has not started yet."))
        moment = clock_now()
        if _time_up(attempt, moment):
            _finish(attempt, status=AttemptStatus.EXPIRED, by="timeout", actor=actor)
            expired = True
        else:
            before = _snapshot(attempt)
            attempt.status = AttemptStatus.PAUSED
            attempt.paused_at = moment
            _write(attempt, ["status", "paused_at"])
            _event(
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
        attempt = _proctor_locked(attempt_id, actor)
        if attempt.status == AttemptStatus.IN_PROGRESS:
            return attempt
        _refuse_finished(attempt)
        if attempt.status != AttemptStatus.PAUSED or attempt.paused_at is None:
            raise DeliveryError("not_started", _("The exam has not started yet."))
        before = _snapshot(attempt)
        paused = math.ceil((clock_now() - attempt.paused_at).total_seconds())
        attempt.paused_seconds += max(0, paused)
        attempt.paused_at = None
        attempt.status = AttemptStatus.IN_PROGRESS
        attempt.deadline = _deadline(attempt)
        _write(attempt, ["status", "paused_at", "paused_seconds", "deadline"])
        _event(
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
        attempt = _proctor_locked(attempt_id, actor)
        _refuse_finished(attempt)
        if _time_up(attempt, clock_now()):
            raise DeliveryError(
                "deadline", _("The time has already run out; it cannot be extended.")
            )
        before = _snapshot(attempt)
        attempt.budget_seconds += minutes * 60
        attempt.extended_seconds += minutes * 60
        attempt.deadline = _deadline(attempt)
        _write(attempt, ["budget_seconds", "extended_seconds", "deadline"])
        _event(
            attempt,
            kind=EventKind.ATTEMPT_EXTENDED,
            actor=actor,
            before=before,
            reason=reason,
            extra={"minutes": minutes},
        )
    return attempt


def incident_note(
    *,
    note: str,
    actor: Actor,
    attempt_id: int | None = None,
    appointment_id: int | None = None,
) -> Incident:
    """Record what a proctor saw, on an attempt or (before one exists) on an
    appointment."""
    if not note.strip():
        raise DeliveryError("reason", _("Write what happened."))
    with transaction.atomic():
        attempt = None
        if attempt_id is not None:
            attempt = _proctor_locked(attempt_id, actor)
            appointment_id = attempt.appointment_id
            technician_id = attempt.technician_id
        elif appointment_id is not None:
            appointment = Appointment.objects.filter(pk=appointment_id).first()
            if appointment is None:
                raise DeliveryError("not_found", _("There is no such appointment."))
            check_centre_staff(actor, appointment.centre_id)
            technician_id = appointment.technician_id
        else:
            raise DeliveryError("not_found", _("Say which exam or appointment."))
        actor_id, label = actor_split(actor)
        incident = Incident.objects.create(
            technician_id=technician_id,
            appointment_id=appointment_id,
            attempt=attempt,
            note=note.strip(),
            created_by_id=actor_id,
            created_by_label=label,
        )
        event_record(
            kind=EventKind.INCIDENT_NOTED,
            subject=f"attempt:{attempt_id}"
            if attempt_id
            else f"appointment:{appointment_id}",
            technician_id=technician_id,
            actor=actor,
            data={"incident": incident.pk},
            reason=incident.note,
        )
    return incident


def attempt_void(*, attempt_id: int, reason: str, actor: Actor) -> Attempt:
    """The proctor ends the exam with an incident (misconduct, a failure that
    cannot be recovered): the attempt is not scored and no result is recorded."""
    if not reason.strip():
        raise DeliveryError("reason", _("Say why the exam is ended."))
    with transaction.atomic():
        attempt = _proctor_locked(attempt_id, actor)
        if attempt.status == AttemptStatus.VOIDED:
            return attempt
        _refuse_finished(attempt)
        incident_note(note=reason, actor=actor, attempt_id=attempt.pk)
        _finish(attempt, status=AttemptStatus.VOIDED, by="proctor", actor=actor)
    return attempt


# --- submitting and scoring ----------------------------------------------------------


def attempt_submit(*, attempt_id: int, by: Actor, device: str | None = None) -> Attempt:
    """The candidate submits, from the attempt's workstation. A replayed submit (a
    second tab, a retry) returns the finished attempt unchanged. Submitted after
    the deadline it counts as timed out.
    """
    with transaction.atomic():
        attempt = _locked(attempt_id)
        check_attempt_candidate(attempt, by)
        if attempt.is_finished:
            return attempt
        _check_device(attempt, by, device)
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
        attempt = _locked(attempt_id)
        if not _time_up(attempt, clock_now()):
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


def scoring_items(form_id: int) -> list[ScoringItem]:
    """The form's keys and scored flags, for scoring only (never for a page)."""
    return [
        ScoringItem(form_item_id=pk, key=key, scored=scored, area=area)
        for pk, key, scored, area in FormItem.objects.filter(form_id=form_id)
        .order_by("position")
        .values_list("pk", "item_version__key", "scored", "area")
    ]


def _blueprint_areas(test: str, effective: dt.date) -> tuple[list[str], dict[str, str]]:
    spec = current_program().tests.get(test)
    blueprint = spec.blueprint_on(effective) if spec is not None else None
    if blueprint is None:
        return [], {}
    return [a.code for a in blueprint.areas], {a.code: a.name for a in blueprint.areas}


def attempt_compute_score(attempt: Attempt) -> Score:
    form = attempt.form
    order, names = _blueprint_areas(attempt.test, form.blueprint_effective)
    choices = dict(
        Response.objects.filter(attempt_id=attempt.pk).values_list(
            "form_item_id", "choice"
        )
    )
    return attempt_score(
        items=scoring_items(form.pk),
        choices=choices,
        cut_score=form.cut_score or 0,
        scale=form.scale,
        area_names=names,
        area_order=order,
    )


def _finish(attempt: Attempt, *, status: str, by: str, actor: Actor) -> None:
    """End a locked attempt: score it (unless voided), record the result fact of a
    proctored one, mail it, and complete the appointment when its last test is
    done. Runs inside the caller's transaction."""
    before = _snapshot(attempt)
    moment = clock_now()
    attempt.status = status
    attempt.submitted_at = moment
    attempt.ended_by = by
    attempt.paused_at = None
    fields = ["status", "submitted_at", "ended_by", "paused_at"]
    score: Score | None = None
    if status != AttemptStatus.VOIDED:
        score = attempt_compute_score(attempt)
        attempt.raw_score = score.raw
        attempt.scored_items = score.of
        attempt.area_scores = [
            {"code": a.code, "name": a.name, "raw": a.raw, "of": a.of}
            for a in score.areas
        ]
        attempt.passed = score.passed
        attempt.scaled_score = score.scaled
        fields += ["raw_score", "scored_items", "area_scores", "passed", "scaled_score"]
    if score is not None and not attempt.is_practice:
        attempt.result = result_record(
            technician_id=attempt.technician_id,
            test=attempt.test,
            date=_result_day(attempt, moment),
            kind=attempt.kind,
            outcome="pass" if score.passed else "fail",
            source=SOURCE,
            actor=actor,
            external_id=f"attempt:{attempt.pk}",
        )
        fields.append("result")
    _write(attempt, fields)
    kind = {
        AttemptStatus.SUBMITTED: EventKind.ATTEMPT_SUBMITTED,
        AttemptStatus.EXPIRED: EventKind.ATTEMPT_EXPIRED,
        AttemptStatus.VOIDED: EventKind.ATTEMPT_VOIDED,
    }[AttemptStatus(status)]
    _event(
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
    if score is not None:
        _result_mail(attempt)
    _appointment_complete_if_done(attempt, actor=actor)


def _result_day(attempt: Attempt, moment: dt.datetime) -> dt.date:
    """The centre's local day of the submission, never after the program's today
    (result_record refuses a future date; a centre east of UTC can be a day
    ahead)."""
    assert attempt.appointment_id is not None
    appointment = Appointment.objects.select_related("centre").get(
        pk=attempt.appointment_id
    )
    return min(moment.astimezone(appointment.centre.tz).date(), today())


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


def _pass_mark(form: Form) -> int:
    """The scaled score of the form's cut (every form a candidate sits is published,
    so both are set)."""
    if form.scale is None or form.cut_score is None:
        return SCALE_PASS
    return int(form.scale[form.cut_score])


def attempt_result_context(attempt: Attempt) -> dict[str, Any]:
    """What the result page, report and e-mail show."""
    spec = current_program().tests.get(attempt.test)
    technician = attempt.technician
    return {
        "attempt": attempt,
        "technician": technician,
        "test_code": attempt.test,
        "test_name": spec.name if spec is not None else attempt.test,
        "passed": attempt.passed,
        "scaled": attempt.scaled_score,
        # The test date as recorded on the result fact (the centre's local day), so
        # the pages and e-mail agree with the certification; practice has no fact.
        "date": (
            attempt.result.date
            if attempt.result is not None
            else timezone.localdate(attempt.submitted_at)
            if attempt.submitted_at is not None
            else None
        ),
        # The form's own pass mark on the reported scale (the scaled score of its cut).
        "scale_pass": _pass_mark(attempt.form),
        "scale_low": SCALE_MIN,
        "scale_high": SCALE_MAX,
        "raw": attempt.raw_score,
        "of": attempt.scored_items,
        "areas": [
            {**a, "percent": round(100 * a["raw"] / a["of"]) if a["of"] else 0}
            for a in attempt.area_scores
        ],
        "report_url": settings.CERTWRIGHT_SITE_URL
        + reverse("delivery:report", args=[attempt.pk]),
    }


def _result_mail(attempt: Attempt) -> None:
    technician = Technician.objects.select_related("user").get(pk=attempt.technician_id)
    to = technician_email(technician)
    if not to:
        logger.warning("attempt %s: the candidate has no e-mail", attempt.pk)
        return
    email_send(to=to, template="exam_result", context=attempt_result_context(attempt))


# --- answers -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SaveAck:
    """What the server holds for the item after a save (the stored answer: the
    one just sent, or a newer one when the save was older)."""

    attempt_id: int
    form_item_id: int
    client_seq: int
    choice: int | None
    flagged: bool
    applied: bool
    # Practice only: whether the choice is right, the key and the rationale.
    feedback: dict[str, Any] | None = field(default=None)


def _check_int(value: object, *, code: str, low: int, high: int, what: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise DeliveryError(
            code,
            _("%(what)s must be a whole number from %(low)d to %(high)d.")
            % {"what": what, "low": low, "high": high},
        )
    return value


def _upsert_sql() -> str:
    response = connection.ops.quote_name(Response._meta.db_table)
    attempt = connection.ops.quote_name(Attempt._meta.db_table)
    form_item = connection.ops.quote_name(FormItem._meta.db_table)
    technician = connection.ops.quote_name(Technician._meta.db_table)
    # The SELECT checks everything a save needs (owner, in progress, before the
    # deadline + grace, the item on the attempt's form): a save that fails a check
    # inserts nothing. ON CONFLICT applies only a higher client_seq, so a replay or
    # an older save reaching the server late never overwrites a newer answer.
    # (SQLite needs the WHERE clause to parse INSERT ... SELECT ... ON CONFLICT.)
    # In practice the first answer counts: once an item holds a choice, a later
    # save of a practice attempt may change its flag but not the choice (the
    # feedback already showed the key). The kind is read only on such a conflict.
    return f"""
        INSERT INTO {response}
            (attempt_id, form_item_id, choice, flagged, client_seq, saved_at)
        SELECT a.id, fi.id, %s, %s, %s, %s
          FROM {attempt} a
          JOIN {form_item} fi ON fi.form_id = a.form_id
          JOIN {technician} t ON t.id = a.technician_id
         WHERE a.id = %s AND fi.id = %s AND a.status = %s
           AND (a.deadline IS NULL OR a.deadline > %s)
           AND (%s OR (t.user_id = %s
                       AND (a.appointment_id IS NULL OR a.device_hash = %s)))
        ON CONFLICT (attempt_id, form_item_id) DO UPDATE
           SET choice = excluded.choice, flagged = excluded.flagged,
               client_seq = excluded.client_seq, saved_at = excluded.saved_at
         WHERE {response}.client_seq < excluded.client_seq
           AND ({response}.choice IS NULL
                OR excluded.choice = {response}.choice
                OR NOT EXISTS (SELECT 1 FROM {attempt} p
                                WHERE p.id = {response}.attempt_id
                                  AND p.kind = '{AttemptKind.PRACTICE.value}'))
        RETURNING id
    """


def answer_save(
    *,
    attempt_id: int,
    form_item_id: int,
    choice: int | None,
    flagged: bool,
    client_seq: int,
    by: Actor,
    feedback: bool = False,
    device: str | None = None,
) -> SaveAck:
    """Save the candidate's answer to one item (``choice`` None clears it).

    Idempotent per (attempt, item): applied only when ``client_seq`` is higher than
    the stored one; an older or replayed save is acknowledged with what is stored
    (``applied`` False). Refused (DeliveryError, nothing stored) for someone else's
    attempt, a proctored attempt from a browser without its seat token (``device``;
    codes ``device`` or ``launch``), an item not on its form, a bad choice or
    sequence number, while paused, before the start, after the end or past the
    deadline (which closes the attempt).
    In a practice attempt the first answer counts: a save that would change or
    clear an item's stored choice is not applied (acknowledged with the stored
    answer, and its feedback); the flag may still change.
    The statement runs in autocommit (or the caller's transaction): when this
    returns outside a transaction, the answer is committed. With ``feedback`` (the
    practice player) a practice attempt's ack carries whether the answer is right,
    the key and the rationale; an exam's never does.
    """
    _check_int(attempt_id, code="not_found", low=1, high=2**63 - 1, what="attempt")
    _check_int(form_item_id, code="item", low=1, high=2**63 - 1, what=_("The item"))
    if choice is not None:
        _check_int(
            choice, code="choice", low=0, high=OPTION_COUNT - 1, what=_("The answer")
        )
    if not isinstance(flagged, bool):
        raise DeliveryError("flagged", _("flagged must be true or false."))
    _check_int(
        client_seq,
        code="seq",
        low=1,
        high=MAX_CLIENT_SEQ,
        what=_("The sequence number"),
    )
    user = _user(by)
    moment = clock_now()
    ops = connection.ops
    params = [
        choice,
        flagged,
        client_seq,
        ops.adapt_datetimefield_value(moment),
        attempt_id,
        form_item_id,
        AttemptStatus.IN_PROGRESS.value,
        ops.adapt_datetimefield_value(moment - LATE_SAVE_GRACE),
        user is None,
        user.pk if user is not None else None,
        # Never equal to a stored hash (hex) when the browser holds no token.
        device_hash(device) if device else "-",
    ]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), params)
        applied = cursor.fetchone() is not None
    if applied:
        ack = SaveAck(
            attempt_id=attempt_id,
            form_item_id=form_item_id,
            client_seq=client_seq,
            choice=choice,
            flagged=flagged,
            applied=True,
        )
    else:
        ack = _save_refused_or_stale(
            attempt_id=attempt_id, form_item_id=form_item_id, by=by, device=device
        )
    if feedback and _is_practice(attempt_id):
        return _with_feedback(ack)
    return ack


# The highest question index a player may report (far above any form's length).
MAX_POSITION = 9999


def attempt_position_save(
    *, attempt_id: int, position: int, by: Actor, device: str | None = None
) -> int:
    """Remember the question the candidate is viewing (0-based, in the attempt's
    order), so that the exam reopens there in any browser. Presentation, not a
    state change of the attempt: no version, no audit event (like a save). Refused
    (nothing written) for someone else's attempt, another workstation, an attempt
    not in progress or paused, or a position that is not a whole number 0 to
    MAX_POSITION. Returns the position stored."""
    _check_int(attempt_id, code="not_found", low=1, high=2**63 - 1, what="attempt")
    _check_int(
        position, code="position", low=0, high=MAX_POSITION, what=_("The question")
    )
    attempt = (
        Attempt.objects.filter(pk=attempt_id)
        .only("status", "kind", "appointment_id", "device_hash", "technician_id")
        .first()
    )
    if attempt is None:
        raise attempt_not_found()
    check_attempt_candidate(attempt, by)
    _check_device(attempt, by, device)
    if attempt.is_finished:
        _refuse_finished(attempt)
    if attempt.status == AttemptStatus.AUTHORISED:
        raise DeliveryError("not_started", _("The exam has not started yet."))
    # One UPDATE, conditional on the attempt still being open: a submit between
    # the read and the write leaves the finished attempt untouched.
    Attempt.objects.filter(
        pk=attempt_id, status__in=[AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED]
    ).update(last_position=position)
    return position


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
            attempt = _locked(attempt_id)
            if attempt.is_finished:
                continue
            _finish(attempt, status=AttemptStatus.VOIDED, by="refund", actor=actor)
            ended += 1
    return ended


def _is_practice(attempt_id: int) -> bool:
    return (
        Attempt.objects.filter(pk=attempt_id).values_list("kind", flat=True).first()
        == AttemptKind.PRACTICE
    )


def _with_feedback(ack: SaveAck) -> SaveAck:
    attempt = (
        Attempt.objects.filter(pk=ack.attempt_id)
        .values_list("technician_id", "test", "status")
        .first()
    )
    # Keys and rationales are what the practice entitlement sells: none once it is
    # gone (a refund ends the attempt too; this holds whatever revoked it).
    if (
        attempt is None
        or attempt[2] in FINISHED_STATUSES
        or not has_entitlement(attempt[0], attempt[1], EntitlementKind.PRACTICE)
    ):
        return ack
    row = (
        FormItem.objects.filter(pk=ack.form_item_id)
        .values_list("item_version__key", "item_version__rationale")
        .first()
    )
    if row is None or ack.choice is None:
        return ack
    key, rationale = row
    return SaveAck(
        attempt_id=ack.attempt_id,
        form_item_id=ack.form_item_id,
        client_seq=ack.client_seq,
        choice=ack.choice,
        flagged=ack.flagged,
        applied=ack.applied,
        feedback={"correct": ack.choice == key, "key": key, "rationale": rationale},
    )


def _save_refused_or_stale(
    *, attempt_id: int, form_item_id: int, by: Actor, device: str | None
) -> SaveAck:
    """The upsert wrote nothing: either a newer answer is stored (acknowledge it) or
    a check failed (raise the reason)."""
    user = _user(by)
    attempt = (
        Attempt.objects.filter(pk=attempt_id)
        .select_related("technician")
        .only(
            "status",
            "deadline",
            "form_id",
            "kind",
            "appointment_id",
            "device_hash",
            "technician__user_id",
        )
        .first()
    )
    if attempt is None or (user is not None and attempt.technician.user_id != user.pk):
        raise attempt_not_found()
    _check_device(attempt, by, device)
    if not FormItem.objects.filter(pk=form_item_id, form_id=attempt.form_id).exists():
        raise DeliveryError("item", _("That question is not part of this exam."))
    if attempt.is_finished:
        _refuse_finished(attempt)
    if attempt.status == AttemptStatus.PAUSED:
        raise DeliveryError(
            "paused",
            _("The exam is paused by the proctor; your answer is kept and sent again."),
        )
    if attempt.status == AttemptStatus.AUTHORISED:
        raise DeliveryError("not_started", _("The exam has not started yet."))
    moment = clock_now()
    if _time_up(attempt, moment):
        attempt_expire(attempt_id=attempt_id)
        raise DeliveryError("deadline", _("The time for this exam has run out."))
    stored = (
        Response.objects.filter(attempt_id=attempt_id, form_item_id=form_item_id)
        .values_list("client_seq", "choice", "flagged")
        .first()
    )
    if stored is None:  # pragma: no cover - the upsert would have inserted it
        raise DeliveryError("state", _("The answer could not be saved; send it again."))
    seq, choice, flagged = stored
    return SaveAck(
        attempt_id=attempt_id,
        form_item_id=form_item_id,
        client_seq=seq,
        choice=choice,
        flagged=flagged,
        applied=False,
    )


def attempt_lazy_close(attempt: Attempt) -> Attempt:
    """A page load or status poll of an attempt whose time has run out closes it
    (the sweep would too, later); returns the attempt as it now stands."""
    moment = clock_now()
    if _time_up(attempt, moment):
        attempt_expire(attempt_id=attempt.pk)
        attempt.refresh_from_db()
    elif _lapse_due(attempt, moment):
        attempt_lapse(attempt_id=attempt.pk)
        attempt.refresh_from_db()
    return attempt
