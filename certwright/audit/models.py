from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class EventKind(models.TextChoices):
    """Every kind of event any app writes: the one registry.

    ``event_record`` refuses a kind not listed here, so an app that records a new
    kind of change adds it here (and to docs/events.md, which a test compares with
    this list). The audit app sits below every app that writes events: the kinds
    are declared here, not imported from the apps that use them.

    A member's name is its value in capitals with ``_`` for ``.``
    (``order_line.booked`` is ``ORDER_LINE_BOOKED``). Values are stored in
    ``Event.kind``: a stored value is never renamed.
    """

    # Technicians and their facts (candidates, credentials).
    TECHNICIAN_CREATED = "technician.created", _("technician created")
    TECHNICIAN_UPDATED = "technician.updated", _("technician updated")
    # A person's own data (privacy): handed to them, or erased at their request.
    PERSONAL_DATA_EXPORTED = "personal_data.exported", _("personal data exported")
    PERSON_ERASED = "person.erased", _("person erased")
    FACT_RECORDED = "fact.recorded", _("fact recorded")
    FACT_UPDATED = "fact.updated", _("fact updated")
    CERTIFICATION_CHANGED = "certification.changed", _("certification changed")
    TITLE_CHANGED = "title.changed", _("title changed")
    RECOMPUTE_RUN = "recompute.run", _("recompute run")
    IMPORT_APPLIED = "import.applied", _("import applied")
    DEMO_LOADED = "demo.loaded", _("demo data loaded")
    # Experience records: review, supporting documents, the employer's answer.
    EXPERIENCE_REJECTED = "experience.rejected", _("experience rejected")
    EXPERIENCE_WITHDRAWN = "experience.withdrawn", _("experience withdrawn")
    EXPERIENCE_DOCUMENT_ADDED = (
        "experience.document_added",
        _("experience document added"),
    )
    EXPERIENCE_EMPLOYER_LINK_SENT = (
        "experience.employer_link_sent",
        _("experience confirmation link sent to the employer"),
    )
    EXPERIENCE_EMPLOYER_CONFIRMED = (
        "experience.employer_confirmed",
        _("experience confirmed by the employer"),
    )
    EXPERIENCE_EMPLOYER_DISPUTED = (
        "experience.employer_disputed",
        _("experience disputed by the employer"),
    )
    # Accounts: users, roles, organizations, shares and API tokens.
    ACCOUNT_TECHNICIAN_LINKED = (
        "account.technician_linked",
        _("account linked to a technician"),
    )
    ACCOUNT_ROLE_ADDED = "account.role_added", _("role added")
    ACCOUNT_ROLE_REMOVED = "account.role_removed", _("role removed")
    ACCOUNT_FLAGS_CHANGED = "account.flags_changed", _("account flags changed")
    ACCOUNT_GROUP_ADDED = "account.group_added", _("account added to a group")
    ACCOUNT_GROUP_REMOVED = "account.group_removed", _("account removed from a group")
    ACCOUNT_DELETED = "account.deleted", _("account deleted")
    ORGANIZATION_CREATED = "organization.created", _("organization created")
    ORGANIZATION_UPDATED = "organization.updated", _("organization updated")
    ORGANIZATION_MEMBER_ADDED = (
        "organization.member_added",
        _("organization member added"),
    )
    ORGANIZATION_MEMBER_REMOVED = (
        "organization.member_removed",
        _("organization member removed"),
    )
    SHARE_GRANTED = "share.granted", _("share granted")
    SHARE_REVOKED = "share.revoked", _("share revoked")
    # Accounts: an employer's watch over the technicians who share with it.
    ORGANIZATION_WATCH_CHANGED = (
        "organization.watch_changed",
        _("organization watch settings changed"),
    )
    ORGANIZATION_WATCH_SENT = "organization.watch_sent", _("employer watch mail sent")
    # Verification: the technician's public share links.
    SHARE_LINK_CREATED = "share_link.created", _("share link created")
    SHARE_LINK_REVOKED = "share_link.revoked", _("share link revoked")
    # Certificates: a certificate or wallet card PDF made (again).
    CERTIFICATE_MADE = "certificate.made", _("certificate made")
    # badges: signed credentials and the issuer's keys
    SIGNING_KEY_CREATED = "signing_key.created", _("signing key created")
    SIGNING_KEY_ROTATED = "signing_key.rotated", _("signing key retired by rotation")
    BADGE_ISSUED = "badge.issued", _("signed credential issued")
    BADGE_REVOKED = "badge.revoked", _("signed credential revoked")
    LOOKUP_OPT_OUT_SET = "lookup_opt_out.set", _("public lookup opt-out changed")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    # Commerce: orders, their lines, vouchers, entitlements and tax rates.
    ORDER_PLACED = "order.placed", _("order placed")
    ORDER_PAID = "order.paid", _("order paid")
    ORDER_LINE_BOOKED = "order_line.booked", _("order line booked")
    ORDER_LINE_RELEASED = "order_line.released", _("order line released")
    ORDER_LINE_TAKEN = "order_line.taken", _("order line taken")
    ORDER_LINE_FORFEITED = "order_line.forfeited", _("order line forfeited")
    ORDER_LINE_REFUNDED = "order_line.refunded", _("order line refunded")
    ORDER_LINE_EXPIRED = "order_line.expired", _("order line expired")
    ENTITLEMENT_GRANTED = "entitlement.granted", _("entitlement granted")
    ENTITLEMENT_REVOKED = "entitlement.revoked", _("entitlement revoked")
    VOUCHER_REDEEMED = "voucher.redeemed", _("voucher redeemed")
    VOUCHER_BATCH_PLACED = "voucher_batch.placed", _("voucher batch ordered")
    VOUCHER_BATCH_PAID = "voucher_batch.paid", _("voucher batch paid")
    TAX_RATE_CREATED = "tax_rate.created", _("tax rate created")
    TAX_RATE_CHANGED = "tax_rate.changed", _("tax rate changed")
    TAX_RATE_DELETED = "tax_rate.deleted", _("tax rate deleted")
    # Scheduling: appointments and test centres.
    APPOINTMENT_BOOKED = "appointment.booked", _("appointment booked")
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", _("appointment rescheduled")
    APPOINTMENT_CANCELLED = "appointment.cancelled", _("appointment cancelled")
    APPOINTMENT_CHECKED_IN = "appointment.checked_in", _("candidate checked in")
    APPOINTMENT_IDENTITY_CHECKED = (
        "appointment.identity_checked",
        _("candidate's identity checked"),
    )
    APPOINTMENT_COMPLETED = "appointment.completed", _("appointment completed")
    APPOINTMENT_NO_SHOW = "appointment.no_show", _("candidate did not show")
    APPOINTMENT_REMINDED = "appointment.reminded", _("appointment reminder sent")
    CENTRE_CREATED = "centre.created", _("test centre created")
    CENTRE_CHANGED = "centre.changed", _("test centre changed")
    CENTRE_SEATS_SYNCED = "centre.seats_synced", _("test centre seats updated")
    CENTRE_DELETED = "centre.deleted", _("test centre deleted")
    # Notifications.
    EMAIL_RETRIED = "email.retried", _("failed e-mail queued again")
    # Expiry reminders: each one sent, and the technician's choice of them.
    EXPIRY_REMINDER_SENT = "expiry_reminder.sent", _("expiry reminder sent")
    REMINDER_PREFERENCE_CHANGED = (
        "reminder_preference.changed",
        _("expiry reminder preference changed"),
    )
    # Renewal app: subscriptions, each month's dispatch, every answer.
    RENEWAL_SUBSCRIPTION_STARTED = (
        "renewal_subscription.started",
        _("renewal subscription started"),
    )
    RENEWAL_SUBSCRIPTION_CANCELLED = (
        "renewal_subscription.cancelled",
        _("renewal subscription cancelled"),
    )
    RENEWAL_DISPATCH_RUN = "renewal_dispatch.run", _("renewal questions dispatched")
    RENEWAL_QUESTION_ANSWERED = (
        "renewal_question.answered",
        _("renewal question answered"),
    )
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
    # Shops: employment confirmed by both sides, the shop's profile, its recognition.
    EMPLOYMENT_PROPOSED = "employment.proposed", _("employment proposed")
    EMPLOYMENT_CONFIRMED = "employment.confirmed", _("employment confirmed")
    EMPLOYMENT_ENDED = "employment.ended", _("employment ended")
    EMPLOYMENT_CONSENT_CHANGED = (
        "employment.consent_changed",
        _("employment name consent changed"),
    )
    SHOP_PROFILE_UPDATED = "shop_profile.updated", _("shop profile updated")
    SHOP_RECOGNITION_CHANGED = (
        "shop_recognition.changed",
        _("shop recognition changed"),
    )


def event_kind_choices() -> Sequence[tuple[str, StrOrPromise]]:
    """``Event.kind``'s choices, read from the registry when asked.

    A callable, so the migration refers to this function instead of copying the
    list: a new kind needs no migration. Migrations import it by this name; keep it.
    """
    return EventKind.choices


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
    # No index of its own either: ``audit_event_tech_when`` leads with it, and one
    # index fewer is less work for every event appended.
    technician = models.ForeignKey(
        "candidates.Technician",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(max_length=40, choices=event_kind_choices)
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
