"""Reading the renewal app: which certifications may take part, and a technician's
subscriptions."""

from __future__ import annotations

import datetime as dt

from certwright.core.program import current_program
from certwright.credentials.models import Outcome, TestResult
from certwright.program.model import Program
from certwright.renewal.models import Question, Subscription, SubscriptionStatus


def renewable_tests(program: Program) -> frozenset[str]:
    """The tests the program lets the renewal app keep (``renewal.eligible_series``
    or a test's own ``renewable_by_app``)."""
    series = set(program.renewal.eligible_series)
    return frozenset(
        code
        for code, test in program.tests.items()
        if test.renewable_by_app or test.series in series
    )


def renewal_eligible_tests(
    *, technician_id: int, starts_on: dt.date, program: Program | None = None
) -> list[str]:
    """The certifications that would take part in a subscription starting on
    ``starts_on``: renewable by the program and, where the program requires it,
    passed before that day. An expired certification takes part too (the program's
    rules decide whether credits reinstate it)."""
    program = program or current_program()
    renewable = renewable_tests(program)
    passed = TestResult.objects.filter(
        technician_id=technician_id, outcome=Outcome.PASS, test__in=renewable
    )
    if program.renewal.requires_prior_pass:
        passed = passed.filter(date__lt=starts_on)
    return sorted(set(passed.values_list("test", flat=True)))


def subscription_current(*, technician_id: int, on: dt.date) -> Subscription | None:
    """The technician's active subscription covering ``on``, if any."""
    return (
        Subscription.objects.filter(
            technician_id=technician_id,
            status=SubscriptionStatus.ACTIVE,
            starts_on__lte=on,
            ends_on__gt=on,
        )
        .order_by("-starts_on")
        .first()
    )


def subscriptions_of(technician_id: int) -> list[Subscription]:
    """Every subscription of the technician, newest first, with the certifications
    taking part."""
    return list(
        Subscription.objects.filter(technician_id=technician_id)
        .prefetch_related("certifications")
        .order_by("-starts_on", "-id")
    )


def questions_of(technician_id: int) -> list[Question]:
    """The technician's renewal questions, newest month first (waiting and open
    ones first within a month)."""
    return list(
        Question.objects.filter(technician_id=technician_id)
        .select_related("subscribed__subscription")
        .order_by("-month", "test", "seq")
    )


def question_of(*, technician_id: int, question_id: int) -> Question | None:
    """The technician's question ``question_id``, with the version shown; None for a
    question of anyone else (the page answers as if it did not exist)."""
    return (
        Question.objects.filter(pk=question_id, technician_id=technician_id)
        .select_related("subscribed__subscription", "item_version")
        .first()
    )


def credits_earned(*, subscribed_id: int) -> int:
    """How many renewal credits a subscribed certification's answers earned."""
    return Question.objects.filter(
        subscribed_id=subscribed_id, credit_id__isnull=False
    ).count()
