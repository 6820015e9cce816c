"""Organizations (shops and employers), the technicians who share with them, and API
tokens.

Roles are Django groups (``certwright.core.roles``), so they have no model here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    # A shop buys vouchers for its technicians; an employer (a dealer group, a fleet)
    # mostly checks credentials. Both can receive a technician's shared records.
    SHOP = "shop", _("shop")
    EMPLOYER = "employer", _("employer")


class Organization(models.Model):
    """A shop or an employer: the people who run its account, and the technicians
    who agreed to share their certification records with it.

    ``code`` is what a technician types to share with the organization; it names the
    organization without exposing its database id.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=OrganizationKind.choices,
        default=OrganizationKind.EMPLOYER,
    )
    code = models.CharField(
        _("organization code"),
        max_length=16,
        unique=True,
        help_text=_("Technicians type this code to share their records."),
    )
    members: models.ManyToManyField[Any, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="organizations",
        blank=True,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("administrator")
    MEMBER = "member", _("member")


class Membership(models.Model):
    """A person acting for an organization (a shop owner, a service manager)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=MembershipRole.choices,
        default=MembershipRole.MEMBER,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organization_id", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="acct_membership_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class ShareGrant(models.Model):
    """A technician's consent to let an organization see their records.

    Grants are never deleted: revoking sets ``revoked_at`` and sharing again adds a
    new row, so the history of who could see what, and when, stays readable.
    """

    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.PROTECT, related_name="share_grants"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="share_grants"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            # At most one active grant per pair: sharing twice is a no-op, not a
            # second row that would need revoking twice.
            models.UniqueConstraint(
                fields=["technician", "organization"],
                condition=Q(revoked_at__isnull=True),
                name="acct_share_one_active",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "revoked_at"], name="acct_share_org_active"
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.technician_id} → {self.organization_id} ({state})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiToken(models.Model):
    """A bearer token for an integration, acting as its user.

    The token is ``cw_<prefix>_<secret>``; only the prefix (to find the row) and a
    SHA-256 of the whole token are stored, so a database leak reveals no usable token.
    A slow hash is not needed: the secret is 256 random bits, not a password.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} (cw_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OrganizationWatch(models.Model):
    """What an organization wants to hear about the technicians who share with it.

    Both are off until an administrator turns them on: nobody is mailed who did not
    ask. The mail goes to the organization's administrators (``MembershipRole.ADMIN``),
    who chose it; other members see the roster but are not mailed.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="watch"
    )
    weekly_digest = models.BooleanField(_("weekly digest"), default=False)
    revocation_email = models.BooleanField(
        _("e-mail at once on a revocation"), default=False
    )
    # The last digest sent (or considered, when there was nothing to say): the next
    # is due a week later.
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"watch of {self.organization_id}"


class WatchChange(models.TextChoices):
    EXPIRING = "expiring", _("expiring within 90 days")
    LAPSED = "lapsed", _("lapsed")
    REVOKED = "revoked", _("revoked")
    NEW = "new", _("newly certified")


class WatchReport(models.Model):
    """A change already reported to an organization, so it is reported once.

    ``state_key`` names the certification's state the change is about (its dates), so
    the same kind of change on a later certification (a renewal that expires in its
    turn) is news again, while the digest that runs twice, or the digest after the
    immediate revocation mail, says nothing new.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="watch_reports"
    )
    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.CASCADE, related_name="+"
    )
    test = models.CharField(max_length=16)
    kind = models.CharField(max_length=16, choices=WatchChange.choices)
    state_key = models.CharField(max_length=64)
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization_id", "technician_id", "test"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "technician", "test", "kind", "state_key"],
                name="acct_watch_report_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.technician_id} {self.test} {self.kind}"
