"""Reading the renewal app: which certifications may take part, and a technician's
subscriptions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from certwright import rules
from certwright.audit.personal_data import export_part
from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.credentials.models import (
    Certification,
    Outcome,
    TestResult,
)
from certwright.credentials.selectors import technician_facts
from certwright.program.model import Program
from certwright.renewal.models import (
    Question,
    QuestionStatus,
    SubscribedCertification,
    Subscription,
    SubscriptionChoice,
    SubscriptionStatus,
)

DEFAULT_TIME_ZONE = "America/New_York"


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


def subscription_next_start(*, technician_id: int, today: dt.date) -> dt.date:
    """The day a subscription bought today starts: today, or, while one is active,
    the day the last active one ends (a second year follows the first, so no
    month of questions is paid twice)."""
    last_end = (
        Subscription.objects.filter(
            technician_id=technician_id,
            status=SubscriptionStatus.ACTIVE,
            ends_on__gt=today,
        )
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    return max(today, last_end) if last_end is not None else today


def subscription_queued(*, technician_id: int, today: dt.date) -> Subscription | None:
    """An active subscription bought ahead, starting after ``today``."""
    return (
        Subscription.objects.filter(
            technician_id=technician_id,
            status=SubscriptionStatus.ACTIVE,
            starts_on__gt=today,
        )
        .order_by("starts_on")
        .first()
    )


def renewal_purchase_reasons(*, technician_id: int, today: dt.date) -> list[str]:
    """Why the technician may not buy a year of the renewal app today (empty: they
    may). One year ahead at most: a subscription already bought for the coming
    year refuses a third; nothing that could take part refuses any."""
    queued = subscription_queued(technician_id=technician_id, today=today)
    if queued is not None:
        return [
            _(
                "You already have a renewal subscription for the coming year"
                " (%(start)s to %(end)s)."
            )
            % {"start": queued.starts_on, "end": queued.ends_on}
        ]
    starts_on = subscription_next_start(technician_id=technician_id, today=today)
    if not renewal_eligible_tests(technician_id=technician_id, starts_on=starts_on):
        return [
            _(
                "None of your certifications can take part: the renewal app keeps"
                " only certifications the program allows in it that you passed"
                " before the subscription starts."
            )
        ]
    return []


def time_zone_chosen(technician_id: int) -> str:
    """The time zone the technician chose for their next subscription, or the
    default."""
    chosen = (
        SubscriptionChoice.objects.filter(technician_id=technician_id)
        .values_list("time_zone", flat=True)
        .first()
    )
    return chosen or DEFAULT_TIME_ZONE


def question_path(question_id: int) -> str:
    """Where a question is answered. A plain path: the answering pages are another
    app's work and may not be routed yet, so no ``reverse`` here."""
    return f"/renewal/questions/{question_id}/"


@dataclass(frozen=True, slots=True)
class TakingPart:
    """One certification in a subscription, as its page shows it."""

    test: str
    name: str
    # The credits the rules counted in the subscription's year: those an extension
    # of the year used, and those still counting toward the next one.
    credits: int
    still_needed: int  # before the next extension (the rolling window's count)
    extended_on: dt.date | None  # the day this year's last extension applied
    expires_on: dt.date | None  # the certification's expiry now (derived)


@dataclass(frozen=True, slots=True)
class WaitingQuestion:
    id: int
    test: str
    answer_by: dt.datetime
    url: str


def taking_part(
    subscription: Subscription,
    *,
    program: Program | None = None,
    on: dt.date | None = None,
) -> list[TakingPart]:
    """Each certification of ``subscription`` with its credits, counted by the rules
    core's own count (``rules.credit_progress``, which the recompute applies): at
    most ``questions_per_month`` a calendar month, after the first pass, and
    ``credits_for_extension`` of them inside a rolling ``credit_window_months``
    earn an extension, on the day of the last one. So credits from before the
    subscription that are still in the window count, and credits that fell out of
    it do not, exactly as for the certification's expiry, which is the derived
    one (the extension shows once the recompute has run)."""
    program = program or current_program()
    on = on or today()
    policy = program.renewal
    tests = [c.test for c in subscription.certifications.all()]
    facts = technician_facts(subscription.technician_id)
    expiry = dict(
        Certification.objects.filter(
            technician_id=subscription.technician_id, test__in=tests
        ).values_list("test", "expires_on")
    )
    in_year = (subscription.starts_on, subscription.ends_on)
    rows = []
    for test in tests:
        spec = program.tests.get(test)
        credits = sorted(
            (c for c in facts.renewal_credits if c.test == test and c.date <= on),
            key=lambda c: (c.date, c.ref),
        )
        passes = sorted(
            r.date for r in facts.results if r.test == test and r.outcome == "pass"
        )
        progress = (
            rules.credit_progress(program, spec, credits, passes[0] if passes else None)
            if spec is not None
            else rules.CreditProgress((), ())
        )
        day_of = {c.ref: c.date for c in credits}
        this_year = [d for d, _ in progress.granted if in_year[0] <= d < in_year[1]]
        used = sum(
            1
            for _, refs in progress.granted
            for ref in refs
            if in_year[0] <= day_of[ref] < in_year[1]
        )
        pending = progress.pending_on(on, policy.credit_window_months)
        rows.append(
            TakingPart(
                test=test,
                name=spec.name if spec else test,
                credits=used
                + sum(1 for d in progress.window if in_year[0] <= d < in_year[1]),
                still_needed=max(0, policy.credits_for_extension - pending),
                extended_on=this_year[-1] if this_year else None,
                expires_on=expiry.get(test),
            )
        )
    return rows


def questions_waiting(*, technician_id: int, now: dt.datetime) -> list[WaitingQuestion]:
    """Questions sent and not yet answered whose answer window is still open."""
    return [
        WaitingQuestion(
            id=q.pk, test=q.test, answer_by=q.answer_by, url=question_path(q.pk)
        )
        for q in Question.objects.filter(
            technician_id=technician_id,
            status__in=[QuestionStatus.WAITING, QuestionStatus.OPEN],
            answer_by__gt=now,
        ).order_by("answer_by", "id")
    ]


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


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """renewal's part of the technician's data export: their subscriptions and
    choice, and each question sent to them with their own answer and whether it
    was correct. Never the item (its stem, options or key): the renewal questions
    come from the live item bank."""
    own = {"technician_id": technician.pk}
    return export_part(
        Subscription.objects.filter(**own),
        SubscribedCertification.objects.filter(**own),
        (
            Question.objects.filter(**own),
            {"omit": ("item", "item_version", "email_id", "credit_id")},
        ),
        SubscriptionChoice.objects.filter(**own),
    )
