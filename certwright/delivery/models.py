"""Exam delivery: attempts at a form, the answers given, accommodations, incidents.

An ``Attempt`` is one candidate sitting one form. A proctored attempt belongs to a
seat (``appointment_test``) and starts only after the proctor authorises it; a
practice attempt has no appointment and starts at once. Its life::

    authorised ──► in_progress ⇄ paused
        │               │
        │               ├──► submitted   (the candidate submitted)
        │               ├──► expired     (auto-submitted when the time ran out)
        │               └──► voided      (the proctor ended it with an incident)
        └──► lapsed      (never started before its appointment ended)

The seat: a proctored attempt runs on one workstation. Authorising it makes a
short ``launch_code`` that the proctor gives the candidate at the seat; entering it
binds that browser (a random token in a cookie, its SHA-256 in ``device_hash``).
Only that browser may start the attempt, receive its items, save answers and
submit; another device is refused and noted as an incident, and only the proctor
can move the attempt to a new workstation (a new launch code).

The clock lives here, on the server. ``budget_seconds`` is the form's time plus any
accommodation and proctor extension; ``deadline`` = ``started_at`` + budget +
``paused_seconds`` and is rewritten by every change to those (attempts.py). While
paused the clock stops: the time left is frozen at ``deadline - paused_at`` and the
pause is added to ``paused_seconds`` on resume.

A ``Response`` is the latest saved answer to one item of an attempt: one row per
(attempt, form item), written by a conditional upsert that applies only a higher
``client_seq`` (answers.answer_save), so replays and stale saves never overwrite a
newer answer.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certwright.itembank.models import OPTION_COUNT


def _account(related_name: str = "+") -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class AttemptKind(models.TextChoices):
    INITIAL = "initial", _("certification test")
    RECERT = "recert", _("recertification test")
    PRACTICE = "practice", _("practice test")


class AttemptStatus(models.TextChoices):
    AUTHORISED = "authorised", _("authorised")
    IN_PROGRESS = "in_progress", _("in progress")
    PAUSED = "paused", _("paused")
    SUBMITTED = "submitted", _("submitted")
    EXPIRED = "expired", _("time ran out")
    VOIDED = "voided", _("ended by the proctor")
    LAPSED = "lapsed", _("authorisation lapsed")


# An attempt in one of these is over: nothing about it changes any more.
FINISHED_STATUSES = (
    AttemptStatus.SUBMITTED,
    AttemptStatus.EXPIRED,
    AttemptStatus.VOIDED,
    AttemptStatus.LAPSED,
)
# Finished and scored (a voided attempt is not scored).
SCORED_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


class Accommodation(models.Model):
    """Extra time approved for a candidate (a documented need), applied when a
    proctored attempt is authorised: ``extra_percent`` of the form's time, or
    ``extra_minutes``. ``test`` empty means every test."""

    technician = models.ForeignKey(
        "candidates.Technician",
        on_delete=models.PROTECT,
        related_name="accommodations",
    )
    test = models.CharField(
        _("test"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("Leave empty for every test."),
    )
    extra_percent = models.PositiveSmallIntegerField(
        _("extra time (%)"), null=True, blank=True
    )
    extra_minutes = models.PositiveSmallIntegerField(
        _("extra minutes"), null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True, default="")
    approved_by = _account()
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["technician_id", "test", "id"]
        verbose_name = _("accommodation")
        constraints = [
            # Exactly one way of stating the extra time.
            models.CheckConstraint(
                condition=(
                    Q(extra_percent__isnull=False, extra_minutes__isnull=True)
                    | Q(extra_percent__isnull=True, extra_minutes__isnull=False)
                ),
                name="delivery_accommodation_one_measure",
            ),
        ]

    def __str__(self) -> str:
        extra = (
            f"+{self.extra_percent}%"
            if self.extra_percent is not None
            else f"+{self.extra_minutes} min"
        )
        return f"{self.test or 'all tests'} {extra}"

    @property
    def is_active(self) -> bool:
        return self.approved_at is not None and self.revoked_at is None

    def extra_seconds(self, base_seconds: int) -> int:
        """The extra time on a sitting of ``base_seconds``, in whole seconds."""
        if self.extra_percent is not None:
            return math.ceil(base_seconds * self.extra_percent / 100)
        return (self.extra_minutes or 0) * 60


class Attempt(models.Model):
    """One sitting of one form by one candidate (see the module docstring)."""

    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.PROTECT, related_name="attempts"
    )
    # None for a practice attempt.
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
    )
    appointment_test = models.ForeignKey(
        "scheduling.AppointmentTest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
    )
    test = models.CharField(_("test"), max_length=16)
    kind = models.CharField(_("kind"), max_length=10, choices=AttemptKind.choices)
    form = models.ForeignKey(
        "itembank.Form", on_delete=models.PROTECT, related_name="attempts"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AttemptStatus.choices,
        default=AttemptStatus.AUTHORISED,
    )
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    authorised_by = _account()
    authorised_by_label = models.CharField(max_length=200, blank=True, default="")
    # The end of the appointment: an attempt not started by then lapses.
    authorised_until = models.DateTimeField(null=True, blank=True)
    # The seat's workstation (module docstring). The code is shown to the proctor
    # until a device is bound; wrong codes are counted and lock the launch.
    launch_code = models.CharField(max_length=16, blank=True, default="")
    launch_failures = models.PositiveSmallIntegerField(default=0)
    device_hash = models.CharField(max_length=64, blank=True, default="")
    device_label = models.CharField(max_length=200, blank=True, default="")
    device_bound_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # The form's time + accommodation + extensions, in seconds.
    budget_seconds = models.PositiveIntegerField(_("time allowed (s)"))
    accommodation_seconds = models.PositiveIntegerField(default=0)
    extended_seconds = models.PositiveIntegerField(default=0)
    # Set while paused; the pause's length is added to paused_seconds on resume.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    # started_at + budget + paused; None until started. Saves are refused after it.
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Who ended it: candidate, timeout, proctor.
    ended_by = models.CharField(max_length=20, blank=True, default="")
    # The score, on the scored (operational) items only.
    raw_score = models.PositiveSmallIntegerField(_("raw score"), null=True, blank=True)
    scored_items = models.PositiveSmallIntegerField(null=True, blank=True)
    # [{"code": "A", "name": ..., "raw": 12, "of": 20}, ...] in blueprint order.
    area_scores = models.JSONField(default=list, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    scaled_score = models.SmallIntegerField(_("scaled score"), null=True, blank=True)
    result = models.ForeignKey(
        "credentials.TestResult",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempts",
    )
    # Shuffles the order the candidate sees the items in (0 = the form's order).
    seed = models.PositiveIntegerField(default=0)
    # The question the candidate last viewed (0-based, in the attempt's order): a
    # new browser reopens the exam there. Presentation only: not versioned.
    last_position = models.PositiveIntegerField(default=0)
    # Raised by every state change; a change made against an older version is
    # refused (optimistic concurrency between two tabs, a proctor and a sweep).
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attempt")
        constraints = [
            # One attempt per seat (a voided one included: the seat was used).
            models.UniqueConstraint(
                fields=["appointment_test"],
                condition=Q(appointment_test__isnull=False),
                name="delivery_attempt_one_per_seat",
            ),
            # Practice attempts have no appointment; proctored ones have one.
            models.CheckConstraint(
                condition=(
                    Q(kind="practice", appointment__isnull=True)
                    | (
                        ~Q(kind="practice")
                        & Q(appointment__isnull=False, appointment_test__isnull=False)
                    )
                ),
                name="delivery_attempt_practice_unproctored",
            ),
        ]
        indexes = [
            models.Index(
                fields=["technician", "created_at"], name="delivery_attempt_tech"
            ),
            models.Index(fields=["status", "deadline"], name="delivery_attempt_due"),
        ]

    def __str__(self) -> str:
        return f"{self.test} {self.kind} attempt {self.pk} ({self.status})"

    @property
    def is_practice(self) -> bool:
        return self.kind == AttemptKind.PRACTICE

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_proctored(self) -> bool:
        return self.appointment_id is not None

    def remaining_seconds(self, now: dt.datetime) -> int:
        """Whole seconds left on the clock at ``now`` (the full budget before the
        start; frozen while paused; never negative).

        A reader may take ``now`` before it reads a start another request has just
        committed (the proctor console's poll does): the moment is never before the
        start, so the clock never shows more than the budget."""
        if self.deadline is None:
            return self.budget_seconds
        if self.is_finished:
            return 0
        moment = self.paused_at if self.status == AttemptStatus.PAUSED else now
        assert moment is not None
        if self.started_at is not None:
            moment = max(moment, self.started_at)
        return max(0, math.ceil((self.deadline - moment).total_seconds()))


class Response(models.Model):
    """The latest saved answer of an attempt to one item."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="responses"
    )
    form_item = models.ForeignKey(
        "itembank.FormItem", on_delete=models.PROTECT, related_name="+"
    )
    # Option index 0..3 (A..D); None = cleared.
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    # The client's sequence number of the save that wrote this row; a save applies
    # only with a higher one.
    client_seq = models.BigIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["attempt_id", "form_item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "form_item"], name="delivery_response_once"
            ),
            models.CheckConstraint(
                condition=Q(choice__isnull=True)
                | (Q(choice__gte=0) & Q(choice__lt=OPTION_COUNT)),
                name="delivery_response_choice_range",
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.attempt_id} item {self.form_item_id}: {self.choice}"


class Incident(models.Model):
    """Something a proctor noted about a sitting (an interruption, a suspected
    irregularity, why an attempt was ended)."""

    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.PROTECT, related_name="incidents"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    attempt = models.ForeignKey(
        Attempt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    note = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _account()
    created_by_label = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.note[:40]}"
