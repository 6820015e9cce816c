"""Facts (appended by services) and the state derived from them (written by recompute).

Facts: ``TestResult``, ``RenewalCredit``, ``Revocation`` here and
``candidates.ExperienceRecord``. Derived: ``Certification`` and ``TitleHolding``, which
nobody edits by hand; ``credentials.recompute`` replaces them from
``rules.evaluate(program, facts, as_of)``. Explanations are not stored: they are
recomputed from the facts when someone asks (the admin's "Why" panel), which keeps the
derived tables to a few narrow rows per technician.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certwright.candidates.models import Technician
from certwright.rules.dates import last_valid_day


class ResultKind(models.TextChoices):
    INITIAL = "initial", _("initial")
    RECERT = "recert", _("recertification")


class Outcome(models.TextChoices):
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")
    NO_SHOW = "no_show", _("no show")


class TestResult(models.Model):
    """A fact: the outcome of one sitting of one test."""

    __test__ = False  # a model, not a test case for pytest to collect

    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="results"
    )
    test = models.CharField(_("test"), max_length=16)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=ResultKind.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # Where the result came from: "provider", "import:results.csv", "admin", "demo".
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    # The provider's id for the result; unique so a feed imported twice adds nothing.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["technician_id", "date", "id"]
        indexes = [models.Index(fields=["technician", "date"], name="cred_result_tech")]

    def __str__(self) -> str:
        return f"{self.test} {self.kind} {self.outcome} {self.date.isoformat()}"


class RenewalCredit(models.Model):
    """A fact: one correctly answered renewal question in a certification area."""

    # No index of its own: ``cred_credit_tech`` leads with it (a right renewal
    # answer at the monthly peak appends a credit).
    technician = models.ForeignKey(
        Technician,
        on_delete=models.PROTECT,
        related_name="renewal_credits",
        db_index=False,
    )
    test = models.CharField(_("test"), max_length=16)
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["technician_id", "date", "id"]
        indexes = [models.Index(fields=["technician", "date"], name="cred_credit_tech")]

    def __str__(self) -> str:
        return f"{self.test} credit {self.date.isoformat()}"


class Revocation(models.Model):
    """A fact: the body withdrew one certification, or every one (``test`` empty)."""

    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, related_name="revocations"
    )
    test = models.CharField(
        _("test"), max_length=16, blank=True, default="", help_text=_("empty: all")
    )
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["technician_id", "date", "id"]
        indexes = [models.Index(fields=["technician", "date"], name="cred_revoc_tech")]

    def __str__(self) -> str:
        return f"{self.test or 'all'} revoked {self.date.isoformat()}"


class CertificationStatus(models.TextChoices):
    CERTIFIED = "certified", _("certified")
    PENDING_EXPERIENCE = "pending_experience", _("passed, pending experience")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


class Certification(models.Model):
    """Derived: one test's certification state for a technician.

    Only tests with a qualifying pass have a row. ``computed_as_of`` is the day the
    row was last written by a recompute, which only writes rows that changed; the row
    stays true until ``Technician.next_change_on``. Certified on day d iff
    certified_on <= d < expires_on.
    """

    # Derived rows are written in bulk by the recompute, for technicians it holds
    # locked: a database FK check per row (~750k on a first full recompute) and an
    # index of its own would only repeat what the lock and the unique (technician,
    # test) index, whose prefix serves lookups by technician, already give.
    # CASCADE is still applied by Django on delete.
    technician = models.ForeignKey(
        Technician,
        on_delete=models.CASCADE,
        related_name="certifications",
        db_constraint=False,
        db_index=False,
    )
    test = models.CharField(max_length=16)
    status = models.CharField(max_length=20, choices=CertificationStatus.choices)
    passed_on = models.DateField(null=True, blank=True)
    certified_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    computed_as_of = models.DateField()
    program_digest = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        ordering = ["technician_id", "test"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "test"], name="cred_cert_one_per_test"
            )
        ]
        indexes = [models.Index(fields=["test", "status"], name="cred_cert_test")]

    def __str__(self) -> str:
        return f"{self.test}: {self.status}"

    @property
    def valid_through(self) -> dt.date | None:
        """The last day certified: what every page shows (see rules.dates)."""
        return last_valid_day(self.expires_on)


class TitleHolding(models.Model):
    """Derived: a title a technician holds or has held (never-held titles have no row).

    ``since``/``until``: while held, the start of the current period and the day it
    will be lost unless renewed; once lost, the last period's start and end.
    """

    # As Certification.technician: no per-row FK check, the unique index serves.
    technician = models.ForeignKey(
        Technician,
        on_delete=models.CASCADE,
        related_name="titles",
        db_constraint=False,
        db_index=False,
    )
    title_id = models.CharField(max_length=64)
    held = models.BooleanField()
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    computed_as_of = models.DateField()

    class Meta:
        ordering = ["technician_id", "title_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "title_id"], name="cred_title_one_per_title"
            )
        ]
        indexes = [models.Index(fields=["title_id", "held"], name="cred_title_id")]

    def __str__(self) -> str:
        return f"{self.title_id}: {'held' if self.held else 'not held'}"


class RecomputeRunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    ABANDONED = "abandoned", _("abandoned")


class RecomputeScope(models.TextChoices):
    ALL = "all", _("every technician")
    STALE = "stale", _("technicians with new facts")
    DUE = "due", _("technicians whose state changes by the calendar")


class RecomputeRun(models.Model):
    """One bulk recompute: the technicians in scope, split into primary-key chunks.

    The chunks are planned when the run starts (``RecomputeChunk``); each chunk
    commits its derived rows, its own ``done_at`` and the run's counters in one
    transaction, so an interrupted run resumes with the chunks not yet done and never
    applies a chunk twice or half. ``last_technician_id``: every technician of the run
    up to this id is done.
    """

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField()
    scope = models.CharField(
        max_length=10, choices=RecomputeScope.choices, default=RecomputeScope.ALL
    )
    chunk_size = models.PositiveIntegerField(default=2000)
    last_technician_id = models.BigIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)  # technicians in scope at the start
    processed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10,
        choices=RecomputeRunStatus.choices,
        default=RecomputeRunStatus.RUNNING,
    )
    actor_label = models.CharField(max_length=200, default="system")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"recompute {self.scope} as of {self.as_of.isoformat()} ({self.status})"


class RecomputeChunk(models.Model):
    """A contiguous range of technician ids within a run, done in one transaction."""

    run = models.ForeignKey(
        RecomputeRun, on_delete=models.CASCADE, related_name="chunks"
    )
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    size = models.PositiveIntegerField()  # technicians in scope when planned
    done_at = models.DateTimeField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run_id", "first_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "first_id"], name="cred_chunk_one_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_id}–{self.last_id}"
