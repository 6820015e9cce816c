"""Recording facts: test results, renewal credits, revocations.

Every service here does the same four things in one transaction: validates the fact
against the current program (an error names the field), appends it, bumps the
technician's ``facts_version`` (marking the derived state stale) and writes an event.
After commit it enqueues a recompute of that technician, so the derived certification
and title rows follow the facts without anyone editing them. A renewal credit, the
monthly peak's fact, is brought in within its own transaction instead, only as far as
it moves anything (``renewal_credit_record``).

Experience records are facts too, owned and written by
``certwright.candidates.services``; candidates signals each write
(``candidates.signals``) and ``receivers`` here schedule the same recompute.
Facts are never edited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from certwright.audit.bulk import row_created
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record_change
from certwright.candidates.services import technician_facts_touch
from certwright.core.clock import today
from certwright.core.dates import day_problem
from certwright.core.program import current_program
from certwright.core.tasks import enqueue_with_request_id
from certwright.credentials.models import (
    Outcome,
    RenewalCredit,
    ResultKind,
    Revocation,
    TestResult,
)
from certwright.credentials.recompute import renewal_credit_derive
from certwright.credentials.selectors import REF_CREDIT, REF_RESULT, REF_REVOCATION
from certwright.program.model import Program

# Certification testing began in 1972; an earlier date is a typing error.
EARLIEST_RESULT = dt.date(1970, 1, 1)


# --- validation (shared with the admin's fact forms) --------------------------------


def _check_day(
    errors: dict[str, str], field: str, day: object, earliest: dt.date, *, on: dt.date
) -> None:
    if problem := day_problem(day, earliest=earliest, on=on):
        errors[field] = problem


def _check_test(errors: dict[str, str], program: Program, test: object) -> None:
    if not isinstance(test, str) or test not in program.tests:
        errors["test"] = f"unknown test {test!r} in program {program.id!r}"


def result_errors(
    *, program: Program, test: object, date: object, kind: object, outcome: object
) -> dict[str, str]:
    """What is wrong with a test result, by field (empty: nothing)."""
    errors: dict[str, str] = {}
    _check_test(errors, program, test)
    _check_day(errors, "date", date, EARLIEST_RESULT, on=today())
    if kind not in ResultKind.values:
        errors["kind"] = f"{kind!r} is not one of {', '.join(ResultKind.values)}"
    if outcome not in Outcome.values:
        errors["outcome"] = f"{outcome!r} is not one of {', '.join(Outcome.values)}"
    return errors


def renewal_credit_errors(
    *, program: Program, test: object, date: object
) -> dict[str, str]:
    errors: dict[str, str] = {}
    _check_test(errors, program, test)
    _check_day(errors, "date", date, EARLIEST_RESULT, on=today())
    return errors


def revocation_errors(
    *, program: Program, test: object, date: object, reason: object
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if test is not None and test != "":
        _check_test(errors, program, test)
    _check_day(errors, "date", date, EARLIEST_RESULT, on=today())
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = "a revocation needs a reason"
    return errors


def _raise(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


# --- the shared tail of every fact ---------------------------------------------------


def recompute_after_commit(technician_id: int) -> None:
    """Enqueue the technician's recompute once the fact's transaction commits."""
    from certwright.credentials.tasks import technician_recompute_task

    transaction.on_commit(
        partial(
            enqueue_with_request_id,
            technician_recompute_task,
            technician_id=technician_id,
        )
    )


def _fact_event(
    *,
    kind: EventKind,
    technician_id: int,
    subject: str,
    after: dict[str, Any],
    actor: Actor,
    reason: str,
    before: dict[str, Any] | None = None,
) -> None:
    event_record_change(
        kind=kind,
        subject=subject,
        technician_id=technician_id,
        actor=actor,
        after=after,
        before=before,
        reason=reason,
    )


def _user_id(actor: Actor) -> int | None:
    return actor.pk if isinstance(actor, AbstractBaseUser) else None


# --- services ------------------------------------------------------------------------


def _result_content(r: TestResult) -> dict[str, Any]:
    return {
        "test": r.test,
        "date": r.date.isoformat(),
        "kind": r.kind,
        "outcome": r.outcome,
        "source": r.source,
        "external_id": r.external_id,
    }


def result_record(
    *,
    technician_id: int,
    test: str,
    date: dt.date,
    kind: str,
    outcome: str,
    source: str = "",
    actor: Actor = None,
    external_id: str | None = None,
) -> TestResult:
    """Record a test result; with ``external_id``, recording it again is a no-op.

    The same ``external_id`` with different content is refused: the provider never
    changes a result, so a difference means a mix-up worth a person's look.
    """
    _raise(
        result_errors(
            program=current_program(), test=test, date=date, kind=kind, outcome=outcome
        )
    )
    with transaction.atomic():
        if external_id:
            existing = TestResult.objects.filter(external_id=external_id).first()
            if existing is not None:
                same = (
                    existing.technician_id,
                    existing.test,
                    existing.date,
                    existing.kind,
                    existing.outcome,
                ) == (technician_id, test, date, kind, outcome)
                if not same:
                    raise ValidationError(
                        {
                            "external_id": f"result {external_id!r} was already "
                            "recorded with different content"
                        }
                    )
                return existing
        technician_facts_touch(technician_id)
        result = TestResult.objects.create(
            technician_id=technician_id,
            test=test,
            date=date,
            kind=kind,
            outcome=outcome,
            source=source,
            external_id=external_id or None,
        )
        _fact_event(
            kind=EventKind.FACT_RECORDED,
            technician_id=technician_id,
            subject=f"{REF_RESULT}:{result.pk}",
            after=_result_content(result),
            actor=actor,
            reason=f"{test} {kind} result recorded: {outcome} on {date.isoformat()}",
        )
        recompute_after_commit(technician_id)
    return result


def renewal_credit_record(
    *,
    technician_id: int,
    test: str,
    date: dt.date,
    source: str = "",
    actor: Actor = None,
) -> RenewalCredit:
    """Record one correctly answered renewal question in ``test``'s area.

    Unlike the other facts, the derived state follows in this transaction, as far
    as the credit moves it (``recompute.renewal_credit_derive``): most credits move
    nothing and only mark it current; the one that completes an extension
    recomputes the technician here, so the extension shows at once. A monthly
    peak of answers then costs a few queries each instead of a queued recompute
    apiece (issue 12)."""
    _raise(renewal_credit_errors(program=current_program(), test=test, date=date))
    # No savepoint inside a caller's transaction (an answer's): a failure here
    # fails the whole of it anyway, and the pair of statements is a tenth of an
    # answer's round trips.
    with transaction.atomic(savepoint=False):
        technician_facts_touch(technician_id)
        # One plain insert (nothing listens to a credit's save): the ORM's
        # ``create`` was a large part of a right answer's CPU at the peak.
        credit: RenewalCredit = row_created(
            RenewalCredit, [technician_id, test, date, source, timezone.now()]
        )
        _fact_event(
            kind=EventKind.FACT_RECORDED,
            technician_id=technician_id,
            subject=f"{REF_CREDIT}:{credit.pk}",
            after={"test": test, "date": date.isoformat(), "source": source},
            actor=actor,
            reason=f"{test} renewal credit recorded for {date.isoformat()}",
        )
        derived = renewal_credit_derive(
            technician_id=technician_id, test=test, credit_id=credit.pk, actor=actor
        )
        if derived == "stale":
            recompute_after_commit(technician_id)
    return credit


def revocation_record(
    *,
    technician_id: int,
    date: dt.date,
    reason: str,
    test: str | None = None,
    actor: Actor = None,
) -> Revocation:
    """Withdraw one certification (``test``) or every one (``test`` None)."""
    _raise(
        revocation_errors(
            program=current_program(), test=test, date=date, reason=reason
        )
    )
    with transaction.atomic():
        technician_facts_touch(technician_id)
        revocation = Revocation.objects.create(
            technician_id=technician_id,
            test=test or "",
            date=date,
            reason=reason.strip(),
            by_id=_user_id(actor),
        )
        _fact_event(
            kind=EventKind.FACT_RECORDED,
            technician_id=technician_id,
            subject=f"{REF_REVOCATION}:{revocation.pk}",
            after={"test": test, "date": date.isoformat(), "reason": revocation.reason},
            actor=actor,
            reason=f"{test or 'every certification'} revoked from {date.isoformat()}: "
            f"{revocation.reason}",
        )
        recompute_after_commit(technician_id)
    return revocation
