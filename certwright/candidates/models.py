from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Experience older than this is a typing error, not a career.
EARLIEST_EXPERIENCE = dt.date(1950, 1, 1)

# An experience record's ref ("experience:<pk>"): the subject of its events and the
# fact an explanation step rests on.
REF_EXPERIENCE = "experience"


class Technician(models.Model):
    """A person who takes tests and holds certifications.

    ``facts_version`` counts the facts recorded for this technician and
    ``derived_version`` is the ``facts_version`` the stored certifications and titles
    were computed from: a technician is *stale* while they differ, which is how a bulk
    or interrupted recompute finds who still needs one. ``next_change_on`` is the day
    the derived state next changes by the calendar alone (an expiry), so the daily
    sweep touches only technicians whose day has come.
    """

    certification_id = models.CharField(
        _("certification ID"), max_length=16, unique=True, editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    # The last (family) name, which the public lookup asks for with the certification
    # ID. Kept apart from ``name`` because the last word of a name is not always the
    # family name ("Maria de la Cruz", "Nguyen Van An"): it starts as the last word
    # and the technician or staff correct it where the name is edited.
    # (db_default too: bulk loaders that write rows directly may leave it out.)
    family_name = models.CharField(
        _("last name"), max_length=200, blank=True, default="", db_default=""
    )
    email = models.EmailField(_("e-mail"), blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # An account comes later (the portal); a technician imported from results has none.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="technician",
    )
    next_change_on = models.DateField(null=True, blank=True, editable=False)
    facts_version = models.PositiveIntegerField(default=0, editable=False)
    derived_version = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by every recompute that writes derived rows, so a bulk recompute that
    # read a snapshot outside its transaction can tell it went stale.
    # (db_default too: bulk loaders that write rows directly may leave it out.)
    derived_changes = models.PositiveIntegerField(
        default=0, db_default=0, editable=False
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["next_change_on"], name="cand_tech_next_change"),
            models.Index(fields=["email"], name="cand_tech_email"),
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} {self.name}"

    @property
    def is_stale(self) -> bool:
        return self.facts_version != self.derived_version


def family_name_guess(name: str) -> str:
    """The last word of a name: the family name until someone says otherwise."""
    words = name.split()
    return words[-1] if words else ""


class ExperienceKind(models.TextChoices):
    # The keys of the program's experience kinds (program data decides how each
    # counts); the service refuses a kind the current program does not define.
    EMPLOYMENT = "employment", _("employment")
    APPRENTICESHIP = "apprenticeship", _("apprenticeship")
    DEGREE = "degree", _("degree")
    TRAINING = "training", _("training")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class EmployerStatus(models.TextChoices):
    NOT_ASKED = "not_asked", _("not asked")
    AWAITING = "awaiting", _("awaiting the employer")
    CONFIRMED = "confirmed", _("confirmed by the employer")
    # Confirmed, but from an address that proves little (free mail, the candidate's
    # own domain): it weighs nothing until staff have looked.
    FLAGGED = "flagged", _("confirmed, flagged for staff review")
    DISPUTED = "disputed", _("disputed by the employer")


class EmployerFlag(models.TextChoices):
    """Why an employer's confirmation is flagged for staff review."""

    FREE_MAIL = "free_mail", _("free-mail address")
    OWN_DOMAIN = "own_domain", _("the candidate's own e-mail domain")


class ExperienceRecord(models.Model):
    """A fact: a span of work or training, counted toward the experience requirement
    once approved. Records are appended; approval is the one change a record takes."""

    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="experience_records"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExperienceKind.choices)
    employer = models.CharField(
        _("employer or school"), max_length=200, blank=True, default=""
    )
    role = models.CharField(_("role"), max_length=200, blank=True, default="")
    start = models.DateField(_("start"))
    end = models.DateField(
        _("end"), null=True, blank=True, help_text=_("empty: ongoing")
    )
    full_time = models.BooleanField(_("full time"), default=True)
    approved = models.BooleanField(_("approved"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # --- review (the portal): none of this is read by the rules core, which counts
    # a record exactly when ``approved``.
    # db_default on the new NOT NULL columns: the bulk loaders (demo population,
    # benchmarks) insert experience rows naming only the fact columns.
    employer_email = models.EmailField(
        _("employer's e-mail"),
        blank=True,
        default="",
        db_default="",
        help_text=_("The employer or school receives a link to confirm the record."),
    )
    # Bumped by every edit; an employer's confirmation link names the revision it
    # was sent for, so a link to content that changed since no longer works.
    revision = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    employer_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    employer_disputed_at = models.DateTimeField(null=True, blank=True, editable=False)
    employer_response = models.TextField(
        blank=True, default="", db_default="", editable=False
    )
    employer_link_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # EmployerFlag values, space-separated, set when a confirmation arrives from an
    # address that proves little; empty: nothing to flag.
    employer_flags = models.CharField(
        max_length=100, blank=True, default="", db_default="", editable=False
    )
    # A rejection is a staff decision, recorded with its reason; the record stays
    # unapproved (and is never deleted), and the candidate may correct and resubmit.
    rejected_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    rejection_reason = models.TextField(
        blank=True, default="", db_default="", editable=False
    )
    # Withdrawn by the candidate before review: kept, never counted, out of the queue.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["technician_id", "start", "id"]
        indexes = [models.Index(fields=["technician", "start"], name="cand_exp_tech")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="cand_exp_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = self.end.isoformat() if self.end else "ongoing"
        return f"{self.kind} {self.start.isoformat()}–{end}"

    @property
    def review_status(self) -> ReviewStatus:
        if self.approved:
            return ReviewStatus.APPROVED
        if self.withdrawn_at is not None:
            return ReviewStatus.WITHDRAWN
        if self.rejected_at is not None:
            return ReviewStatus.REJECTED
        return ReviewStatus.PENDING

    @property
    def employer_status(self) -> EmployerStatus:
        if self.employer_confirmed_at is not None:
            if self.employer_flags:
                return EmployerStatus.FLAGGED
            return EmployerStatus.CONFIRMED
        if self.employer_disputed_at is not None:
            return EmployerStatus.DISPUTED
        if self.employer_link_sent_at is not None:
            return EmployerStatus.AWAITING
        return EmployerStatus.NOT_ASKED

    @property
    def employer_flag_reasons(self) -> list[str]:
        """Why staff should look at the employer's confirmation, one sentence each."""
        domain = self.employer_email.rpartition("@")[2].rstrip(".").lower()
        sentences = {
            EmployerFlag.FREE_MAIL: _(
                "The employer confirmed from a free-mail address (%(domain)s), "
                "which anyone can open."
            ),
            EmployerFlag.OWN_DOMAIN: _(
                "The employer's address is at the candidate's own e-mail domain "
                "(%(domain)s)."
            ),
        }
        return [
            str(sentences[EmployerFlag(code)] % {"domain": domain})
            for code in self.employer_flags.split()
            if code in EmployerFlag.values
        ]

    @property
    def editable(self) -> bool:
        """A candidate may change a record until it is approved or withdrawn."""
        return not self.approved and self.withdrawn_at is None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start and self.start < EARLIEST_EXPERIENCE:
            errors["start"] = _("%(day)s is before %(earliest)s.") % {
                "day": self.start.isoformat(),
                "earliest": EARLIEST_EXPERIENCE.isoformat(),
            }
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end (%(end)s) is before the start (%(start)s).") % {
                "end": self.end.isoformat(),
                "start": self.start.isoformat(),
            }
        if errors:
            raise ValidationError(errors)


# Degree certificates, training certificates, employer letters: what staff look at.
DOCUMENT_TYPES = {
    "application/pdf": (".pdf", b"%PDF-"),
    "image/jpeg": (".jpg", b"\xff\xd8\xff"),
    "image/png": (".png", b"\x89PNG\r\n\x1a\n"),
}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def _document_path(instance: ExperienceDocument, filename: str) -> str:
    # A random name: the stored path never carries what the candidate called it,
    # and cannot be guessed from another document's.
    extension = DOCUMENT_TYPES.get(instance.content_type, (".bin",))[0]
    return f"experience/{instance.record.technician_id}/{uuid.uuid4().hex}{extension}"


class ExperienceDocument(models.Model):
    """A file supporting an experience record (a degree, a training certificate, an
    employer's letter). Stored under MEDIA_ROOT and served only to the record's
    owner and program staff, through a view that checks."""

    record = models.ForeignKey(
        ExperienceRecord, on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["record_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
