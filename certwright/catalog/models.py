"""The loaded program, mirrored into tables so staff can browse it in the admin.

The program data files are the source of truth; these rows are written only by
``certwright.catalog.services.program_sync`` and never edited. One ``ProgramVersion``
per distinct definition (by digest), so the rows also record which definitions were
in force and since when.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramVersion(models.Model):
    program = models.CharField(_("program"), max_length=64, db_index=True)
    version = models.CharField(_("version"), max_length=64)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    body = models.CharField(_("certification body"), max_length=200)
    source = models.CharField(_("loaded from"), max_length=500, blank=True)
    loaded_at = models.DateTimeField(_("first loaded at"))
    # Policy, renewal, experience and notes as loaded: what the tables below leave out.
    definition = models.JSONField(_("definition"), encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("program version")
        verbose_name_plural = _("program versions")
        ordering = ["-loaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.program} {self.version} ({self.digest[:12]})"


class SeriesDefinition(models.Model):
    program_version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="series"
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["program_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_version", "code"], name="catalog_series_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class TestDefinition(models.Model):
    """One test, summarised from its latest blueprint (the content areas keep all)."""

    __test__ = False  # not a pytest test class, whatever its name says

    program_version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="tests"
    )
    series = models.ForeignKey(
        SeriesDefinition, on_delete=models.CASCADE, related_name="tests"
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    blueprint_effective = models.DateField(_("blueprint effective"), null=True)
    scored = models.PositiveIntegerField(_("scored questions"), null=True)
    unscored = models.PositiveIntegerField(_("unscored questions"), null=True)
    minutes = models.PositiveIntegerField(_("minutes"), null=True)
    estimated = models.BooleanField(_("estimated"), default=False)
    recertifiable = models.BooleanField(_("recertifiable"), default=False)
    recert_scored = models.PositiveIntegerField(_("recert questions"), null=True)
    recert_minutes = models.PositiveIntegerField(_("recert minutes"), null=True)
    fee_class = models.CharField(_("fee class"), max_length=32)
    experience_rule = models.CharField(_("experience rule"), max_length=64)
    experience_years = models.DecimalField(
        _("experience (years)"), max_digits=4, decimal_places=1
    )
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    validity_years = models.PositiveIntegerField(_("validity (years)"), null=True)
    offered_from = models.DateField(_("offered from"), null=True)
    offered_until = models.DateField(_("offered until"), null=True)
    languages = models.CharField(_("languages"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("test")
        verbose_name_plural = _("tests")
        ordering = ["program_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_version", "code"], name="catalog_test_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class ContentAreaDefinition(models.Model):
    """A content area of one blueprint of a test (``effective`` names the blueprint)."""

    test = models.ForeignKey(
        TestDefinition, on_delete=models.CASCADE, related_name="content_areas"
    )
    effective = models.DateField(_("blueprint effective"))
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=300)
    questions = models.PositiveIntegerField(_("questions"), null=True)

    class Meta:
        verbose_name = _("content area")
        verbose_name_plural = _("content areas")
        ordering = ["test", "-effective", "position"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class TitleDefinition(models.Model):
    program_version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="titles"
    )
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("id"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    rule = models.TextField(_("rule"))
    tests = models.CharField(_("tests named"), max_length=500)
    excluded_by = models.CharField(_("not available to holders of"), max_length=500)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["program_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["program_version", "code"], name="catalog_title_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FeePeriodDefinition(models.Model):
    program_version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="fee_periods"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until (exclusive)"), null=True)
    currency = models.CharField(_("currency"), max_length=3)
    registration_cents = models.PositiveIntegerField(_("registration fee (cents)"))
    registration_per = models.CharField(_("registration charged per"), max_length=16)
    test_fees = models.JSONField(_("test fees by class (cents)"))
    recert_cap_cents = models.PositiveIntegerField(
        _("recert fee cap (cents)"), null=True
    )
    # None: the renewal app subscription is not sold in this period.
    renewal_cents = models.PositiveIntegerField(
        _("renewal subscription (cents)"), null=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fee period")
        verbose_name_plural = _("fee periods")
        ordering = ["program_version", "start"]

    def __str__(self) -> str:
        end = self.end.isoformat() if self.end else "open"
        return f"{self.start.isoformat()} – {end}"
