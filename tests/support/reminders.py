"""A technician whose certification is on the expiry reminder ladder, and the sweep
run with its e-mails delivered (Django's locmem backend)."""

from __future__ import annotations

import datetime as dt
import email
from email.message import Message
from typing import Any

from django.core import mail
from django.test import TestCase

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.models import Certification
from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record
from certwright.reminders.services import SweepResult, expiry_reminders_send
from tests.support.scheduling import user_create


def reminded_technician(
    *, passed_on: dt.date, test: str = "A1", with_address: bool = True
) -> Technician:
    """A technician with a sign-in, ten years' approved experience before
    ``passed_on`` and a pass in ``test`` that day, recomputed (call it with the
    clock at or after ``passed_on``)."""
    user = user_create()
    technician = technician_create(
        name="Rosa Díaz", email=user.email if with_address else ""
    )
    technician.user = user if with_address else None
    technician.save(update_fields=["user"])
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=passed_on - dt.timedelta(days=3660),
        end=passed_on,
        approved=True,
    )
    result_record(
        technician_id=technician.pk, test=test, date=passed_on,
        kind="initial", outcome="pass", source="test",
    )  # fmt: skip
    technician_recompute(technician_id=technician.pk)
    return technician


def expires_on(technician: Technician, test: str = "A1") -> dt.date:
    value = Certification.objects.get(technician=technician, test=test).expires_on
    assert value is not None
    return value


def sweep(on: dt.date | None = None) -> tuple[SweepResult, list[Any]]:
    """Run the sweep and deliver what it queued; (its result, the new e-mails)."""
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = expiry_reminders_send(on=on)
    return result, list(mail.outbox[before:])


def parsed(message: Any) -> Message:
    """A sent message as a mail client reads it: its bytes through the stdlib
    parser."""
    return email.message_from_bytes(message.message().as_bytes())
