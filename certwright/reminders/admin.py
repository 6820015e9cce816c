"""Expiry reminders in the admin, read-only: the sweep records each rung
(``expiry_reminders_send``) and the technician chooses their reminders
(``reminder_preference_set``), each with its event; staff look, to answer "did we
remind them?"."""

from __future__ import annotations

from django.contrib import admin

from certwright.core.admin_mixins import ReadOnlyMixin
from certwright.reminders.models import ExpiryReminder, ReminderPreference


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "technician", "test", "expires_on", "offset_days", "outcome", "reason", "on",
        "email",
    )  # fmt: skip
    list_filter = ("outcome", "offset_days")
    date_hierarchy = "on"
    raw_id_fields = ("technician", "email")
    search_fields = ("technician__certification_id", "technician__name", "test")


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("technician", "choice", "updated_at")
    list_filter = ("choice",)
    raw_id_fields = ("technician",)
    search_fields = ("technician__certification_id", "technician__name")
