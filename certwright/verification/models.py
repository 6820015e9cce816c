from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def share_link_token_new() -> str:
    # 144 random bits, URL-safe: a link cannot be guessed or walked.
    return secrets.token_urlsafe(18)


class ShareLink(models.Model):
    """A technician's public link to their certifications (``/v/<token>``).

    Anyone holding the link sees what the public lookup shows, without typing the
    last name. A technician may keep several (one per employer, one on the wallet
    card), each with its own label, and revoke any of them. The token is kept as it
    is: the technician sees their links again (and the wallet card prints one), and
    the link is no more secret than the page it opens.
    """

    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.CASCADE, related_name="share_links"
    )
    token = models.CharField(
        max_length=32, unique=True, default=share_link_token_new, editable=False
    )
    label = models.CharField(_("label"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self) -> str:
        return self.label


class LookupOptOut(models.Model):
    """The technician keeps their record out of the public lookup (where the program
    lets them): a row while opted out. Their share links keep working."""

    technician = models.OneToOneField(
        "candidates.Technician",
        on_delete=models.CASCADE,
        related_name="lookup_opt_out",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("public lookup opt-out")
        verbose_name_plural = _("public lookup opt-outs")

    def __str__(self) -> str:
        return f"opt-out of technician {self.technician_id}"


class LookupWindow(models.Model):
    """How many public lookups one client made in one fixed window of time.

    The rate limit counts here, in the database, because every web process must see
    the same count (the default cache is per process). The rows also give staff the
    lookups per day. ``client`` is the client's address as Django sees it.
    """

    client = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-window_start", "client"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "window_start"], name="verif_window_one_per_client"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="verif_window_start")]
        verbose_name = _("lookup count")
        verbose_name_plural = _("lookup counts")

    def __str__(self) -> str:
        return f"{self.client} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
