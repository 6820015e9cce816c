"""The issuer's signing keys, the revocation status lists and the credentials issued.

Credentials are keyed on the derived row's state (status and dates), not on the row:
the recompute replaces derived rows, and a credential stays the one issued for as long
as the certification it attests is unchanged. An extension or recertification changes
the dates and so issues a new one; the old one stays valid until its own validUntil.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certwright.candidates.models import Technician
from certwright.rules.dates import last_valid_day


class SigningKey(models.Model):
    """An Ed25519 key of the issuer. The private half is stored only as encrypted
    PKCS#8 (passphrase from the environment, never in the database)."""

    key_id = models.CharField(max_length=40, unique=True)  # the DID URL fragment
    public_multibase = models.CharField(max_length=80)
    private_pem = models.TextField()  # PKCS#8, BestAvailableEncryption
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)
    # The latest validUntil of anything this key signed: once past, nothing it
    # signed is still valid and it leaves the DID document.
    signed_valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key_id


class StatusList(models.Model):
    """A Bitstring Status List (revocation); entry i is bit i, MSB first."""

    bits = models.BinaryField()
    size = models.PositiveIntegerField()
    allocated = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)  # bumped on every bit set
    updated_at = models.DateTimeField(default=timezone.now)
    # The signed list credential, kept until the bits or the active key change.
    signed = models.JSONField(null=True, blank=True)
    signed_version = models.PositiveIntegerField(default=0)
    signed_key = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"status list {self.pk}"


class CredentialKind(models.TextChoices):
    CERTIFICATION = "certification", _("certification")
    TITLE = "title", _("title")


class IssuedCredential(models.Model):
    """A signed OpenBadgeCredential for one certification or title state."""

    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="issued_credentials"
    )
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    code = models.CharField(max_length=64)  # the test code or title id
    # The derived row's state it attests (status and dates): a change issues anew.
    state_key = models.CharField(max_length=120)
    uuid = models.UUIDField(unique=True)
    # The signed credential exactly as issued (text, not JSON: a database's JSON
    # type may reorder keys, and the technician downloads what was signed).
    document_json = models.TextField()
    valid_until = models.DateTimeField(null=True, blank=True)
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    status_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="credentials"
    )
    status_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["technician_id", "kind", "code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "kind", "code", "state_key"],
                name="badges_cred_one_per_state",
            ),
            # An index is never reused, revoked or not.
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="badges_cred_index_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} ({self.state_key})"

    @property
    def valid_from_day(self) -> dt.date:
        return dt.date.fromisoformat(str(self.document["validFrom"])[:10])

    @property
    def valid_through(self) -> dt.date | None:
        """The last day valid, as every page shows it (validUntil is the first day
        not certified)."""
        if self.valid_until is None:
            return None
        return last_valid_day(self.valid_until.date())

    @cached_property
    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.document_json)
        return data
