"""Recording facts: test results, experience, renewal credits, revocations.

Every service here does the same four things in one transaction: validates the fact
against the current program (an error names the field), appends it, bumps the
technician's ``facts_version`` (marking the derived state stale) and writes an event.
After commit it enqueues a recompute of that technician, so the derived certification
and title rows follow the facts without anyone editing them.

Facts are never edited: approving an experience record is the one change a fact
takes, and it is recorded the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record, event_record_change
from certwright.candidates.models import (
    EARLIEST_EXPERIENCE,
    ExperienceKind,
    ExperienceRecord,
    Technician,
)
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.credentials.models import (
    Outcome,
    RenewalCredit,
    ResultKind,
    Revocation,
    TestResult,
)
from certwright.credentials.selectors import (
    REF_CREDIT,
    REF_EXPERIENCE,
    REF_RESULT,
    REF_REVOCATION,
)
from certwright.program.model import Program

# Certification testing began in 1972; an earlier date is a typing error.
EARLIEST_RESULT = dt.date(1970, 1, 1)


# --- validation (shared with the admin's fact forms) --------------------------------


def _check_day(
    errors: dict[str, str], field: str, day: object, earliest: dt.date, *, on: dt.date
) -> None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        errors[field] = f"{day!r} is not a date"
    elif day > on:
        errors[field] = (
            f"{day.isoformat()} is in the future (today is {on.isoformat()})"
        )
    elif day < earliest:
        errors[field] = f"{day.isoformat()} is before {earliest.isoformat()}"


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


def experience_errors(
    *, program: Program, kind: object, start: object, end: object
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ExperienceKind.values or kind not in program.experience.kinds:
        known = sorted(set(ExperienceKind.values) & set(program.experience.kinds))
        errors["kind"] = f"{kind!r} is not one of {', '.join(known)}"
    on = today()
    _check_day(errors, "start", start, EARLIEST_EXPERIENCE, on=on)
    if end is not None:
        _check_day(errors, "end", end, EARLIEST_EXPERIENCE, on=on)
        if (
            "start" not in errors
            and "end" not in errors
            and isinstance(start, dt.date)
            and isinstance(end, dt.date)
            and end < start
        ):
            errors["end"] = (
                f"the end ({end.isoformat()}) is before the start ({start.isoformat()})"
            )
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


def _technician_touch(technician_id: int) -> None:
    """Bump ``facts_version``; the UPDATE also locks the technician's row until
    commit, so a recompute running meanwhile waits and then sees this fact."""
    updated = Technician.objects.filter(pk=technician_id).update(
        facts_version=F("facts_version") + 1
    )
    if not updated:
        raise ValidationError(
            {"technician_id": f"no technician with id {technician_id}"}
        )


def _recompute_after_commit(technician_id: int) -> None:
    from certwright.credentials.tasks import technician_recompute_task

    transaction.on_commit(
        partial(technician_recompute_task.enqueue, technician_id=technician_id)
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
        _technician_touch(technician_id)
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
        _recompute_after_commit(technician_id)
    return result


def _experience_content(r: ExperienceRecord) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "employer": r.employer,
        "role": r.role,
        "start": r.start.isoformat(),
        "end": r.end.isoformat() if r.end else None,
        "full_time": r.full_time,
        "approved": r.approved,
        "employer_email": r.employer_email,
    }


def experience_record_add(
    *,
    technician_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None = None,
    full_time: bool = True,
    employer: str = "",
    role: str = "",
    note: str = "",
    approved: bool = False,
    employer_email: str = "",
    actor: Actor = None,
) -> ExperienceRecord:
    """Record a span of experience; it counts once approved (here or later)."""
    _raise(
        experience_errors(program=current_program(), kind=kind, start=start, end=end)
    )
    with transaction.atomic():
        _technician_touch(technician_id)
        record = ExperienceRecord.objects.create(
            technician_id=technician_id,
            kind=kind,
            start=start,
            end=end,
            full_time=full_time,
            employer=employer,
            role=role,
            note=note,
            employer_email=employer_email,
            approved=approved,
            approved_by_id=_user_id(actor) if approved else None,
            approved_at=now() if approved else None,
        )
        _fact_event(
            kind=EventKind.FACT_RECORDED,
            technician_id=technician_id,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            after=_experience_content(record),
            actor=actor,
            reason=f"{kind} experience recorded"
            + (" and approved" if approved else ", awaiting approval"),
        )
        _recompute_after_commit(technician_id)
    return record


def experience_record_approve(
    *, record_id: int, actor: Actor = None
) -> ExperienceRecord:
    """Approve an experience record so it counts; approving twice changes nothing."""
    with transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
        )
        if record is None:
            raise ValidationError(
                {"record_id": f"no experience record with id {record_id}"}
            )
        if record.approved:
            return record
        if record.withdrawn_at is not None:
            # Withdrawn by the candidate: kept, never counted (whoever asks).
            raise ValidationError("The candidate withdrew this record.")
        before = _experience_content(record)
        _technician_touch(record.technician_id)
        record.approved = True
        record.approved_by_id = _user_id(actor)
        record.approved_at = now()
        record.save(update_fields=["approved", "approved_by", "approved_at"])
        _fact_event(
            kind=EventKind.FACT_UPDATED,
            technician_id=record.technician_id,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            before=before,
            after=_experience_content(record),
            actor=actor,
            reason=f"{record.kind} experience approved",
        )
        _recompute_after_commit(record.technician_id)
    return record


# Changing what a record says about the work; confirming it again is the employer's.
_EMPLOYER_FACING = ("kind", "employer", "role", "start", "end", "full_time")


def experience_record_update(
    *,
    record_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    full_time: bool,
    employer: str,
    role: str,
    employer_email: str,
    note: str = "",
    actor: Actor = None,
) -> ExperienceRecord:
    """Correct an experience record that is not yet approved.

    An approved record is a fact the derived state rests on and is never edited
    (staff record a new one instead). Editing a rejected record resubmits it for
    review. When what the employer would confirm changes, an earlier confirmation
    or dispute no longer applies and the record's revision moves on, so links sent
    for the old content stop working.
    """
    _raise(
        experience_errors(program=current_program(), kind=kind, start=start, end=end)
    )
    with transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
        )
        if record is None:
            raise ValidationError(
                {"record_id": f"no experience record with id {record_id}"}
            )
        if not record.editable:
            raise ValidationError(
                "This record was already "
                + ("approved" if record.approved else "withdrawn")
                + " and can no longer be changed."
            )
        before = _experience_content(record)
        new = {
            "kind": kind,
            "employer": employer.strip(),
            "role": role.strip(),
            "start": start,
            "end": end,
            "full_time": full_time,
            "employer_email": employer_email.strip(),
            "note": note,
        }
        if all(getattr(record, k) == v for k, v in new.items()):
            return record
        facing_changed = any(
            getattr(record, k) != new[k] for k in (*_EMPLOYER_FACING, "employer_email")
        )
        _technician_touch(record.technician_id)
        for k, v in new.items():
            setattr(record, k, v)
        record.revision += 1
        fields = [*new, "revision"]
        if facing_changed:
            record.employer_confirmed_at = None
            record.employer_disputed_at = None
            record.employer_response = ""
            record.employer_link_sent_at = None
            record.employer_flags = ""
            fields += [
                "employer_confirmed_at",
                "employer_disputed_at",
                "employer_response",
                "employer_link_sent_at",
                "employer_flags",
            ]
        resubmitted = record.rejected_at is not None
        if resubmitted:
            record.rejected_at = None
            record.rejected_by = None
            record.rejection_reason = ""
            fields += ["rejected_at", "rejected_by", "rejection_reason"]
        record.save(update_fields=fields)
        _fact_event(
            kind=EventKind.FACT_UPDATED,
            technician_id=record.technician_id,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            before=before,
            after=_experience_content(record),
            actor=actor,
            reason=f"{record.kind} experience corrected before approval"
            + (" and resubmitted after rejection" if resubmitted else ""),
        )
        _recompute_after_commit(record.technician_id)
    return record


def experience_record_reject(
    *, record_id: int, reason: str, actor: Actor = None
) -> ExperienceRecord:
    """Record staff's decision not to approve a record, with the reason.

    The record stays (unapproved, so it never counts); the decision is on the record
    and in the audit trail, and the candidate may correct and resubmit it.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "A rejection needs a reason."})
    with transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
        )
        if record is None:
            raise ValidationError(
                {"record_id": f"no experience record with id {record_id}"}
            )
        if record.approved:
            raise ValidationError("This record is already approved.")
        if record.withdrawn_at is not None:
            raise ValidationError("The candidate withdrew this record.")
        record.rejected_at = now()
        record.rejected_by_id = _user_id(actor)
        record.rejection_reason = reason
        record.save(update_fields=["rejected_at", "rejected_by", "rejection_reason"])
        event_record(
            kind=EventKind.EXPERIENCE_REJECTED,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            data={"record": _experience_content(record), "revision": record.revision},
            reason=f"{record.kind} experience rejected: {reason}",
        )
    return record


def experience_record_withdraw(
    *, record_id: int, actor: Actor = None
) -> ExperienceRecord:
    """The candidate takes back a record before it is approved (it is kept, never
    counted, and leaves the review queue)."""
    with transaction.atomic():
        record = (
            ExperienceRecord.objects.select_for_update().filter(pk=record_id).first()
        )
        if record is None:
            raise ValidationError(
                {"record_id": f"no experience record with id {record_id}"}
            )
        if record.approved:
            raise ValidationError(
                "An approved record cannot be withdrawn; ask program staff."
            )
        if record.withdrawn_at is not None:
            return record
        record.withdrawn_at = now()
        record.save(update_fields=["withdrawn_at"])
        event_record(
            kind=EventKind.EXPERIENCE_WITHDRAWN,
            subject=f"{REF_EXPERIENCE}:{record.pk}",
            technician_id=record.technician_id,
            actor=actor,
            data={"record": _experience_content(record)},
            reason=f"{record.kind} experience withdrawn by the candidate",
        )
    return record


def renewal_credit_record(
    *,
    technician_id: int,
    test: str,
    date: dt.date,
    source: str = "",
    actor: Actor = None,
) -> RenewalCredit:
    """Record one correctly answered renewal question in ``test``'s area."""
    _raise(renewal_credit_errors(program=current_program(), test=test, date=date))
    with transaction.atomic():
        _technician_touch(technician_id)
        credit = RenewalCredit.objects.create(
            technician_id=technician_id, test=test, date=date, source=source
        )
        _fact_event(
            kind=EventKind.FACT_RECORDED,
            technician_id=technician_id,
            subject=f"{REF_CREDIT}:{credit.pk}",
            after={"test": test, "date": date.isoformat(), "source": source},
            actor=actor,
            reason=f"{test} renewal credit recorded for {date.isoformat()}",
        )
        _recompute_after_commit(technician_id)
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
        _technician_touch(technician_id)
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
        _recompute_after_commit(technician_id)
    return revocation
