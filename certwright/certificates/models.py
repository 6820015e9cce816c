"""The certificates and wallet cards made for technicians, kept until what they
print changes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("certificate")
    WALLET_CARD = "wallet_card", _("wallet card")


class CertificateFile(models.Model):
    """The last PDF made of one kind for one technician, with the digest of what it
    prints (see ``documents.document_digest``); or, with ``share_link``, the last
    wallet card made for whoever holds that share link.

    A request whose digest matches is served these bytes; one whose digest differs
    (a new result, an expiry, a title, a new wallet-card link) makes the PDF again
    and replaces them. The bytes live in the database rather than under
    ``MEDIA_ROOT``: a PDF is a few tens of kilobytes, one row per technician and
    kind, replaced in the same transaction as its digest, so the two can never
    disagree, no orphan file is left when a technician is deleted, and the
    database backup already holds them (``MEDIA_ROOT`` holds uploads, which have
    no URL and a backup of their own).
    """

    technician = models.ForeignKey(
        "candidates.Technician",
        on_delete=models.CASCADE,
        related_name="certificate_files",
    )
    # Set for the wallet card an employer downloads through a share link: it prints
    # that link's QR code (revoking the link cuts its holder off), and keying the
    # stored card by link bounds what anonymous visitors can make the server lay
    # out to one card per link and state.
    share_link = models.ForeignKey(
        "verification.ShareLink",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    digest = models.CharField(max_length=64)
    pdf = models.BinaryField()
    made_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "kind"],
                condition=models.Q(share_link__isnull=True),
                name="cert_file_one_per_kind",
            ),
            models.UniqueConstraint(
                fields=["share_link", "kind"],
                condition=models.Q(share_link__isnull=False),
                name="cert_file_one_per_link",
            ),
        ]
        verbose_name = _("certificate file")
        verbose_name_plural = _("certificate files")

    def __str__(self) -> str:
        if self.share_link_id is not None:
            return (
                f"{self.kind} of technician {self.technician_id}"
                f" for share link {self.share_link_id}"
            )
        return f"{self.kind} of technician {self.technician_id}"
