"""Items (multiple-choice questions), their versions, and the forms built from them.

An ``Item`` is the stable identity of a question (``A1-001``); what a candidate reads
is an ``ItemVersion``. A version is edited in place only while nobody has sat it:
publishing a form freezes every version on it (``frozen_at``), and a change to a frozen
version makes a new version (services.py), so a score can always be traced to the
exact text and key the candidate saw.

A ``Form`` is one test paper: its items in order (``FormItem``), which of them count
(``scored``; the others are unscored pretest items), its time, cut score and raw-to-
scaled table. A published form is frozen: nothing on it changes; it can only be
retired.

The key (``ItemVersion.key``) is secret: it never reaches a candidate's browser during
an exam, and the admin shows it only to program staff (admin.py). A practice test shows
the key and rationale after each answer, so each item belongs to a pool
(``Item.pool``): exam items fill initial and recert forms, practice forms hold only
practice items and retired exam items (selectors.py says exactly which), and renewal
items go on no form at all: they are the questions sent one a month to technicians
subscribed to renewal (``selectors.renewal_pool``), their keys as secret as an exam
item's until the technician has answered.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from certwright.itemformats import OPTION_LETTERS

OPTION_COUNT = len(OPTION_LETTERS)


def _account() -> Any:
    """A reference to a user that outlives the user's deletion (as None)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class ItemStatus(models.TextChoices):
    """An item version's lifecycle (services.ITEM_TRANSITIONS says which moves are
    allowed). The item files write the same words (``itemformats.model.STATUSES``)."""

    DRAFT = "draft", _("draft")
    REVIEWED = "reviewed", _("reviewed")
    PRETEST = "pretest", _("pretest")
    OPERATIONAL = "operational", _("operational")
    RETIRED = "retired", _("retired")


class ItemPool(models.TextChoices):
    """Which forms an item is written for. Exam items go on initial and recert forms
    and, once retired from them, may be shown on practice forms; practice items are
    written for practice (their keys and rationales are shown after each answer) and
    never go on an exam form; renewal items are the questions sent to technicians
    subscribed to renewal and never go on any form. The item files write the same
    words (``itemformats.model.POOLS``)."""

    EXAM = "exam", _("exam")
    PRACTICE = "practice", _("practice")
    # Renewal questions, one a month to subscribed technicians: never on any form
    # (services.form_publish refuses one; assembly never draws one).
    RENEWAL = "renewal", _("renewal")


class FormKind(models.TextChoices):
    INITIAL = "initial", _("initial")
    RECERT = "recert", _("recertification")
    PRACTICE = "practice", _("practice")


class FormStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RETIRED = "retired", _("retired")


class Item(models.Model):
    """A question's identity in one test's bank; its content lives in versions."""

    test = models.CharField(_("test"), max_length=10)
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Unique within the test, e.g. A1-001.")
    )
    pool = models.CharField(
        _("pool"),
        max_length=10,
        choices=ItemPool.choices,
        default=ItemPool.EXAM,
        help_text=_(
            "Exam items go on initial and recert forms (and on practice forms once "
            "retired); practice items only ever on practice forms; renewal items "
            "are sent to technicians subscribed to renewal and go on no form."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _account()

    class Meta:
        ordering = ["test", "code"]
        verbose_name = _("item")
        constraints = [
            models.UniqueConstraint(
                fields=["test", "code"], name="itembank_item_code_per_test"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ItemEnemy(models.Model):
    """Two items that must never appear on one form (one cues the other's answer).

    The relation is symmetric and stored once, with ``a`` the lower id: "is X an enemy
    of Y" is one lookup of the ordered pair.
    """

    a = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("enemy pair")
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="itembank_enemy_once"),
            models.CheckConstraint(
                condition=Q(a__lt=F("b")), name="itembank_enemy_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a_id} × {self.b_id}"


class ItemVersion(models.Model):
    """One version of an item's content, with its lifecycle status."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default="draft"
    )
    stem = models.TextField(_("stem"))
    # Exactly four strings, options A to D in order.
    options = models.JSONField(_("options"), default=list)
    # Index into ``options`` (0 = A). Secret: never sent to a candidate.
    key = models.PositiveSmallIntegerField(_("key"))
    rationale = models.TextField(_("rationale"), blank=True, default="")
    area = models.CharField(
        _("content area"), max_length=10, help_text=_("Blueprint content-area code.")
    )
    task = models.CharField(_("task"), max_length=300, blank=True, default="")
    image = models.FileField(_("image"), upload_to="itembank/", blank=True)
    written_by = _account()
    # Who wrote or reviewed it when no account did ("system", "import:A1.json").
    written_by_label = models.CharField(max_length=200, blank=True, default="")
    reviewed_by = _account()
    reviewed_by_label = models.CharField(max_length=200, blank=True, default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Set when a published form first uses this version; from then on it is never
    # edited (a change makes a new version).
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Item statistics from the psychometrics (p, rpb, irt_a, irt_b, n ...).
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("item version")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number"], name="itembank_version_number"
            ),
            models.CheckConstraint(
                condition=Q(key__gte=0) & Q(key__lt=OPTION_COUNT),
                name="itembank_version_key_range",
            ),
            # The second-person rule: nobody approves their own item.
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True)
                | Q(written_by__isnull=True)
                | ~Q(reviewed_by=F("written_by")),
                name="itembank_version_second_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="itembank_version_status")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def key_letter(self) -> str:
        return OPTION_LETTERS[self.key]


class Form(models.Model):
    """One test paper. A draft is assembled, then published (frozen, numbered, with
    its cut score and raw-to-scaled table), and finally retired."""

    test = models.CharField(_("test"), max_length=10)
    kind = models.CharField(
        _("kind"), max_length=10, choices=FormKind.choices, default="initial"
    )
    # Numbered per (test, kind) when published: A1 initial form 1, 2, ...
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FormStatus.choices, default="draft"
    )
    blueprint_effective = models.DateField(_("blueprint effective"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    # Raw score (scored items correct) needed to pass.
    cut_score = models.PositiveSmallIntegerField(_("cut score"), null=True, blank=True)
    # Scaled score by raw score: scale[raw] for raw = 0 .. number of scored items.
    scale = models.JSONField(_("raw-to-scaled table"), null=True, blank=True)
    # How it was assembled: seed, max_exposure, objective, seconds, day.
    assembly = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = _account()
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = _account()
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["test", "kind", "-number", "-id"]
        verbose_name = _("form")
        constraints = [
            models.UniqueConstraint(
                fields=["test", "kind", "number"],
                condition=Q(number__isnull=False),
                name="itembank_form_number",
            ),
            # A form candidates can sit has its number, cut score and table.
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(number__isnull=False)
                    & Q(cut_score__isnull=False)
                    & Q(scale__isnull=False)
                    & Q(published_at__isnull=False)
                ),
                name="itembank_form_published_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["test", "kind", "status"], name="itembank_form_live")
        ]

    def __str__(self) -> str:
        if self.number is None:
            return gettext("%(test)s %(kind)s draft #%(id)s") % {
                "test": self.test,
                "kind": self.kind,
                "id": self.pk,
            }
        return gettext("%(test)s %(kind)s form %(number)s") % {
            "test": self.test,
            "kind": self.kind,
            "number": self.number,
        }

    @property
    def is_frozen(self) -> bool:
        return self.status != FormStatus.DRAFT


class FormItem(models.Model):
    """An item version at a position on a form; ``scored`` False = unscored pretest
    item (the candidate cannot tell which)."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    # PROTECT: a version on a form is the record of what was asked.
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="form_items"
    )
    scored = models.BooleanField(_("scored"), default=True)
    area = models.CharField(_("content area"), max_length=10)

    class Meta:
        ordering = ["form", "position"]
        verbose_name = _("form item")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "position"], name="itembank_formitem_position"
            ),
            models.UniqueConstraint(
                fields=["form", "item_version"], name="itembank_formitem_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} #{self.position}"
