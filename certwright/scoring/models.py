"""Psychometric data and runs: sittings imported from elsewhere, and analysis runs.

``ExternalSitting`` is one examinee's answers to one form given outside this
platform: a field test, an earlier delivery vendor, or a simulation (``simulated``,
always shown as such). The answers are stored compactly, one byte per form position
in position order (``choices``): 0–3 for options A–D, ``OMIT`` (255) for a blank,
``NOT_SEEN`` (254) for an item the examinee was not given — the codes of
``certwright.psychometrics.responses``. 100,000 sittings of a 60-item form are 6 MB
and load with one query and one ``numpy.frombuffer``.

An ``AnalysisRun`` is one request for an item analysis, a calibration or an
equating of a form. It runs as a background task (tasks.py), reports its progress
on the row, and keeps its results as JSON: a run's results never change, so the
pages read a finished run, and the item history reads every run a version was on.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _account() -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class ExternalSitting(models.Model):
    """One examinee's answers to ``form``, given outside Certwright."""

    # PROTECT: the form's items define what each byte of ``choices`` means.
    form = models.ForeignKey(
        "itembank.Form", on_delete=models.PROTECT, related_name="external_sittings"
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Where the data came from, e.g. 'field test 2025 (vendor X)'."),
    )
    reference = models.CharField(
        _("sitting reference"),
        max_length=100,
        help_text=_("The sitting's id in the source."),
    )
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    # One byte per form position (position 1 first): 0-3, 255 omit, 254 not given.
    choices = models.BinaryField(_("answers"))
    simulated = models.BooleanField(
        _("simulated"), default=False, help_text=_("Generated data, not real answers.")
    )
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_by = _account()
    imported_by_label = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["form", "source", "reference"]
        verbose_name = _("imported sitting")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "source", "reference"],
                name="scoring_sitting_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.reference}"


class RunKind(models.TextChoices):
    ANALYSIS = "analysis", _("item analysis")
    CALIBRATION = "calibration", _("calibration")
    EQUATING = "equating", _("equating")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Sources(models.TextChoices):
    """Which sittings an analysis reads."""

    ALL = "all", _("delivered and imported")
    DELIVERED = "delivered", _("delivered by Certwright only")
    IMPORTED = "imported", _("imported only")


class AnalysisRun(models.Model):
    """One analysis, calibration or equating of a form, run in the background."""

    form = models.ForeignKey(
        "itembank.Form", on_delete=models.CASCADE, related_name="analysis_runs"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default="queued"
    )
    # What was asked: sources, model, base form, linking method.
    params = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True, default="")
    n_examinees = models.PositiveIntegerField(_("examinees"), null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    # Set when the run's results were written somewhere (item bank, a form's table).
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _account()
    created_by_label = models.CharField(max_length=200, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("analysis run")
        indexes = [
            models.Index(
                fields=["form", "kind", "status"], name="scoring_run_form_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} of {self.form}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
