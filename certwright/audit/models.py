from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    TECHNICIAN_CREATED = "technician.created", _("technician created")
    TECHNICIAN_UPDATED = "technician.updated", _("technician updated")
    FACT_RECORDED = "fact.recorded", _("fact recorded")
    FACT_UPDATED = "fact.updated", _("fact updated")
    CERTIFICATION_CHANGED = "certification.changed", _("certification changed")
    TITLE_CHANGED = "title.changed", _("title changed")
    RECOMPUTE_RUN = "recompute.run", _("recompute run")
    IMPORT_APPLIED = "import.applied", _("import applied")
    DEMO_LOADED = "demo.loaded", _("demo data loaded")
    # Item bank: every change, and who saw an item (its key is secret).
    ITEM_CREATED = "item.created", _("item created")
    ITEM_EDITED = "item.edited", _("item edited")
    ITEM_REVIEWED = "item.reviewed", _("item reviewed")
    ITEM_STATUS_CHANGED = "item.status_changed", _("item status changed")
    ITEM_VIEWED = "item.viewed", _("item viewed")
    ITEM_ENEMY_ADDED = "item.enemy_added", _("item enemy added")
    ITEM_ENEMY_REMOVED = "item.enemy_removed", _("item enemy removed")
    ITEMS_IMPORTED = "items.imported", _("items imported")
    ITEMS_EXPORTED = "items.exported", _("items exported")
    FORM_ASSEMBLED = "form.assembled", _("form assembled")
    FORM_SCALE_SET = "form.scale_set", _("form cut score and scale set")
    FORM_PUBLISHED = "form.published", _("form published")
    FORM_RETIRED = "form.retired", _("form retired")
    # Exam delivery: every change of an attempt's state (answers are their own record).
    ATTEMPT_AUTHORISED = "attempt.authorised", _("attempt authorised")
    ATTEMPT_STARTED = "attempt.started", _("attempt started")
    ATTEMPT_PAUSED = "attempt.paused", _("attempt paused")
    ATTEMPT_RESUMED = "attempt.resumed", _("attempt resumed")
    ATTEMPT_EXTENDED = "attempt.extended", _("attempt time extended")
    ATTEMPT_SUBMITTED = "attempt.submitted", _("attempt submitted")
    ATTEMPT_EXPIRED = "attempt.expired", _("attempt auto-submitted at time-out")
    ATTEMPT_VOIDED = "attempt.voided", _("attempt ended by the proctor")
    ATTEMPT_LAPSED = "attempt.lapsed", _("attempt authorisation lapsed")
    ATTEMPT_LAUNCHED = "attempt.launched", _("attempt launched on a workstation")
    ATTEMPT_LAUNCH_REFUSED = "attempt.launch_refused", _("attempt launch refused")
    ATTEMPT_DEVICE_RESET = (
        "attempt.device_reset",
        _("attempt moved to a new workstation"),
    )
    ATTEMPT_DEVICE_REFUSED = (
        "attempt.device_refused",
        _("attempt refused to another device"),
    )
    INCIDENT_NOTED = "incident.noted", _("incident noted")
    ACCOMMODATION_APPROVED = "accommodation.approved", _("accommodation approved")
    ACCOMMODATION_REVOKED = "accommodation.revoked", _("accommodation revoked")
    # Scoring and psychometrics: imported answers, analysis runs, item statistics.
    RESPONSES_IMPORTED = "responses.imported", _("responses imported")
    ANALYSIS_REQUESTED = "analysis.requested", _("analysis requested")
    ITEM_STATS_RECORDED = "item.stats_recorded", _("item statistics recorded")


class Event(models.Model):
    """Something that changed, who changed it, and why.

    Rows are only ever inserted: an auditor of the certification body reads this table
    as the history of every certification. ``data`` holds what changed (``before`` and
    ``after`` where there is a before), ``reason`` the human sentence.
    """

    occurred_at = models.DateTimeField(default=timezone.now)
    # A person when one acted (the admin, later the portal); otherwise None and the
    # label says which machine did it ("system", "cli", "import:results.csv").
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, default="system")
    # PROTECT: a technician with history is never deleted out from under its events.
    # No database constraint: a first full recompute appends ~750k events, and the
    # database checked each one against the technician table (a key-share lock per
    # row, on PostgreSQL a trigger firing per row at commit) for a reference the
    # recompute has just read under lock; PROTECT still refuses the delete.
    technician = models.ForeignKey(
        "candidates.Technician",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_constraint=False,
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    subject = models.CharField(max_length=200, blank=True, default="")
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["technician", "occurred_at"], name="audit_event_tech_when"
            ),
            models.Index(fields=["kind", "occurred_at"], name="audit_event_kind_when"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind} {self.subject}"
