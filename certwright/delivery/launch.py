"""Putting a proctored attempt on its workstation: the launch with the proctor's code
(``attempt_launch``), moving it to another workstation (``attempt_device_reset``),
and noting a browser that tries without the seat (``device_refusal_record``).

What holds the seat is decided in ``seats``; the attempt's row is locked and written
as ``attempt_changes`` says.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.core.clock import now as clock_now
from certwright.delivery.attempt_changes import (
    attempt_event_record,
    attempt_lock,
    attempt_lock_for_proctor,
    attempt_save_if_unchanged,
    attempt_snapshot,
    refuse_if_finished,
)
from certwright.delivery.attempts import (
    attempt_lapse_due,
    attempt_lapse_locked,
    lapsed_error,
)
from certwright.delivery.errors import DeliveryError
from certwright.delivery.incidents import incident_note_system
from certwright.delivery.models import Attempt, Incident
from certwright.delivery.seats import (
    MAX_LAUNCH_FAILURES,
    device_error,
    device_hash,
    launch_code_new,
    launch_code_normalise,
)
from certwright.delivery.selectors import check_attempt_candidate

# A second device retrying in a loop makes one incident for the proctor per
# attempt in this long, not one per request (each refusal is still an event).
DEVICE_INCIDENT_INTERVAL = dt.timedelta(minutes=5)
# Who wrote a second-device incident: by this label the interval finds the last one.
DEVICE_LABEL = "certwright-device"


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
        attempt = attempt_lock(attempt_id)
        check_attempt_candidate(attempt, by)
        moment = clock_now()
        if attempt_lapse_due(attempt, moment):
            attempt_lapse_locked(attempt, actor=by)
            outcome = lapsed_error()
        elif not attempt.is_proctored:
            raise DeliveryError("state", _("A practice test needs no launch code."))
        else:
            refuse_if_finished(attempt)
            if attempt.device_hash:
                raise device_error(attempt)
            if attempt.launch_failures >= MAX_LAUNCH_FAILURES:
                raise DeliveryError(
                    "launch",
                    _("Too many wrong launch codes. Ask your proctor for a new code."),
                )
            given = launch_code_normalise(code)
            if not attempt.launch_code or not constant_time_compare(
                given, attempt.launch_code
            ):
                outcome = _launch_refused(attempt, by=by, device_label=device_label)
            else:
                before = attempt_snapshot(attempt)
                _seat_write(
                    attempt,
                    hashed=device_hash(token),
                    label=device_label[:200],
                    bound_at=moment,
                    code="",
                )
                attempt_event_record(
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
    attempt_save_if_unchanged(
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
    attempt_save_if_unchanged(attempt, ["launch_failures"])
    attempt_event_record(
        attempt,
        kind=EventKind.ATTEMPT_LAUNCH_REFUSED,
        actor=by,
        reason="wrong launch code",
        extra={"failures": attempt.launch_failures, "device": device_label[:200]},
    )
    if attempt.launch_failures >= MAX_LAUNCH_FAILURES:
        incident_note_system(
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


def attempt_device_reset(*, attempt_id: int, actor: Actor, reason: str) -> Attempt:
    """The proctor moves the attempt to another workstation (a broken computer):
    the bound browser loses the seat and a new launch code is made. The clock is
    not touched (pause the exam first if the move takes time)."""
    if not reason.strip():
        raise DeliveryError("reason", _("Say why the exam moves to a new workstation."))
    with transaction.atomic():
        attempt = attempt_lock_for_proctor(attempt_id, actor)
        refuse_if_finished(attempt)
        before = attempt_snapshot(attempt)
        old_device = attempt.device_label
        _seat_write(attempt, hashed="", label="", bound_at=None, code=launch_code_new())
        attempt_event_record(
            attempt,
            kind=EventKind.ATTEMPT_DEVICE_RESET,
            actor=actor,
            before=before,
            reason=reason.strip(),
            extra={"previous_device": old_device},
        )
    return attempt


def device_refusal_record(*, attempt_id: int, by: Actor, device_label: str) -> None:
    """A request for a proctored attempt came from a browser without its seat
    token: an event every time, and an incident on the proctor's console (at most
    one per DEVICE_INCIDENT_INTERVAL per attempt, so a retry loop is one note)."""
    with transaction.atomic():
        attempt = attempt_lock(attempt_id)
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
        incident_note_system(
            attempt,
            note=_(
                "Another device tried to open this exam (%(device)s) and was refused."
            )
            % {"device": device_label or "?"},
            label=DEVICE_LABEL,
        )
