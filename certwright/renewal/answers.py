"""Opening and answering a renewal question: the server keeps the time.

A question is ``waiting`` until opened; opening starts the time limit
(``time_limit_minutes``, capped at the question's ``answer_by``) once; one final
answer is taken before ``due_at``. A correct answer in time records a renewal credit
(``credentials.services.renewal_credit_record``) in the same transaction, dated the
answer's day in the technician's time zone; the derived state follows in the same
transaction (an extension shows at once).

Lock order: the question row, then (only for an answer that earns a credit) the
technician's facts row, which ``renewal_credit_record`` takes. Two tabs answering at
once are serialised on the question and record one answer (the second sees it and
is answered with it). Nothing locks a technician and then one of their questions
(the dispatch's sweep updates questions without touching technicians), so the order
cannot deadlock; and a wrong or late answer, which records no fact, leaves the
technician's row alone (it used to bump ``facts_version``, marking the derived
state stale with no fact behind it).

Answering is the hot path of the monthly peak (issue 12: hundreds a second), so
each request reads the question once, locked, with only what it decides on, in
one plain statement (``_locked``); the view does not look it up before the service
does.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import DEFERRED
from django.utils.translation import gettext as _

from certwright.accounts.sessions import session_live_params, session_live_sql
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.core.clock import now
from certwright.core.prepared import execute_prepared, prepared_statements
from certwright.core.program import current_program
from certwright.credentials.services import renewal_credit_record
from certwright.itembank.models import ItemVersion
from certwright.renewal.dispatch import local_date
from certwright.renewal.errors import RenewalError
from certwright.renewal.models import (
    Question,
    QuestionStatus,
    SubscribedCertification,
    Subscription,
    SubscriptionStatus,
)

LETTERS = "ABCD"


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """The question as recorded, and whether this call recorded it (False: a
    repeat of an answer already recorded)."""

    question: Question
    recorded: bool


# The question's own columns that opening and answering decide on. The rest (and
# the item's stem, options and rationale) is not read.
_DECIDING = (
    "id", "subscribed", "technician", "test", "month", "item", "item_version",
    "answer_by", "opened_at", "due_at", "answered_at", "choice", "correct",
    "status", "credit_id",
)  # fmt: skip
_LOCK_SQL: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class _Locked:
    """A question, row-locked, with what it is decided on from its subscription
    and item version."""

    question: Question
    cancelled: bool
    time_zone: str  # the subscription's: a credit is dated the answer's day there
    key: int  # the item version's


def _lock_sql(*, session: bool = False) -> str:
    """The locking read of ``_locked``, for the current database.

    Written out rather than built by the ORM: it runs for every opening and every
    answer of the monthly peak, and building the three-join query (with
    ``select_related`` and ``only``) cost 1.1 ms of CPU per request on PostgreSQL,
    more than the rest of the answer's own statements together (the session and
    roles reads are plain SQL for the same reason: ``accounts.sessions``,
    ``core.roles``)."""
    vendor = connection.vendor
    if session:
        # The answer layer's (renewal/wsgi.py): only while the session is live.
        if f"{vendor}+session" not in _LOCK_SQL:
            sql, check = _lock_sql(), f" AND {session_live_sql('z')}"
            lock = sql.find(" FOR UPDATE")
            if lock >= 0:
                sql = sql[:lock] + check + sql[lock:]
            else:
                sql += check
            _LOCK_SQL[f"{vendor}+session"] = sql
        return _LOCK_SQL[f"{vendor}+session"]
    if vendor not in _LOCK_SQL:
        qn = connection.ops.quote_name

        def table(model: type[models.Model]) -> str:
            return qn(model._meta.db_table)

        def column(model: type[models.Model], name: str) -> str:
            field = model._meta.get_field(name)
            assert isinstance(field, models.Field)
            return qn(str(field.column))

        own = ", ".join(f"q.{column(Question, name)}" for name in _DECIDING)
        sql = (
            f"SELECT {own}, s.{column(Subscription, 'status')},"
            f" s.{column(Subscription, 'time_zone')}, v.{column(ItemVersion, 'key')}"
            f" FROM {table(Question)} q"
            f" JOIN {table(SubscribedCertification)} c"
            f" ON c.{column(SubscribedCertification, 'id')}"
            f" = q.{column(Question, 'subscribed')}"
            f" JOIN {table(Subscription)} s ON s.{column(Subscription, 'id')}"
            f" = c.{column(SubscribedCertification, 'subscription')}"
            f" JOIN {table(ItemVersion)} v ON v.{column(ItemVersion, 'id')}"
            f" = q.{column(Question, 'item_version')}"
            f" WHERE q.{column(Question, 'id')} = %s"
            f" AND q.{column(Question, 'technician')} = %s"
        )
        # Only the question's row: locking the subscription and the item version
        # would serialise every answer to the same item. SQLite has no row locks
        # (its IMMEDIATE transactions hold the one write lock).
        if connection.features.has_select_for_update_of:
            sql += " FOR UPDATE OF q"
        elif connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        _LOCK_SQL[vendor] = sql
    return _LOCK_SQL[vendor]


_ANSWERED = ("answered_at", "choice", "correct", "status", "credit_id")
_ANSWER_SQL: dict[str, str] = {}


def _answer_stored(question: Question) -> None:
    """``question.save(update_fields=...)`` of what an answer sets, as one plain
    statement: at the monthly peak the ORM's building of that update was a
    seventh of an answer's CPU (bench/renewal.py). No model signal listens to
    questions."""
    vendor = connection.vendor
    if vendor not in _ANSWER_SQL:
        qn = connection.ops.quote_name
        meta = Question._meta
        columns = ", ".join(
            f"{qn(str(meta.get_field(name).column))} = %s"  # type: ignore[union-attr]
            for name in _ANSWERED
        )
        _ANSWER_SQL[vendor] = (
            f"UPDATE {qn(meta.db_table)} SET {columns}"
            f" WHERE {qn(str(meta.pk.column))} = %s"
        )
    params = [
        connection.ops.adapt_datetimefield_value(question.answered_at),
        question.choice,
        question.correct,
        str(question.status),
        question.credit_id,
        question.pk,
    ]
    with connection.cursor() as cursor:
        if prepared_statements():
            execute_prepared(
                cursor, "certwright_renewal_answered", _ANSWER_SQL[vendor], params
            )
        else:
            cursor.execute(_ANSWER_SQL[vendor], params)


def _locked(
    technician_id: int, question_id: int, session_key: str | None = None
) -> _Locked:
    """The technician's question, row-locked, with what opening and answering
    decide on (the other columns are deferred); ``Question.DoesNotExist`` for
    anyone else's (the page answers 404 as for a question that does not exist),
    and, with ``session_key``, when that session is not live."""
    params: list[Any] = [question_id, technician_id]
    if session_key is not None:
        params += session_live_params(session_key)
    sql = _lock_sql(session=session_key is not None)
    with connection.cursor() as cursor:
        if prepared_statements():
            # Planning the four-table read cost PostgreSQL more than running it.
            name = "certwright_renewal_locked" + ("_live" if session_key else "")
            execute_prepared(cursor, name, sql, params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Question.DoesNotExist(f"no question {question_id} of this technician")
    question = _question_of(row[: len(_DECIDING)])
    status, time_zone, key = row[len(_DECIDING) :]
    return _Locked(
        question=question,
        cancelled=status == SubscriptionStatus.CANCELLED,
        time_zone=time_zone,
        key=key,
    )


@functools.cache
def _readers(vendor: str) -> tuple[tuple[Any, list[Any]], ...]:
    """For each column of ``_DECIDING`` as the locking read selects it: its column
    expression and the converters Django applies to its values on this database
    (what the ORM's compiler does: an aware datetime from SQLite's text, a bool
    from its integer)."""
    out = []
    for name in _DECIDING:
        field = Question._meta.get_field(name)
        assert isinstance(field, models.Field)
        col = field.get_col("q")
        converters = [
            *connection.ops.get_db_converters(col),
            *col.get_db_converters(connection),
        ]
        out.append((col, converters))
    return tuple(out)


def _question_of(values: tuple[Any, ...]) -> Question:
    """The question from the locking read's own columns (the others deferred), as
    the ORM would make it: one plain statement read by a cursor, not a raw query
    set, which cost more than the statement (bench/renewal.py)."""
    read: dict[str, Any] = {}
    for (col, converters), value in zip(
        _readers(connection.vendor), values, strict=True
    ):
        for converter in converters:
            value = converter(value, col, connection)
        read[col.target.attname] = value
    fields = Question._meta.concrete_fields
    return Question.from_db(
        connection.alias,
        [f.attname for f in fields],
        [read.get(f.attname, DEFERRED) for f in fields],
    )


def _lapse(question: Question, at: dt.datetime) -> bool:
    """Mark the question expired or timed out if its time is over at ``at`` (no
    save); True when it changed."""
    if question.status == QuestionStatus.WAITING and at >= question.answer_by:
        question.status = QuestionStatus.EXPIRED
        return True
    if (
        question.status == QuestionStatus.OPEN
        and question.due_at is not None
        and at >= question.due_at
    ):
        question.status = QuestionStatus.TIMED_OUT
        return True
    return False


def _refuse_cancelled(locked: _Locked) -> None:
    if locked.cancelled:
        raise RenewalError(
            _(
                "This subscription was cancelled: its questions can no longer be"
                " answered."
            ),
            code="cancelled",
        )


def question_open(
    *,
    technician_id: int,
    question_id: int,
    at: dt.datetime | None = None,
) -> Question:
    """Open a waiting question: ``opened_at`` and ``due_at`` (the time limit from
    now, never past ``answer_by``) are set once; opening it again changes nothing.
    Refused once the answer window has passed; ``Question.DoesNotExist`` when it is
    not the technician's question."""
    moment = at or now()
    with transaction.atomic():
        locked = _locked(technician_id, question_id)
        question = locked.question
        if question.status != QuestionStatus.WAITING:
            return question
        _refuse_cancelled(locked)
        if _lapse(question, moment):
            question.save(update_fields=["status"])
            return question
        limit = dt.timedelta(minutes=current_program().renewal.time_limit_minutes)
        question.opened_at = moment
        question.due_at = min(moment + limit, question.answer_by)
        question.status = QuestionStatus.OPEN
        question.save(update_fields=["opened_at", "due_at", "status"])
    return question


def choice_parse(value: object) -> int:
    """A choice as sent (a letter A–D or an index 0–3) as its index; anything else
    is a ``RenewalError`` saying what is expected."""
    text = str(value if value is not None else "").strip().upper()
    if len(text) == 1 and text in LETTERS:
        return LETTERS.index(text)
    if text in {"0", "1", "2", "3"}:
        return int(text)
    raise RenewalError(
        _("Choose one of the four answers (A, B, C or D)."), code="malformed"
    )


def question_answer(
    *,
    technician_id: int,
    question_id: int,
    choice: int,
    at: dt.datetime | None = None,
    actor: Actor = None,
    session_key: str | None = None,
) -> AnswerResult:
    """Record the technician's one final answer.

    The same choice again returns the recorded result (a replayed request, a second
    tab): one answer, one credit. A different choice after an answer is refused. An
    answer after the time limit or the answer window is recorded as timed out or
    expired and earns nothing. A question not opened yet is refused;
    ``Question.DoesNotExist`` when it is not the technician's question, or (with
    ``session_key``, the answer layer's) when that session is not live."""
    if choice not in range(len(LETTERS)):
        raise RenewalError(
            _("Choose one of the four answers (A, B, C or D)."), code="malformed"
        )
    moment = at or now()
    with transaction.atomic():
        locked = _locked(technician_id, question_id, session_key)
        question = locked.question
        if question.answered_at is not None:
            if question.choice == choice:
                return AnswerResult(question, recorded=False)
            raise RenewalError(
                _(
                    "You already answered %(letter)s; an answer is final and cannot"
                    " be changed."
                )
                % {"letter": LETTERS[question.choice or 0]},
                code="already_answered",
            )
        _refuse_cancelled(locked)
        if question.status == QuestionStatus.WAITING and moment < question.answer_by:
            raise RenewalError(
                _("Open the question first: the time limit starts when you open it."),
                code="not_opened",
            )
        late = moment >= question.answer_by or (
            question.due_at is not None and moment >= question.due_at
        )
        question.choice = choice
        question.answered_at = moment
        question.correct = choice == locked.key
        if late:
            # Recorded, so a repeat gets the same answer, and worth no credit.
            # Timed out when the time limit ended before the answer window did;
            # expired when the window ended first (never opened, or opened so
            # late that the window cut the time limit short).
            question.status = (
                QuestionStatus.TIMED_OUT
                if question.due_at is not None and question.due_at < question.answer_by
                else QuestionStatus.EXPIRED
            )
        else:
            question.status = QuestionStatus.ANSWERED
            if question.correct:
                credit = renewal_credit_record(
                    technician_id=technician_id,
                    test=question.test,
                    date=local_date(moment, locked.time_zone),
                    source=f"renewal_question:{question.pk}",
                    actor=actor,
                )
                question.credit_id = credit.pk
        _answer_stored(question)
        event_record(
            kind=EventKind.RENEWAL_QUESTION_ANSWERED,
            subject=f"renewal_question:{question.pk}",
            technician_id=technician_id,
            actor=actor,
            data={
                "test": question.test,
                "month": question.month.isoformat(),
                "item": question.item_id,
                "choice": LETTERS[choice],
                "correct": question.correct,
                "status": question.status,
                "credit": question.credit_id,
            },
            reason=_answer_words(question),
        )
    return AnswerResult(question, recorded=True)


def _answer_words(question: Question) -> str:
    if question.status == QuestionStatus.ANSWERED:
        return (
            "answered correctly: credit recorded"
            if question.correct
            else ("answered incorrectly")
        )
    if question.status == QuestionStatus.TIMED_OUT:
        return "answered after the time limit: no credit"
    return "answered after the answer window: no credit"
