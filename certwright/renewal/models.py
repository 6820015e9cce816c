"""Subscriptions, the certifications taking part, and the questions sent to them.

The credit a correct answer earns is not kept here: it is a fact,
``credentials.RenewalCredit``, and the rules core decides what credits do. A
question keeps the id of the credit it recorded (``credit_id``), which makes
recording it twice impossible.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certwright.candidates.models import Technician
from certwright.itembank.models import Item, ItemVersion


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as America/Chicago."),
            params={"value": value},
            code="time_zone",
        )


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    # Refunded or withdrawn by staff: no more questions; credits earned stay (facts).
    CANCELLED = "cancelled", _("cancelled")


class Subscription(models.Model):
    """A year of renewal questions for one technician, from ``starts_on`` to the day
    before ``ends_on``."""

    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="renewal_subscriptions"
    )
    starts_on = models.DateField(_("starts on"))
    # The first day no longer covered (starts_on plus twelve months).
    ends_on = models.DateField(_("ends on"))
    # The technician's own: questions go out on the first of the month there.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
    )
    # The commerce.OrderLine that paid for it (None: granted by program staff).
    order_line_id = models.BigIntegerField(null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.ACTIVE,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["technician_id", "starts_on", "id"]
        verbose_name = _("renewal subscription")
        indexes = [
            models.Index(
                fields=["technician", "starts_on"], name="renewal_sub_tech_start"
            ),
            models.Index(fields=["status", "ends_on"], name="renewal_sub_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="renewal_sub_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"renewal {self.starts_on.isoformat()}–{self.ends_on.isoformat()}"


class SubscribedCertification(models.Model):
    """One certification taking part in a subscription: eligible by the program and
    passed before the subscription starts (fixed when it starts)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="certifications"
    )
    # Copied from the subscription: the dispatch reads these rows alone.
    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="+"
    )
    test = models.CharField(_("test"), max_length=16)

    class Meta:
        ordering = ["subscription_id", "test"]
        verbose_name = _("certification taking part")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "test"], name="renewal_subcert_once"
            ),
        ]

    def __str__(self) -> str:
        return self.test


class QuestionStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")  # dispatched, not opened
    OPEN = "open", _("open")  # opened: the time limit runs
    ANSWERED = "answered", _("answered")
    # Opened and not answered within the time limit.
    TIMED_OUT = "timed_out", _("time ran out")
    # Never answered within the answer window.
    EXPIRED = "expired", _("expired")


class Question(models.Model):
    """One renewal question dispatched to one subscribed certification for one month.

    The key is never sent before the answer: the answering page reads the stem and
    options of ``item_version`` and nothing else until ``answered_at`` is set."""

    # No index of its own on either key: the unique constraints below lead with
    # ``subscribed`` and the status index with ``technician``, and answer those
    # lookups. Opening and answering change ``status``, so each of those updates
    # writes a new entry in every index of the table (bench/renewal.py).
    subscribed = models.ForeignKey(
        SubscribedCertification,
        on_delete=models.PROTECT,
        related_name="questions",
        db_index=False,
    )
    # Copied from the subscription, for the owner check on every request. No
    # database constraint: ``subscribed`` already holds the question to an existing
    # certification of an existing technician (and PROTECT still guards deletes, in
    # Django), while checking this one too took a quarter of the monthly dispatch
    # (a key lock on each technician row at commit, a million a month).
    technician = models.ForeignKey(
        Technician,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    test = models.CharField(_("test"), max_length=16)
    # The first day of the month it belongs to, and its number in that month.
    month = models.DateField(_("month"))
    seq = models.PositiveSmallIntegerField(default=1)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="+"
    )
    area = models.CharField(_("content area"), max_length=10)
    dispatched_at = models.DateTimeField(_("dispatched at"))
    # The last moment an answer is taken (dispatched_at + answer_window_days).
    answer_by = models.DateTimeField(_("answer by"))
    opened_at = models.DateTimeField(null=True, blank=True)
    # opened_at + time_limit_minutes, capped at answer_by.
    due_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    choice = models.PositiveSmallIntegerField(null=True, blank=True)  # 0..3 = A..D
    correct = models.BooleanField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.WAITING
    )
    # The credentials.RenewalCredit a correct answer in time recorded.
    credit_id = models.BigIntegerField(null=True, blank=True, unique=True)
    # The e-mail that said questions are waiting (notifications.OutboundEmail).
    email_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["technician_id", "month", "test", "seq"]
        verbose_name = _("renewal question")
        indexes = [
            models.Index(fields=["technician", "status"], name="renewal_q_tech_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscribed", "month", "seq"], name="renewal_q_once_a_month"
            ),
            # A subscription year never repeats an item for the certification.
            models.UniqueConstraint(
                fields=["subscribed", "item"], name="renewal_q_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test} {self.month.isoformat()} #{self.seq}"


class SubscriptionChoice(models.Model):
    """What the technician chose on the subscription page before buying: the time
    zone the next subscription sends its questions in. A draft, like the cart it
    goes with (not audited); the subscription copies it when the order is placed."""

    technician = models.OneToOneField(
        Technician, on_delete=models.CASCADE, related_name="renewal_choice"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("renewal subscription choice")

    def __str__(self) -> str:
        return self.time_zone
