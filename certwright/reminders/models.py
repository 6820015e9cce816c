"""Who wants which expiry reminders, and every rung sent or passed over.

``ExpiryReminder`` is the durable record of the ladder: one row per technician,
test, expiry date and rung, unique, so a rung goes out once however often the sweep
runs. The expiry date is part of the key: an extension or a recertification moves
the date, and the ladder of the new date starts empty, armed again without anyone
resetting anything.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certwright.candidates.models import Technician
from certwright.notifications.models import OutboundEmail


class ReminderChoice(models.TextChoices):
    ALL = "all", _("Every reminder")
    LAST = "last", _("Only the last reminder before expiry, and the one after it")
    NONE = "none", _("No expiry reminders")


class ReminderPreference(models.Model):
    """A technician's choice; no row means every reminder (the default)."""

    technician = models.OneToOneField(
        Technician,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="reminder_preference",
    )
    choice = models.CharField(
        _("expiry reminders"),
        max_length=10,
        choices=ReminderChoice.choices,
        default=ReminderChoice.ALL,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self) -> str:
        return f"{self.technician_id}: {self.choice}"


class ReminderOutcome(models.TextChoices):
    SENT = "sent", _("sent")
    # Passed over: a later rung was already due when the sweep came to it, or the
    # technician has no e-mail address. Recorded so it never goes out late.
    SKIPPED = "skipped", _("skipped")


class ExpiryReminder(models.Model):
    """One rung of the ladder for one certification and expiry date."""

    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="expiry_reminders"
    )
    test = models.CharField(_("test"), max_length=16)
    # The certification's expiry date when the rung was reached (the rules core's
    # exclusive end: the first day no longer certified).
    expires_on = models.DateField(_("expires on"))
    # The rung, in days from ``expires_on``: -30 is "30 days before", 30 "30 after".
    offset_days = models.IntegerField(_("rung (days from expiry)"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ReminderOutcome.choices
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    # The sweep's day (``--on``), which may differ from the rung's day when caught up.
    on = models.DateField(_("sweep day"))
    email = models.ForeignKey(
        OutboundEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["technician_id", "test", "expires_on", "offset_days"]
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "test", "expires_on", "offset_days"],
                name="reminders_one_per_rung",
            )
        ]
        # The sweep reads the rows of a window of expiry dates.
        indexes = [models.Index(fields=["expires_on"], name="reminders_expires")]

    def __str__(self) -> str:
        return f"{self.test} {self.expires_on} {self.offset_days:+d}: {self.outcome}"

    @property
    def rung_days(self) -> int:
        """How many days before (or after) the expiry date the rung is."""
        return abs(self.offset_days)
