"""Shops: their public profile, the technicians they employ, and their recognition.

A shop is an ``accounts.Organization`` of kind shop; this app adds what only shops
have. Employment is confirmed by both sides (the shop invites, the technician asks;
the other confirms), so neither can claim the other alone. Recognition is stored as
periods with from and until dates: the open one is the current level, the closed
ones are its history.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ShopProfile(models.Model):
    """Where a shop is and what it repairs, as the finder shows it."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="shop_profile"
    )
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    # Area codes from the program's [shops.areas]; a list, since the areas are data.
    areas = models.JSONField(_("areas of service"), default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["zip_code"], name="shop_profile_zip"),
            models.Index(fields=["city"], name="shop_profile_city"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.city} {self.zip_code}"


class EmploymentSide(models.TextChoices):
    SHOP = "shop", _("the shop")
    TECHNICIAN = "technician", _("the technician")


class Employment(models.Model):
    """A technician working at a shop, once both have confirmed.

    ``proposed_by`` is the side that started it; the other side's confirmation sets
    ``confirmed_at``. Ending (a refusal before confirmation, or leaving after) sets
    ``ended_at``; rows are kept for the history, and a new proposal is a new row.
    """

    shop = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="employments"
    )
    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.PROTECT, related_name="employments"
    )
    proposed_by = models.CharField(max_length=16, choices=EmploymentSide.choices)
    proposed_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(
        max_length=16, choices=EmploymentSide.choices, blank=True, default=""
    )
    # The technician's consent to be named on the public finder; off by default.
    show_name = models.BooleanField(_("show my name on the shop finder"), default=False)

    class Meta:
        ordering = ["shop_id", "technician_id", "-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "technician"],
                condition=Q(ended_at__isnull=True),
                name="shop_employment_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.technician_id} at {self.shop_id} ({self.state})"

    @property
    def state(self) -> str:
        if self.ended_at is not None:
            return "ended"
        return "active" if self.confirmed_at is not None else "proposed"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.confirmed_at is not None


class RecognitionPeriod(models.Model):
    """A shop held ``level`` (a code of the program's [shops.recognitions]) from
    ``since`` until the day before ``until`` (open while ``until`` is empty)."""

    shop = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="recognition_periods",
    )
    level = models.CharField(max_length=40)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    technicians = models.PositiveIntegerField(default=0)
    certified = models.PositiveIntegerField(default=0)
    program_digest = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shop_id", "-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop"],
                condition=Q(until__isnull=True),
                name="shop_recognition_one_open",
            )
        ]
        indexes = [models.Index(fields=["until", "level"], name="shop_recog_open")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.level} {self.since}–{self.until or ''}"
