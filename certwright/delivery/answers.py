"""What the exam player saves: answers (``answer_save``, and ``answers_save_many``
for the queue a player sends after a reconnect) and the question on screen
(``attempt_position_save``).

Answers are the hot path: one conditional upsert statement that checks the attempt
(owner, workstation, in progress, before the deadline) and the item (on the
attempt's form) in its SELECT and applies only a higher ``client_seq``; a second
read happens only when the upsert wrote nothing, to say why. Neither takes a lock
nor raises the attempt's version: they are not changes of its state. A batch is
the same upsert over a VALUES list: one statement for all its answers.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from certwright.accounts.sessions import session_live_params, session_live_sql
from certwright.audit.services import Actor
from certwright.candidates.models import Technician
from certwright.commerce.models import EntitlementKind
from certwright.commerce.selectors import has_entitlement
from certwright.core.clock import now as clock_now
from certwright.core.metrics import ANSWER_SAVES
from certwright.core.prepared import execute_prepared, prepared_statements
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

    def as_json(self) -> dict[str, Any]:
        """The player's acknowledgement (the body of a save's answer)."""
        body: dict[str, Any] = {
            "ok": True,
            "item": self.form_item_id,
            "seq": self.client_seq,
            "choice": self.choice,
            "flagged": self.flagged,
            "applied": self.applied,
        }
        if self.feedback is not None:
            body["feedback"] = self.feedback
        return body


# What _check_int names, translated only when it refuses: a save checks four
# values, and translating their names each time was a tenth of a fast save.
_ATTEMPT = gettext_lazy("The attempt")
_ITEM = gettext_lazy("The item")
_ANSWER = gettext_lazy("The answer")
_SEQ = gettext_lazy("The sequence number")
_QUESTION = gettext_lazy("The question")


def _check_int(
    value: object, *, code: str, low: int, high: int, what: StrOrPromise
) -> int:
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


def _tables() -> tuple[str, str, str, str]:
    quote = connection.ops.quote_name
    return (
        quote(Response._meta.db_table),
        quote(Attempt._meta.db_table),
        quote(FormItem._meta.db_table),
        quote(Technician._meta.db_table),
    )


def _checks_and_conflict_sql() -> str:
    """What follows a save's ``FROM ... JOIN``: the WHERE clause with every check
    of the attempt, and the ON CONFLICT clause; the same text for one answer and
    for a batch, so both apply the same rules. Its parameters: attempt id, status,
    deadline less the grace, "machine actor", user id, device hash."""
    response, attempt, _form_item, _technician = _tables()
    # The WHERE checks everything a save needs of the attempt (owner, in progress,
    # before the deadline + grace, its workstation): a save that fails a check
    # inserts nothing. ON CONFLICT applies only a higher client_seq, so a replay or
    # an older save reaching the server late never overwrites a newer answer.
    # (SQLite needs the WHERE clause to parse INSERT ... SELECT ... ON CONFLICT.)
    # In practice the first answer counts: once an item holds a choice, a later
    # save of a practice attempt may change its flag but not the choice (the
    # feedback already showed the key). The kind is read only on such a conflict.
    return f"""
         WHERE a.id = %s AND a.status = %s
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
    """


def _upsert_sql(*, session: bool = False, typed: bool = False) -> str:
    """The save's statement; with ``session``, it also asks that the session
    (key, and the moment it must outlast: two more parameters) be live. ``typed``:
    the inserted values cast to their columns' types, as a statement prepared on
    PostgreSQL needs them (it would take them for text)."""
    return _upsert_sql_of(connection.vendor, session=session, typed=typed)


@functools.cache
def _upsert_sql_of(vendor: str, *, session: bool, typed: bool) -> str:
    """``_upsert_sql``, written once per database vendor and variant."""
    response, attempt, form_item, technician = _tables()
    checks = _checks_and_conflict_sql()
    if session:
        checks = checks.replace(
            "ON CONFLICT", f"AND {session_live_sql('s')}\n        ON CONFLICT", 1
        )
    values = "%s, %s, %s, %s"
    if typed:
        values = (
            "CAST(%s AS SMALLINT), CAST(%s AS BOOLEAN), CAST(%s AS BIGINT),"
            " CAST(%s AS TIMESTAMP WITH TIME ZONE)"
        )
    # The join on the form checks the item is on the attempt's form.
    return f"""
        INSERT INTO {response}
            (attempt_id, form_item_id, choice, flagged, client_seq, saved_at)
        SELECT a.id, fi.id, {values}
          FROM {attempt} a
          JOIN {form_item} fi ON fi.form_id = a.form_id AND fi.id = %s
          JOIN {technician} t ON t.id = a.technician_id
        {checks}
        RETURNING id
    """


def _upsert_many_sql(rows: int) -> str:
    response, attempt, form_item, technician = _tables()
    # The answers arrive as a VALUES list (a CTE: SQLite has no column aliases on
    # a VALUES subquery); the casts give PostgreSQL each column's type whatever
    # the first row holds (a NULL choice, say). Rows whose item is not on the
    # attempt's form drop out of the join and are not inserted.
    values = ", ".join(
        ["(CAST(%s AS BIGINT), CAST(%s AS SMALLINT), CAST(%s AS BOOLEAN),"
         " CAST(%s AS BIGINT))"] * rows
    )  # fmt: skip
    return f"""
        WITH batch (form_item_id, choice, flagged, client_seq) AS (VALUES {values})
        INSERT INTO {response}
            (attempt_id, form_item_id, choice, flagged, client_seq, saved_at)
        SELECT a.id, fi.id, b.choice, b.flagged, b.client_seq, %s
          FROM batch b
          JOIN {form_item} fi ON fi.id = b.form_item_id
          JOIN {attempt} a ON a.form_id = fi.form_id
          JOIN {technician} t ON t.id = a.technician_id
        {_checks_and_conflict_sql()}
        RETURNING form_item_id
    """


def _check_params(
    *, attempt_id: int, moment: dt.datetime, by: Actor, device: str | None
) -> list[Any]:
    """The parameters of ``_checks_and_conflict_sql``, in order."""
    user = actor_user(by)
    return _check_values(
        attempt_id=attempt_id,
        moment=moment,
        user_id=user.pk if user is not None else None,
        device=device,
    )


def _check_values(
    *, attempt_id: int, moment: dt.datetime, user_id: int | None, device: str | None
) -> list[Any]:
    """``_check_params`` by the acting user's id (None: a machine actor)."""
    return [
        attempt_id,
        AttemptStatus.IN_PROGRESS.value,
        connection.ops.adapt_datetimefield_value(moment - LATE_SAVE_GRACE),
        user_id is None,
        user_id,
        # Never equal to a stored hash (hex) when the browser holds no token.
        device_hash(device) if device else "-",
    ]


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
    _check_input(
        attempt_id=attempt_id,
        form_item_id=form_item_id,
        choice=choice,
        flagged=flagged,
        client_seq=client_seq,
    )
    user = actor_user(by)
    applied = _upsert(
        attempt_id=attempt_id,
        form_item_id=form_item_id,
        choice=choice,
        flagged=flagged,
        client_seq=client_seq,
        user_id=user.pk if user is not None else None,
        device=device,
    )
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


def _check_input(
    *,
    attempt_id: int,
    form_item_id: int,
    choice: int | None,
    flagged: bool,
    client_seq: int,
) -> None:
    """Refuse (DeliveryError) a save whose values are not of the right kind."""
    _check_int(attempt_id, code="not_found", low=1, high=2**63 - 1, what=_ATTEMPT)
    _check_answer(
        form_item_id=form_item_id, choice=choice, flagged=flagged, client_seq=client_seq
    )


def _check_answer(
    *, form_item_id: object, choice: object, flagged: object, client_seq: object
) -> None:
    """Refuse (DeliveryError) an answer's values (item, choice, flag, sequence
    number) that are not of the right kind: a single save's and each of a batch's."""
    _check_int(form_item_id, code="item", low=1, high=2**63 - 1, what=_ITEM)
    if choice is not None:
        _check_int(choice, code="choice", low=0, high=OPTION_COUNT - 1, what=_ANSWER)
    if not isinstance(flagged, bool):
        raise DeliveryError("flagged", _("flagged must be true or false."))
    _check_int(client_seq, code="seq", low=1, high=MAX_CLIENT_SEQ, what=_SEQ)


def _upsert(
    *,
    attempt_id: int,
    form_item_id: int,
    choice: int | None,
    flagged: bool,
    client_seq: int,
    user_id: int | None,
    device: str | None,
    session_key: str | None = None,
) -> bool:
    """The save's one statement; True when it stored the answer. With
    ``session_key``, only while that session is live."""
    moment = clock_now()
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        choice,
        flagged,
        client_seq,
        adapt(moment),
        form_item_id,
        *_check_values(
            attempt_id=attempt_id, moment=moment, user_id=user_id, device=device
        ),
    ]
    with connection.cursor() as cursor:
        if session_key is None:
            cursor.execute(_upsert_sql(), params)
        else:
            params += session_live_params(session_key)
            if prepared_statements():
                # The exam's fast path: planning the upsert cost PostgreSQL more
                # than running it (bench/save_answer.py).
                sql = _upsert_sql(session=True, typed=True)
                execute_prepared(cursor, "certwright_answer_save", sql, params)
            else:
                cursor.execute(_upsert_sql(session=True), params)
        return cursor.fetchone() is not None


def answer_save_if_applied(
    *,
    attempt_id: int,
    user_id: int,
    form_item_id: object,
    choice: object,
    flagged: object,
    client_seq: object,
    device: str | None,
    session_key: str,
) -> SaveAck | None:
    """``answer_save`` by the person ``user_id``, for the one case the exam's fast
    path answers (certwright/delivery/wsgi.py): a save whose values are right and
    which the statement stores. Anything else is None, with nothing stored:
    ``answer_save`` then says why, or what is stored, as it would have. The same
    statement, so the same checks (owner, workstation, in progress, deadline, the
    item on the form, a higher sequence number); safe to repeat (a repeat is not
    applied)."""
    try:
        _check_input(
            attempt_id=attempt_id,
            form_item_id=form_item_id,  # type: ignore[arg-type]
            choice=choice,  # type: ignore[arg-type]
            flagged=flagged,  # type: ignore[arg-type]
            client_seq=client_seq,  # type: ignore[arg-type]
        )
    except DeliveryError:
        return None
    # Checked just now: of the right kinds.
    item, seq = cast(int, form_item_id), cast(int, client_seq)
    chosen, flag = cast(int | None, choice), cast(bool, flagged)
    if not _upsert(
        attempt_id=attempt_id,
        form_item_id=item,
        choice=chosen,
        flagged=flag,
        client_seq=seq,
        user_id=user_id,
        device=device,
        session_key=session_key,
    ):
        return None
    ANSWER_SAVES.labels("applied", "").inc()
    return SaveAck(
        attempt_id=attempt_id,
        form_item_id=item,
        client_seq=seq,
        choice=chosen,
        flagged=flag,
        applied=True,
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
    attempt = _attempt_at_seat(attempt_id=attempt_id, by=by, device=device)
    if not FormItem.objects.filter(pk=form_item_id, form_id=attempt.form_id).exists():
        raise DeliveryError("item", _("That question is not part of this exam."))
    _refuse_unless_open(attempt)
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


def _attempt_at_seat(*, attempt_id: int, by: Actor, device: str | None) -> Attempt:
    """The attempt, if it is the caller's and this browser holds its seat (else
    the refusal)."""
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
    return attempt


def _refuse_unless_open(attempt: Attempt) -> None:
    """Refuse a save to an attempt that is finished, paused, not started or past
    its deadline + grace (closing it then, as its late save shows it is over)."""
    if attempt.is_finished:
        refuse_if_finished(attempt)
    if attempt.status == AttemptStatus.PAUSED:
        raise DeliveryError(
            "paused",
            _("The exam is paused by the proctor; your answer is kept and sent again."),
        )
    if attempt.status == AttemptStatus.AUTHORISED:
        raise DeliveryError("not_started", _("The exam has not started yet."))
    if attempt_time_up(attempt, clock_now()):
        attempt_expire(attempt_id=attempt.pk)
        raise DeliveryError("deadline", _("The time for this exam has run out."))


# --- a batch: the queue a player sends after a reconnect --------------------------

# The most answers one batch may carry. Each item appears at most once, so a form
# bounds a useful batch; this is far above the longest form a program assembles
# (ASE: 50 scored questions and a few pretest ones), and the player sends a longer
# queue in batches of this size.
MAX_BATCH_ANSWERS = 250


@dataclass(frozen=True, slots=True)
class AnswerIn:
    """One answer of a batch, as the player sent it (checked by the service:
    ``answer_save``'s arguments)."""

    form_item_id: int
    choice: int | None
    flagged: bool
    client_seq: int


@dataclass(frozen=True, slots=True)
class SaveRefusal:
    """One answer of a batch that was refused on its own (nothing stored for it):
    the refusal ``answer_save`` would raise for it, with what it named (None where
    that was not a whole number)."""

    form_item_id: int | None
    client_seq: int | None
    code: str
    message: str


def answers_save_many(
    *,
    attempt_id: int,
    answers: Sequence[AnswerIn],
    by: Actor,
    feedback: bool = False,
    device: str | None = None,
) -> list[SaveAck | SaveRefusal]:
    """Save a batch of the candidate's answers (the player's queue after a
    reconnect) with ``answer_save``'s rules, in one statement: one transaction
    that stores every applicable answer or, on a crash, none. Returns one outcome
    per answer, in order: its ack (``applied`` False for a replay or an older
    save), or a ``SaveRefusal`` for an answer refused on its own (an item not on
    the form, a bad choice, flag or sequence number); the others are saved all the
    same. Replaying a batch stores nothing twice.

    Raises (DeliveryError, nothing stored) what the whole batch shares, exactly as
    ``answer_save`` would for each of its answers: someone else's attempt, another
    workstation, paused, not started, finished, past the deadline (which closes
    it); and ``batch`` for a batch that is empty, longer than
    MAX_BATCH_ANSWERS or names an item twice (the player queues one answer per
    item). ``ANSWER_SAVES`` counts each answer: a batch refused whole counts each
    of its answers as refused.
    """
    try:
        outcomes = _answers_save_many(
            attempt_id=attempt_id, answers=answers, by=by, device=device
        )
    except DeliveryError as error:
        ANSWER_SAVES.labels("refused", error.code).inc(len(answers))
        raise
    for outcome in outcomes:
        if isinstance(outcome, SaveRefusal):
            ANSWER_SAVES.labels("refused", outcome.code).inc()
        else:
            ANSWER_SAVES.labels("applied" if outcome.applied else "stale", "").inc()
    if feedback and _is_practice(attempt_id):
        return [
            o if isinstance(o, SaveRefusal) else _with_feedback(o) for o in outcomes
        ]
    return outcomes


def _answer_checked(answer: AnswerIn) -> AnswerIn | SaveRefusal:
    """The answer with its values checked as ``answer_save`` checks them, or its
    refusal."""
    item = answer.form_item_id
    seq = answer.client_seq
    try:
        _check_answer(
            form_item_id=item,
            choice=answer.choice,
            flagged=answer.flagged,
            client_seq=seq,
        )
    except DeliveryError as error:
        return SaveRefusal(
            form_item_id=_whole(item),
            client_seq=_whole(seq),
            code=str(error.code),
            message=" ".join(error.messages),
        )
    return answer


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _answers_save_many(
    *,
    attempt_id: int,
    answers: Sequence[AnswerIn],
    by: Actor,
    device: str | None,
) -> list[SaveAck | SaveRefusal]:
    _check_int(attempt_id, code="not_found", low=1, high=2**63 - 1, what=_ATTEMPT)
    if not answers:
        raise DeliveryError("batch", _("The batch holds no answer."))
    if len(answers) > MAX_BATCH_ANSWERS:
        raise DeliveryError(
            "batch",
            _("A batch holds at most %(max)d answers; send the rest in another.")
            % {"max": MAX_BATCH_ANSWERS},
        )
    checked = [_answer_checked(answer) for answer in answers]
    valid = [a for a in checked if isinstance(a, AnswerIn)]
    items = [a.form_item_id for a in valid]
    if len(set(items)) != len(items):
        # One statement cannot update a row twice (PostgreSQL refuses it), and the
        # player keeps one queued answer per item: a repeat is a broken client.
        raise DeliveryError(
            "batch", _("A batch holds one answer per question; this one repeats one.")
        )
    applied: set[int] = set()
    if valid:
        moment = clock_now()
        params: list[Any] = []
        for row in valid:
            params += [row.form_item_id, row.choice, row.flagged, row.client_seq]
        params.append(connection.ops.adapt_datetimefield_value(moment))
        params += _check_params(
            attempt_id=attempt_id, moment=moment, by=by, device=device
        )
        # One statement is one transaction: every row of it commits, or none.
        with connection.cursor() as cursor:
            cursor.execute(_upsert_many_sql(len(valid)), params)
            applied = {row[0] for row in cursor.fetchall()}
    acks: dict[int, SaveAck] = {
        a.form_item_id: SaveAck(
            attempt_id=attempt_id,
            form_item_id=a.form_item_id,
            client_seq=a.client_seq,
            choice=a.choice,
            flagged=a.flagged,
            applied=True,
        )
        for a in valid
        if a.form_item_id in applied
    }
    refused: dict[int, tuple[str, str]] = {}
    rest = [a.form_item_id for a in valid if a.form_item_id not in applied]
    if rest:
        acks_, refused = _batch_refused_or_stale(
            attempt_id=attempt_id,
            items=rest,
            any_applied=bool(applied),
            by=by,
            device=device,
        )
        acks.update(acks_)
    outcomes: list[SaveAck | SaveRefusal] = []
    for outcome in checked:
        if isinstance(outcome, SaveRefusal):
            outcomes.append(outcome)
        elif outcome.form_item_id in acks:
            outcomes.append(acks[outcome.form_item_id])
        else:
            code, message = refused[outcome.form_item_id]
            outcomes.append(
                SaveRefusal(
                    form_item_id=outcome.form_item_id,
                    client_seq=outcome.client_seq,
                    code=code,
                    message=message,
                )
            )
    return outcomes


def _batch_refused_or_stale(
    *,
    attempt_id: int,
    items: list[int],
    any_applied: bool,
    by: Actor,
    device: str | None,
) -> tuple[dict[int, SaveAck], dict[int, tuple[str, str]]]:
    """Some answers of a batch wrote nothing: ack the stored answer of each item
    that holds a newer one, refuse those not on the form. When none was applied,
    the attempt itself may be the reason: that refusal is the whole batch's (as
    ``answer_save`` would raise it for each answer)."""
    if any_applied:
        # The statement's checks of the attempt passed: only the items can differ.
        form_id = (
            Attempt.objects.filter(pk=attempt_id)
            .values_list("form_id", flat=True)
            .get()
        )
    else:
        attempt = _attempt_at_seat(attempt_id=attempt_id, by=by, device=device)
        _refuse_unless_open(attempt)
        form_id = attempt.form_id
    stored = {
        item: (seq, choice, flagged)
        for item, seq, choice, flagged in Response.objects.filter(
            attempt_id=attempt_id, form_item_id__in=items
        ).values_list("form_item_id", "client_seq", "choice", "flagged")
    }
    acks = {
        item: SaveAck(
            attempt_id=attempt_id,
            form_item_id=item,
            client_seq=seq,
            choice=choice,
            flagged=flagged,
            applied=False,
        )
        for item, (seq, choice, flagged) in stored.items()
    }
    missing = [item for item in items if item not in stored]
    on_form = set(
        FormItem.objects.filter(pk__in=missing, form_id=form_id).values_list(
            "pk", flat=True
        )
        if missing
        else ()
    )
    refused = {
        # On the form yet neither inserted nor stored: the attempt changed between
        # the statement and this read (a resume, say); the player sends it again.
        item: ("state", _("The answer could not be saved; send it again."))
        if item in on_form
        else ("item", _("That question is not part of this exam."))
        for item in missing
    }
    return acks, refused


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
    _check_int(attempt_id, code="not_found", low=1, high=2**63 - 1, what=_ATTEMPT)
    _check_int(position, code="position", low=0, high=MAX_POSITION, what=_QUESTION)
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
