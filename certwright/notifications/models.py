"""Outgoing e-mail, one row per message, so nothing is lost without a trace.

A message is rendered when it is asked for (the request still has its context) and
stored with its attachments; the task that sends it takes only the row's id. Staff
see every failure, with its last error, in the admin.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboundEmail(models.Model):
    to = models.JSONField(_("to"), default=list)
    subject = models.CharField(_("subject"), max_length=300)
    template = models.CharField(_("template"), max_length=100)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True, default="")
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EmailStatus.choices,
        default=EmailStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When a queued message is due (its next retry); claimed_at when a worker took it.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {', '.join(self.to)} ({self.status})"


class OutboundAttachment(models.Model):
    email = models.ForeignKey(
        OutboundEmail, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    # May carry parameters: "text/calendar; method=REQUEST".
    mimetype = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.mimetype})"
