"""What the exam player saves: answers (``answer_save``) and the question on screen
(``attempt_position_save``).

Answers are the hot path: one conditional upsert statement that checks the attempt
(owner, workstation, in progress, before the deadline) and the item (on the
attempt's form) in its SELECT and applies only a higher ``client_seq``; a second
read happens only when the upsert wrote nothing, to say why. Neither takes a lock
nor raises the attempt's version: they are not changes of its state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from certwright.audit.services import Actor
from certwright.candidates.models import Technician
from certwright.commerce.models import EntitlementKind
from certwright.commerce.selectors import has_entitlement
from certwright.core.clock import now as clock_now
from certwright.core.metrics import ANSWER_SAVES
from certwright.delivery.attempt_changes import refuse_if_finished
from certwright.delivery.attempts import (
    LATE_SAVE_GRACE,
    attempt_expire,
    attempt_time_up,
)
from certwright.delivery.errors import DeliveryError, attempt_not_found
from certwright.delivery.models import (
    FINISHED_STATUSES,
    Attempt,
    AttemptKind,
    AttemptStatus,
    Response,
)
from certwright.delivery.seats import actor_user, check_seat, device_hash
from certwright.delivery.selectors import check_attempt_candidate
from certwright.itembank.models import OPTION_COUNT, FormItem

# The player counts in JavaScript numbers, exact only up to 2^53 - 1
# (Number.MAX_SAFE_INTEGER): a larger sequence number could not be answered back
# or continued from, so it is refused rather than stored.
MAX_CLIENT_SEQ = 2**53 - 1


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
    try:
        ack = _answer_save(
            attempt_id=attempt_id,
            form_item_id=form_item_id,
            choice=choice,
            flagged=flagged,
            client_seq=client_seq,
            by=by,
            device=device,
        )
    except DeliveryError as error:
        ANSWER_SAVES.labels("refused", error.code).inc()
        raise
    ANSWER_SAVES.labels("applied" if ack.applied else "stale", "").inc()
    if feedback and _is_practice(attempt_id):
        return _with_feedback(ack)
    return ack


def _answer_save(
    *,
    attempt_id: int,
    form_item_id: int,
    choice: int | None,
    flagged: bool,
    client_seq: int,
    by: Actor,
    device: str | None,
) -> SaveAck:
    _check_int(
        attempt_id, code="not_found", low=1, high=2**63 - 1, what=_("The attempt")
    )
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
    user = actor_user(by)
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
        return SaveAck(
            attempt_id=attempt_id,
            form_item_id=form_item_id,
            client_seq=client_seq,
            choice=choice,
            flagged=flagged,
            applied=True,
        )
    return _save_refused_or_stale(
        attempt_id=attempt_id, form_item_id=form_item_id, by=by, device=device
    )


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
    user = actor_user(by)
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
    check_seat(attempt, by, device)
    if not FormItem.objects.filter(pk=form_item_id, form_id=attempt.form_id).exists():
        raise DeliveryError("item", _("That question is not part of this exam."))
    if attempt.is_finished:
        refuse_if_finished(attempt)
    if attempt.status == AttemptStatus.PAUSED:
        raise DeliveryError(
            "paused",
            _("The exam is paused by the proctor; your answer is kept and sent again."),
        )
    if attempt.status == AttemptStatus.AUTHORISED:
        raise DeliveryError("not_started", _("The exam has not started yet."))
    moment = clock_now()
    if attempt_time_up(attempt, moment):
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
    _check_int(
        attempt_id, code="not_found", low=1, high=2**63 - 1, what=_("The attempt")
    )
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
    check_seat(attempt, by, device)
    if attempt.is_finished:
        refuse_if_finished(attempt)
    if attempt.status == AttemptStatus.AUTHORISED:
        raise DeliveryError("not_started", _("The exam has not started yet."))
    # One UPDATE, conditional on the attempt still being open: a submit between
    # the read and the write leaves the finished attempt untouched.
    Attempt.objects.filter(
        pk=attempt_id, status__in=[AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED]
    ).update(last_position=position)
    return position
